"""The baseline a faster sync has to beat: plain ``requests`` on a thread pool.

Why: before optimising the bridge's reads we need to know what the straightforward approach
costs against the same server and URL list: one ``requests.Session`` whose connection pool is as
wide as the thread pool, the three opportunity lists read first (a sync needs them to decide
what else to read), then everything else with ``concurrency`` requests in flight. Bodies are read
in full and dropped, so parsing and storage are not part of the number.

``python -m benchmarks.baseline_fetch`` generates the marketplace, serves it in this process and
prints one measurement; with ``--base-url`` it measures against a server already running (for
instance ``python -m benchmarks.marketplace`` in another process, same seed and sizes),
so that server and client do not share a GIL.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

from benchmarks.marketplace import MarketplaceServer, all_read_urls, generate_marketplace

__all__ = ["LIST_PATHS", "FetchStats", "fetch_all"]

# Read first and one at a time: everything else depends on them.
LIST_PATHS = frozenset(
    f"/api/opportunities/{kind}" for kind in ("code-with-us", "sprint-with-us", "team-with-us")
)

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class FetchStats:
    """One measured run: wall-clock seconds, requests made, response body bytes received."""

    elapsed_seconds: float
    requests: int
    total_bytes: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed_seconds if self.elapsed_seconds else 0.0


def fetch_all(
    base_url: str, urls: list[str], concurrency: int, *, trust_env: bool = True
) -> FetchStats:
    """GET every URL (relative to ``base_url``) and time it; any non-2xx answer raises.

    The list URLs among ``urls`` are read first, sequentially; the rest go through a
    ``ThreadPoolExecutor(max_workers=concurrency)`` sharing one session, whose pool keeps
    ``concurrency`` keep-alive connections so no worker waits for or re-opens a connection.
    ``trust_env=False`` skips requests' per-request scan of the environment for proxy and
    netrc settings, which on loopback costs about as much as the request itself.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    base = base_url.rstrip("/")
    lists = [url for url in urls if url.partition("?")[0] in LIST_PATHS]
    rest = [url for url in urls if url.partition("?")[0] not in LIST_PATHS]

    session = requests.Session()
    session.trust_env = trust_env
    adapter = HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    session.mount("https://", adapter)

    def get(url: str) -> int:
        response = session.get(base + url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return len(response.content)

    try:
        started = time.perf_counter()
        total = sum(get(url) for url in lists)
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            total += sum(pool.map(get, rest))
        elapsed = time.perf_counter() - started
    finally:
        session.close()
    return FetchStats(elapsed_seconds=elapsed, requests=len(lists) + len(rest), total_bytes=total)


def main(argv: list[str] | None = None) -> None:
    """Print one baseline measurement (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Baseline full-read timing.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--base-url", help="an already running server (same seed and sizes)")
    parser.add_argument("--cwu", type=int, default=5000)
    parser.add_argument("--swu", type=int, default=500)
    parser.add_argument("--twu", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-trust-env", action="store_true", help="session.trust_env = False")
    args = parser.parse_args(argv)

    trust_env = not args.no_trust_env
    data = generate_marketplace(args.cwu, args.swu, args.twu, args.seed)
    urls = all_read_urls(data)
    if args.base_url:
        stats = fetch_all(args.base_url, urls, args.concurrency, trust_env=trust_env)
    else:
        with MarketplaceServer(data) as server:
            stats = fetch_all(server.base_url, urls, args.concurrency, trust_env=trust_env)
    print(
        f"{stats.requests} requests, {stats.total_bytes / 1e6:.1f} MB in "
        f"{stats.elapsed_seconds:.2f}s ({stats.requests_per_second:.0f} req/s) "
        f"at concurrency {args.concurrency}"
    )


if __name__ == "__main__":
    main()
