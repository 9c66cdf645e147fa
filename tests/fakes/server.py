"""The fake marketplace behind a real HTTP server on loopback, for tests that run the bridge as
a separate process (scheduler, signals) where ``responses`` cannot reach."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.fakes.loopback import QuietHandler, serving
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import BASE_URL


@contextmanager
def serve(fake: FakeMarketplace, delay_seconds: float = 0.0) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1 (ephemeral port); yields the base URL to configure."""

    class Handler(QuietHandler):
        def _answer(self) -> None:
            if delay_seconds:
                time.sleep(delay_seconds)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            prepared = requests.Request(
                self.command,
                f"{BASE_URL}{self.path}",
                headers=dict(self.headers),
                data=body,
            ).prepare()
            try:
                status, headers, payload = fake._dispatch(prepared)
            except Exception:  # an injected network failure: drop the connection
                self.close_connection = True
                return
            data = payload.encode() if isinstance(payload, str) else payload
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = _answer  # noqa: N815

    with serving(Handler) as url:
        yield url
