"""A proxy on loopback that does to requests what a flaky network does to them.

It stands between the bridge and a marketplace served on loopback and, at a set rate, answers a
request with one of the faults seen behind real proxies and load balancers:

- ``503``: the answer of an overloaded upstream;
- ``reset``: the connection reset (TCP RST) without an answer;
- ``stall``: no answer until the client's timeout has passed, then the connection closed;
- ``cut``: the real answer, its headers and ``Content-Length`` whole, its body cut off halfway.

Which requests fail is decided from a seed, the request (method and target) and how many times
that same request was made before, never from the order threads happen to run in: the same
seed gives the same faults to the same runs, so a test of convergence is exact, not lucky.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.fakes.loopback import QuietHandler, serving

FAULT_KINDS = ("503", "reset", "stall", "cut")
# Headers that belong to one connection, not to the answer passed on.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


@dataclass
class FaultPlan:
    """Fail ``rate`` of the requests (0 to 1), in equal shares of ``kinds``."""

    rate: float
    seed: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    stall_seconds: float = 1.0

    def fault_for(self, request: str, occurrence: int) -> str | None:
        """The fault (or none) for the ``occurrence``-th time ``request`` is made."""
        digest = hashlib.sha256(f"{self.seed}|{request}|{occurrence}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.kinds[digest[8] % len(self.kinds)]


@dataclass
class ProxyLog:
    """What went through the proxy: every request, and the faults it answered with."""

    requests: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def occurrence(self, request: str) -> int:
        with self.lock:
            self.requests[request] += 1
            return self.requests[request]

    def fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())

    def matching(self, prefix: str) -> Counter[str]:
        """Requests whose target starts with ``prefix`` (``GET /api/opportunities/``)."""
        with self.lock:
            return Counter({key: n for key, n in self.requests.items() if key.startswith(prefix)})


@contextmanager
def faulty_proxy(upstream: str, plan: FaultPlan) -> Iterator[tuple[str, ProxyLog]]:
    """Serve a proxy to ``upstream`` (``http://127.0.0.1:port``) on loopback; yields its base URL
    and the log of what it passed and broke."""
    target = urlsplit(upstream)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    log = ProxyLog()

    class Handler(QuietHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = f"{self.command} {self.path}"
            fault = plan.fault_for(request, log.occurrence(request))
            if fault is not None:
                log.fault(fault)
            if fault == "503":
                self._reply(503, {"Content-Type": "text/html"}, b"<h1>503 Service Unavailable</h1>")
                return
            if fault == "reset":
                self._reset()
                return
            if fault == "stall":
                time.sleep(plan.stall_seconds)
                self.close_connection = True
                return
            status, headers, payload = self._forward(body)
            if fault == "cut":
                self._reply(status, headers, payload, cut=True)
                return
            self._reply(status, headers, payload)

        def _forward(self, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPConnection(host, port, timeout=30)
            try:
                forwarded = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                connection.request(self.command, self.path, body=body, headers=forwarded)
                answer = connection.getresponse()
                payload = answer.read()
                headers = {k: v for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP}
                return answer.status, headers, payload
            finally:
                connection.close()

        def _reply(
            self, status: int, headers: dict[str, str], payload: bytes, *, cut: bool = False
        ) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if cut:
                # The body stops halfway, then the connection closes in good order (FIN): the
                # client holds fewer bytes than Content-Length promised.
                self.wfile.write(payload[: len(payload) // 2])
                self.close_connection = True
                return
            self.wfile.write(payload)

        def _reset(self) -> None:
            """Close with a TCP reset (linger on, for zero seconds), no answer sent."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        do_GET = do_PUT = do_POST = do_DELETE = _answer  # noqa: N815

    with serving(Handler) as url:
        yield url, log
