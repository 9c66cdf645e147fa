"""An HTTPS webhook: one JSON POST per delivery, signed with HMAC-SHA256.

Headers: ``Idempotency-Key`` (the receiver drops a key it has seen: a retry after a lost answer
is a repeat, not a second award), ``X-GC-Bridge-Timestamp`` (Unix seconds) and
``X-GC-Bridge-Signature: sha256=<hex>``, the HMAC of ``<timestamp>.<body>``. The body holds the
idempotency key and the batch too, so everything a receiver acts on is signed; a receiver
rejects a timestamp more than ``TOLERANCE`` away from its clock, so a captured request cannot be
replayed later (``verify`` is the receiving side, for procurement's systems). A 2xx answer means
delivered; anything else, a redirect included (it is never followed), or no answer, is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import requests

from bridge.clock import utcnow
from bridge.exports.delivery import Item

SIGNATURE_HEADER = "X-GC-Bridge-Signature"
TIMESTAMP_HEADER = "X-GC-Bridge-Timestamp"
TOLERANCE = timedelta(minutes=5)


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, given: str) -> bool:
    """What a receiver checks: the signature, in constant time, and a timestamp within
    ``TOLERANCE`` of now."""
    try:
        sent = float(timestamp)
    except ValueError:
        return False
    fresh = abs(utcnow().timestamp() - sent) <= TOLERANCE.total_seconds()
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), given)


def body_of(item: Item, batch: str) -> bytes:
    document = {"idempotency_key": item.idempotency_key, "batch": batch, **item.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookSink:
    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        timeout: float = 20.0,
        http: requests.Session | None = None,
    ) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout
        self.http = http or requests.Session()

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        outcomes: dict[int, str | None] = {}
        for item in items:
            body = body_of(item, batch)
            timestamp = str(int(utcnow().timestamp()))
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": item.idempotency_key,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            }
            try:
                answer = self.http.post(
                    self.url,
                    data=body,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as problem:
                outcomes[item.delivery_id] = f"no answer: {type(problem).__name__}"
                continue
            if 300 <= answer.status_code < 400:
                outcomes[item.delivery_id] = (
                    f"HTTP {answer.status_code}: redirects are not followed"
                )
            elif not 200 <= answer.status_code < 300:
                outcomes[item.delivery_id] = f"HTTP {answer.status_code}"
            else:
                outcomes[item.delivery_id] = None
        return outcomes
