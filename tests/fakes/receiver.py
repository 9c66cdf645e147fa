"""A webhook receiver on loopback, as procurement's system would run one: it checks the HMAC
signature, drops repeats by idempotency key, and can be told to fail, stall or lose its answer."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from adapters.sinks.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.fakes.loopback import QuietHandler, serving


@dataclass
class Receiver:
    secret: bytes
    # What to do with the next requests: "fail" (500), "stall" (answer too late), "ok".
    script: deque[str] = field(default_factory=deque)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    repeats: int = 0
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            action = self.script.popleft() if self.script else "ok"
        if action == "fail":
            return 500
        given, timestamp = headers.get(SIGNATURE_HEADER, ""), headers.get(TIMESTAMP_HEADER, "")
        if not verify(self.secret, timestamp, body, given):
            self.bad_signatures += 1
            return 401
        key = headers["Idempotency-Key"]
        with self.lock:
            if key in self.accepted:
                self.repeats += 1
            else:
                self.accepted[key] = json.loads(body)
        if action == "stall":
            time.sleep(1.5)  # taken, but the answer comes after the sender gave up
        return 200


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            status = receiver.handle(dict(self.headers), self.rfile.read(length))
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender stopped waiting

    with serving(Handler, "/awards") as url:
        yield url
