"""The OCDS packages for open-data harvesters: read-only, without sign-in, public data only.

The same bytes as the files the export writes (each package's ``uri`` names this address when
the panel serves it). A harvester polls, so answers carry an ETag and ``Last-Modified`` and a
conditional request that finds nothing new gets a 304; the packages are built once per change of
the records, not once per request. An operator who publishes the files elsewhere turns the
endpoint off (``BRIDGE_OCDS_ENDPOINT_ENABLED=false``) and it answers 404.
"""

from __future__ import annotations

import hashlib
from threading import Lock
from typing import Any

from flask import Blueprint, abort, current_app, request

from bridge.exports.publication import (
    PACKAGE_NAMES,
    RecordsState,
    build_packages,
    last_change,
    records_state,
)
from bridge.panel import db
from bridge.settings import Settings

blueprint = Blueprint("open_data", __name__)


class _Built:
    """The last packages built by this panel, and the state of the records they were built
    from."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.key: RecordsState | None = None
        self.files: dict[str, bytes] = {}


def _files() -> dict[str, bytes]:
    """The packages as they stand, rebuilt only when a record changed since the last build;
    none before the first award is exported."""
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    built: _Built = current_app.extensions.setdefault("ocds_packages", _Built())
    session = db()
    key = records_state(session)
    with built.lock:
        if built.key != key:
            packages = build_packages(session, settings)
            built.files = packages.files() if packages else {}
            built.key = key
        return built.files


@blueprint.route("/ocds/<name>")
def package(name: str) -> Any:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    if not settings.ocds_endpoint_enabled or name not in PACKAGE_NAMES:
        abort(404)
    body = _files().get(name)
    if body is None:
        abort(404)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = last_change(db())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
