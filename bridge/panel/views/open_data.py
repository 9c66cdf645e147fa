"""The OCDS packages for open-data harvesters: read-only, without sign-in, public data only.

The same bytes as the files the export writes (each package's ``uri`` names this address when
the panel serves it). A harvester polls, so answers carry an ETag and ``Last-Modified`` and a
conditional request that finds nothing new gets a 304; the packages are built once per change of
the records, not once per request. An operator who publishes the files elsewhere turns the
endpoint off (``BRIDGE_OCDS_ENDPOINT_ENABLED=false``) and it answers 404.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from threading import Lock
from typing import Any

from flask import Blueprint, abort, current_app, request

from bridge.exports.publication import (
    PACKAGE_NAMES,
    RecordsState,
    build_packages,
    records_state,
)
from bridge.panel import db
from bridge.settings import Settings

blueprint = Blueprint("open_data", __name__)


@dataclass(frozen=True)
class _Built:
    """Packages built by this panel: the state of the records they were built from, their
    bytes, and each one's ETag (hashed once per build, not per poll)."""

    state: RecordsState
    files: dict[str, bytes]
    etags: dict[str, str]


_building = Lock()


def _current() -> _Built:
    """The packages as they stand, rebuilt only when a record changed since the last build;
    none before the first award is exported."""
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    session = db()
    state = records_state(session)
    with _building:
        built: _Built | None = current_app.extensions.get("ocds_packages")
        if built is None or built.state != state:
            packages = build_packages(session, settings)
            files = packages.files() if packages else {}
            etags = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
            built = current_app.extensions["ocds_packages"] = _Built(state, files, etags)
        return built


@blueprint.route("/ocds/<name>")
def package(name: str) -> Any:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    if not settings.ocds_endpoint_enabled or name not in PACKAGE_NAMES:
        abort(404)
    built = _current()
    if name not in built.files:
        abort(404)
    response = current_app.response_class(built.files[name], mimetype="application/json")
    response.set_etag(built.etags[name])
    response.last_modified = built.state[2]  # when the newest record changed
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
