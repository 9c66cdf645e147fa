"""Serve a generated marketplace in this process: ``python -m benchmarks.marketplace``
(in a separate process, so that the server does not share the benchmark's GIL; the same seed
regenerates the same data, hence the same URLs, on the client side)."""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.marketplace.generate import generate_marketplace
from benchmarks.marketplace.serve import MarketplaceServer


def main(argv: list[str] | None = None) -> None:
    """Serve a generated marketplace in this process until interrupted."""
    parser = argparse.ArgumentParser(description="Serve a generated marketplace over HTTP.")
    parser.add_argument("--cwu", type=int, default=5000)
    parser.add_argument("--swu", type=int, default=500)
    parser.add_argument("--twu", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate_marketplace(args.cwu, args.swu, args.twu, args.seed)
    with MarketplaceServer(data, port=args.port, latency_seconds=args.latency_ms / 1000) as server:
        print(f"generated and rendered in {time.perf_counter() - started:.2f}s", flush=True)
        print(json.dumps(data.status_counts()), flush=True)
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
