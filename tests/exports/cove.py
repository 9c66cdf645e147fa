"""The OCDS Data Review Tool's checks (libcoveocds), run offline on a package.

libcoveocds reads the standard's schema and code lists from a ZIP of the standard's repository;
it gets one built from the copy the bridge ships, and any request it would make to the network
fails the check (``responses`` answers only the schema's own URLs, from the shipped copy), so the
result never depends on the internet.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from typing import Any

import responses
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig

from bridge.settings import OCDS_SCHEMA_DIR

# What the Data Review Tool reports beyond the schema's errors; each must be empty. Additional
# fields are read from ``all_additional_fields``, the list the tool shows, which knows language
# variants (``title_fr``) from the schema's patterns: the API's ``additional_fields`` recounts
# without the patterns when nothing else is additional, and would list every variant.
FINDINGS = (
    "validation_errors",
    "additional_checks",
    "additional_closed_codelist_values",
    "additional_open_codelist_values",
    "all_additional_fields",
    "deprecated_fields",
)
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


@cache
def _standard_zip() -> bytes:
    """The shipped schema laid out as the standard's repository is (``<root>/schema/...``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for path in sorted(OCDS_SCHEMA_DIR.rglob("*")):
            if path.is_file() and path.suffix in {".json", ".csv"}:
                relative = path.relative_to(OCDS_SCHEMA_DIR).as_posix()
                archive.write(path, f"standard-1__1__5/schema/{relative}")
    return buffer.getvalue()


def review(package: dict[str, Any]) -> dict[str, Any]:
    """The Data Review Tool's findings on ``package``: each key of ``FINDINGS``, empty when the
    package passes."""
    config = LibCoveOCDSConfig({"standard_zip": _standard_zip(), "context": "api"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as network:
        # The record package schema names the versioned-release schema by its URL.
        for path in OCDS_SCHEMA_DIR.glob("*.json"):
            network.get(
                SCHEMA_URL + path.name, body=path.read_bytes(), content_type="application/json"
            )
        result = ocds_json_output("", json_data=package, lib_cove_ocds_config=config)
    return {key: result.get(key) or {} for key in FINDINGS}


def passes(package: dict[str, Any]) -> bool:
    return not any(review(package).values())
