"""The OCDS publication: one release package and one record package of every award record.

Open-data harvesters (the OCDS Data Review Tool, Kingfisher, the open data portal) read packages,
not the bridge's delivery batches. Both packages are rebuilt from the exported records, so they
always hold the current revision of every award; the same records give the same bytes, because
``publishedDate`` is the moment the newest record changed, not the moment of writing. The same
bytes are written as files (the directory sink, ``gc-bridge export --out``) and served to
harvesters at ``/ocds/`` by the panel, and each package's ``uri`` says where it is found.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.exports.formats.ocds import (
    PackageMetadata,
    Publisher,
    compile_record,
    record_package,
    release_package,
    releases,
)
from bridge.exports.models import ExportedAward
from bridge.exports.outbox import InvalidExport, exported_records, schema_check
from bridge.exports.record import from_document
from bridge.settings import Settings

RELEASE_PACKAGE = "release-package.json"
RECORD_PACKAGE = "record-package.json"
PACKAGE_NAMES = (RELEASE_PACKAGE, RECORD_PACKAGE)


def packages_url(settings: Settings) -> str:
    """The folder the packages are published in: the configured address, else the panel's
    ``/ocds/`` when the panel serves them, else a URN of the publisher's prefix (a package
    must name itself even when it is only passed around as a file)."""
    if settings.ocds_packages_url is not None:
        return str(settings.ocds_packages_url).rstrip("/") + "/"
    if settings.ocds_endpoint_enabled and settings.panel_url is not None:
        return str(settings.panel_url).rstrip("/") + "/ocds/"
    return f"urn:{settings.ocds_prefix}:"


def publisher_of(settings: Settings) -> Publisher:
    uri = str(settings.ocds_publisher_uri) if settings.ocds_publisher_uri else ""
    return Publisher(
        settings.ocds_publisher, settings.ocds_publisher_scheme, settings.ocds_publisher_uid, uri
    )


def metadata(settings: Settings, name: str, published: datetime) -> PackageMetadata:
    return PackageMetadata(
        uri=packages_url(settings) + name,
        published=published,
        publisher=publisher_of(settings),
        license=str(settings.ocds_license) if settings.ocds_license else "",
        publication_policy=(
            str(settings.ocds_publication_policy) if settings.ocds_publication_policy else ""
        ),
    )


@dataclass(frozen=True)
class OcdsPackages:
    release_package: dict[str, Any]
    record_package: dict[str, Any]

    def files(self) -> dict[str, bytes]:
        """File name → bytes, as written and as served."""
        return {
            RELEASE_PACKAGE: serialize(self.release_package),
            RECORD_PACKAGE: serialize(self.record_package),
        }


def serialize(package: dict[str, Any]) -> bytes:
    """Compact JSON: the packages are built in a fixed order, so the same records give the
    same bytes, and the standard library's C encoder writes it (an indented dump falls back to
    the pure-Python encoder, five times slower and twice the memory on a large package)."""
    text = json.dumps(package, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def last_change(session: Session) -> datetime:
    """When the newest exported record changed: the packages' ``publishedDate``."""
    newest = session.scalar(
        select(func.max(ExportedAward.updated_at)).where(ExportedAward.record.is_not(None))
    )
    return newest or datetime.min.replace(tzinfo=UTC)


RecordsState = tuple[int, int, datetime]


def records_state(session: Session) -> RecordsState:
    """What the packages depend on: how many records, their revisions (which any change raises,
    even under a stopped clock), and when the newest changed. Equal states, equal packages."""
    count, revisions = session.execute(
        select(func.count(), func.coalesce(func.sum(ExportedAward.revision), 0)).where(
            ExportedAward.record.is_not(None)
        )
    ).one()
    return (count, revisions, last_change(session))


def build_packages(session: Session, settings: Settings) -> OcdsPackages | None:
    """Both packages of every exported record, checked against the official schema; ``None``
    before the first award is exported (the standard wants at least one release or record in a
    package, so there is nothing to publish yet)."""
    per_process = [
        releases(from_document(row.record), settings.ocds_prefix)
        for row in exported_records(session)
        if row.record
    ]
    if not per_process:
        return None
    return packages_of(per_process, settings, last_change(session))


def packages_of(
    per_process: Sequence[list[dict[str, Any]]], settings: Settings, published: datetime
) -> OcdsPackages:
    """The packages of these contracting processes (each a list of its releases)."""
    every_release = [release for items in per_process for release in items]
    releases_meta = metadata(settings, RELEASE_PACKAGE, published)
    records = [
        compile_record(items, settings.ocds_schema_dir, releases_at=releases_meta.uri)
        for items in per_process
    ]
    built = OcdsPackages(
        release_package(every_release, releases_meta),
        record_package(records, metadata(settings, RECORD_PACKAGE, published)),
    )
    check = schema_check(settings.ocds_schema_dir)
    problems = check(built.release_package) + check(built.record_package)
    if problems:
        raise InvalidExport("; ".join(problems[:5]))
    return built
