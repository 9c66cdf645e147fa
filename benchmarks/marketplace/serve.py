"""Serving a generated marketplace over loopback HTTP.

:class:`MarketplaceServer` serves the data from a ``ThreadingHTTPServer`` on 127.0.0.1 with
HTTP/1.1 keep-alive, weak ETags and ``304 Not Modified``, exactly the read routes the bridge
uses. Every body is serialized once, up front, so the server spends its time on sockets rather
than on ``json.dumps`` and the client is what gets measured.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs

from benchmarks.marketplace.generate import (
    INVALID_ID,
    NOW,
    OPPORTUNITY_NOT_FOUND,
    GeneratedMarketplace,
    JSONDict,
    generate_marketplace,
    history_record,
    iso,
    opportunity_slim,
    ordered,
    user_slim,
)
from tests.fakes.world import KINDS, PERMISSION_DENIED, PRE_EVALUATION, weak_etag

_JSON_TYPE: Final = "application/json; charset=utf-8"
_REASONS: Final = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_LEADING_INT: Final = re.compile(r"\s*([+-]?\d+)")


@dataclass(frozen=True, slots=True)
class _Response:
    """A whole pre-rendered HTTP response (head and body), and its 304 twin for a 200."""

    full: bytes
    not_modified: bytes | None
    etag: str


def _render(status: int, body: bytes, content_type: str = _JSON_TYPE) -> _Response:
    etag = weak_etag(body)
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"ETag: {etag}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode("latin-1")
    not_modified = None
    if status == 200:  # a 304 has no body, hence no Content-Length
        not_modified = (
            f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: keep-alive\r\n\r\n"
        ).encode("latin-1")
    return _Response(head + body, not_modified, etag)


def _json(status: int, payload: Any) -> _Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return _render(status, body)


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as Express does it: ``W/`` prefixes are ignored, ``*`` matches."""
    bare = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def _page_number(raw: str) -> tuple[int, list[str]]:
    """The API's ``validateNumber(raw || 0, 1)``: JS ``parseInt`` semantics, minimum 1."""
    match = _LEADING_INT.match(raw or "0")
    if match is None:
        return 0, ["Please enter a valid number."]
    value = int(match.group(1))
    if value < 1:
        return value, ["Please enter a number greater than or equal to 1."]
    return value, []


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # never block interpreter exit on a client that keeps a connection
    request_queue_size = 128  # a burst of new connections from a wide client pool must not RST
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: MarketplaceServer) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is normal at the end of a benchmark; anything else
        # is a bug in this module and should be seen.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Responses go out in one write, so Nagle only adds latency.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.app._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.app._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: logging every request would cost more than serving it."""

    def do_GET(self) -> None:
        response = self.server.app._answer(self.path, self.headers.get("If-None-Match"))
        if self.server.app.latency_seconds:
            time.sleep(self.server.app.latency_seconds)
        self.wfile.write(response)

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # keep the connection in sync for the next request
        self.server.app._count()
        self.wfile.write(_json(404, ["Not found."]).full)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _refuse  # noqa: N815


class MarketplaceServer:
    """Serve a :class:`GeneratedMarketplace` on 127.0.0.1 from a background thread.

    Use as a context manager (``with MarketplaceServer(data) as server: server.base_url``).
    The socket is bound and every body pre-rendered in ``__init__``; ``start`` only launches
    the serving thread. Requests are answered as an ADMIN session would see them.
    """

    def __init__(
        self,
        data: GeneratedMarketplace | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_seconds: float = 0.0,
    ) -> None:
        self.data = data if data is not None else generate_marketplace()
        # Time each answer waits before it is sent: the network and the real server's own
        # work, which loopback and pre-rendered bodies leave out.
        self.latency_seconds = latency_seconds
        self._count_lock = threading.Lock()
        self._served = 0
        self._touch_lock = threading.Lock()
        self._touches = 0
        self._touch_rng = random.Random(f"touch-{self.data.seed}")
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None

        self._static: dict[str, _Response] = {}
        self._proposal_lists: dict[str, dict[str, _Response]] = {kind: {} for kind in KINDS}
        self._organization_pages: dict[tuple[int, int], _Response] = {}
        self._render_all()
        self._httpd = _HTTPServer((host, port), self)

    # lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="marketplace-server",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop serving and drop idle keep-alive connections (their threads would linger)."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        with self._connections_lock:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()

    def __enter__(self) -> MarketplaceServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # counters

    @property
    def requests_served(self) -> int:
        """Requests answered so far (any method, any status, 304s included)."""
        with self._count_lock:
            return self._served

    def reset_requests_served(self) -> int:
        """Zero the counter; returns its value before, for per-run accounting."""
        with self._count_lock:
            served, self._served = self._served, 0
            return served

    # changes between benchmark runs

    def touch(self, kind: str, opportunity_id: str, *, edit: bool = True) -> None:
        """Change one opportunity as an ADMIN would, and re-render what that changes.

        Adds an addendum (not on drafts, which the API refuses) and, with ``edit``, an edit:
        a new version, so ``updatedAt``/``updatedBy`` move. Without ``edit`` only the addendum
        is added, and ``updatedAt`` stays put exactly as in the real API, which is the case a
        sync that trusts ``updatedAt`` misses. Each touch happens one minute after the last.
        The real API refuses edits after PUBLISHED; here any status may be touched, for
        convenience.
        """
        with self._touch_lock:
            detail = self.data.opportunities[kind][opportunity_id]
            self._touches += 1
            moment = NOW + timedelta(minutes=self._touches)
            admin = user_slim(self.data.session["user"])
            new_history: list[JSONDict] = []

            def new_id() -> str:
                return str(uuid.UUID(int=self._touch_rng.getrandbits(128), version=4))

            if detail["status"] != "DRAFT":
                added = moment + timedelta(milliseconds=1)
                detail["addenda"].append(
                    {
                        "id": new_id(),
                        "opportunity": opportunity_id,
                        "createdAt": iso(added),
                        "description": f"Addendum (benchmark change {self._touches}).",
                        "createdBy": admin,
                    }
                )
                new_history.append(
                    history_record(
                        kind, new_id(), opportunity_id, added, "event", "ADDENDUM_ADDED", admin, ""
                    )
                )
            if edit:
                new_history.append(
                    history_record(
                        kind, new_id(), opportunity_id, moment, "event", "EDITED", admin, ""
                    )
                )
                detail["updatedAt"] = iso(moment)
                detail["updatedBy"] = admin
                detail["description"] += f"\n\nRevised ({self._touches})."
            detail["history"] = [*new_history, *detail["history"]]
            detail = ordered(kind, detail)
            self.data.opportunities[kind][opportunity_id] = detail
            self._render_opportunity(kind, opportunity_id)
            self._static[f"/api/opportunities/{kind}"] = _json(200, self.data.list_items(kind))

    # rendering

    def _render_all(self) -> None:
        data = self.data
        self._static["/status"] = _render(200, b"OK", "text/plain; charset=utf-8")
        self._static["/api/sessions/current"] = _json(200, data.session)
        self._static["/api/users"] = _json(200, data.users)
        for kind in KINDS:
            self._static[f"/api/opportunities/{kind}"] = _json(200, data.list_items(kind))
            for opp_id in data.opportunities[kind]:
                self._render_opportunity(kind, opp_id)
        for org in data.organizations:
            self._static[f"/api/organizations/{org['id']}"] = _json(200, org)
        for page in range(1, max(1, math.ceil(len(data.organizations) / 100)) + 1):
            self._organization_page(page, 100)
        self._empty_list = _json(200, [])
        self._permission_denied = _json(401, PERMISSION_DENIED)
        self._opportunity_not_found = _json(404, OPPORTUNITY_NOT_FOUND)
        self._invalid_id = _json(400, INVALID_ID)
        self._not_found = _json(404, ["Not found."])

    def _render_opportunity(self, kind: str, opp_id: str) -> None:
        detail = self.data.opportunities[kind][opp_id]
        self._static[f"/api/opportunities/{kind}/{opp_id}"] = _json(200, detail)
        proposals = self.data.proposals[kind].get(opp_id)
        if proposals:
            slim = opportunity_slim(kind, detail)
            for proposal in proposals:
                proposal["opportunity"] = slim
            self._proposal_lists[kind][opp_id] = _json(200, proposals)

    def _organization_page(self, page: int, page_size: int) -> _Response:
        response = self._organization_pages.get((page, page_size))
        if response is None:  # a race only renders the same page twice
            response = _json(200, self.data.organization_page(page, page_size))
            self._organization_pages[(page, page_size)] = response
        return response

    # serving (called from handler threads)

    def _opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def _count(self) -> None:
        with self._count_lock:
            self._served += 1

    def _answer(self, target: str, if_none_match: str | None) -> bytes:
        self._count()
        path, _, query = target.partition("?")
        response = self._static.get(path) or self._route(path, query)
        if (
            if_none_match
            and response.not_modified is not None
            and _etag_matches(if_none_match, response.etag)
        ):
            return response.not_modified
        return response.full

    def _route(self, path: str, query: str) -> _Response:
        parts = path.split("/")
        if len(parts) == 4 and parts[1:3] == ["api", "proposals"] and parts[3] in KINDS:
            return self._proposals(parts[3], query)
        if path == "/api/organizations":
            return self._organizations(query)
        if len(parts) == 5 and parts[1:3] == ["api", "opportunities"] and parts[3] in KINDS:
            return self._opportunity_not_found if _is_uuid(parts[4]) else self._invalid_id
        if len(parts) == 4 and parts[1:3] == ["api", "organizations"]:
            return self._not_found if _is_uuid(parts[3]) else self._invalid_id
        return self._not_found

    def _proposals(self, kind: str, query: str) -> _Response:
        opp_id = parse_qs(query).get("opportunity", [""])[0]
        response = self._proposal_lists[kind].get(opp_id)
        if response is not None:
            return response
        detail = self.data.opportunities[kind].get(opp_id)
        if detail is None or detail["status"] in PRE_EVALUATION:
            return self._permission_denied  # the real 401 before the deadline
        return self._empty_list

    def _organizations(self, query: str) -> _Response:
        params = parse_qs(query)
        page, errors = _page_number(params.get("page", [""])[0])
        if errors:
            return _json(400, {"page": errors})
        page_size, errors = _page_number(params.get("pageSize", [""])[0])
        if errors:
            return _json(400, {"pageSize": errors})
        return self._organization_page(page, page_size)
