"""A synthetic BC Digital Marketplace served over loopback HTTP, for benchmarking the bridge.

Why this exists: a full sync is dominated by HTTP round trips (the API has no paging, no change
feed and one ``GET`` per detail), so the only honest benchmark is one over real sockets at real
volumes. The real Node server needs PostgreSQL, Keycloak and a seeded database; the ``responses``
test double skips the network altogether. This module sits in between:

* :func:`generate_marketplace` builds thousands of opportunities, their proposals, users and
  organizations, deterministically from a seed, **in exactly the real API's JSON shape**: every
  opportunity starts as a copy of a captured real response (``tests/fixtures/marketplace``)
  whose values are then replaced, so field names, nesting and quirks (``rank`` as a string in
  CWU lists, ``note: null`` and no ``attachments`` in TWU history, ``updatedBy`` missing after an
  automatic status change, anonymised SWU/TWU proposals during evaluation) are the real ones.
* :class:`MarketplaceServer` serves that data from a ``ThreadingHTTPServer`` on 127.0.0.1 with
  HTTP/1.1 keep-alive, weak ETags and ``304 Not Modified``, exactly the read routes the bridge
  uses. Every body is serialized once, up front, so the server spends its time on sockets rather
  than on ``json.dumps`` and the client is what gets measured.
* :func:`all_read_urls` lists what a full sync reads, for baselines such as
  :func:`benchmarks.baseline_fetch.fetch_all`.

Run ``python -m benchmarks.marketplace`` to serve in a separate process (so that the
server does not share the benchmark's GIL); the same seed regenerates the same data, hence the
same URLs, on the client side.
"""

from benchmarks.marketplace.generate import (
    NOW,
    GeneratedMarketplace,
    all_read_urls,
    generate_marketplace,
    opportunity_slim,
)
from benchmarks.marketplace.serve import MarketplaceServer

__all__ = [
    "NOW",
    "GeneratedMarketplace",
    "MarketplaceServer",
    "all_read_urls",
    "generate_marketplace",
    "opportunity_slim",
]
