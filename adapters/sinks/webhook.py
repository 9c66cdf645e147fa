"""An HTTPS webhook: one JSON POST per delivery, signed with HMAC-SHA256 over the exact body.

Headers: ``Idempotency-Key`` (the receiver drops a key it has seen: a retry after a lost answer
is a repeat, not a second award), ``X-GC-Bridge-Signature: sha256=<hex>`` and
``X-GC-Bridge-Batch``. A 2xx answer means delivered; anything else, or no answer, is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import requests

from bridge.exports.delivery import Item

SIGNATURE_HEADER = "X-GC-Bridge-Signature"


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def body_of(item: Item) -> bytes:
    document = {"idempotency_key": item.idempotency_key, **item.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, secret: bytes, *, timeout: float = 20.0,
                 http: requests.Session | None = None) -> None:  # fmt: skip
        self.url, self.secret, self.timeout = url, secret, timeout
        self.http = http or requests.Session()

    def deliver(self, batch: str, items: list[Item]) -> dict[int, str | None]:
        outcomes: dict[int, str | None] = {}
        for item in items:
            body = body_of(item)
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": item.idempotency_key,
                SIGNATURE_HEADER: signature(self.secret, body),
                "X-GC-Bridge-Batch": batch,
            }
            try:
                answer = self.http.post(self.url, data=body, headers=headers, timeout=self.timeout)
            except requests.RequestException as problem:
                outcomes[item.delivery_id] = f"no answer: {type(problem).__name__}"
                continue
            ok = 200 <= answer.status_code < 300
            outcomes[item.delivery_id] = None if ok else f"HTTP {answer.status_code}"
        return outcomes
