"""Turning the marketplace's answers into typed records, with or without HTTP.

Every answer is checked to be the API's JSON and turned into typed records at once: an item that
does not fit its model comes back as ``Malformed`` (the caller quarantines it), so one bad record
never hides the others. The client decodes what it reads here, and so does the writing process,
which receives the answers' bytes from the reading process and never talks HTTP.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from bridge.marketplace.errors import UnexpectedResponse

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Malformed:
    """A record the marketplace sent that does not fit its model: kept whole for quarantine."""

    record_kind: str
    record_id: str | None
    payload: Any
    error: str


@dataclass(frozen=True)
class NotModified:
    """A conditional GET answered 304: what the caller holds is still current."""

    etag: str


@dataclass(frozen=True)
class Fetched(Generic[ItemT]):
    """A record (or ``Malformed``) together with the validator to send next time."""

    record: ItemT | Malformed
    etag: str | None


@dataclass(frozen=True)
class Listing(Generic[ItemT]):
    """A full list: its well-formed items, the malformed ones, and its validator."""

    items: list[ItemT]
    malformed: list[Malformed]
    etag: str | None


def parse_record(model: type[ModelT], payload: Any, record_kind: str) -> ModelT | Malformed:
    """Validate one payload, or describe why it cannot be used."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        record_id = payload.get("id") if isinstance(payload, dict) else None
        return Malformed(
            record_kind=record_kind,
            record_id=str(record_id) if record_id is not None else None,
            payload=payload,
            error=_describe_validation(exc),
        )


def parse_listing(
    model: type[ModelT], body: Any, record_kind: str, etag: str | None
) -> Listing[ModelT]:
    """Validate a list item by item, so that one malformed item never hides the others."""
    if not isinstance(body, list):
        raise UnexpectedResponse(f"{record_kind}: expected a JSON list, got {type(body).__name__}")
    items: list[ModelT] = []
    malformed: list[Malformed] = []
    for payload in body:
        record = parse_record(model, payload, record_kind)
        (malformed if isinstance(record, Malformed) else items).append(record)  # type: ignore[arg-type]
    return Listing(items=items, malformed=malformed, etag=etag)


def load_json(path: str, content: bytes) -> Any:
    """An answer's JSON with its numbers as ``Decimal`` (money must stay exact)."""
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError as exc:
        raise UnexpectedResponse(f"{path}: the JSON body does not parse ({exc})") from exc


def record_from_json(
    model: type[ModelT], path: str, content: bytes, record_kind: str
) -> ModelT | Malformed:
    """One record straight from the answer's bytes, or ``Malformed`` with its payload.

    Validating the bytes in pydantic's core is about five times cheaper than decoding them to
    Python objects and validating those, which matters when a sync reads thousands of records.
    The two give the same record: the marketplace runs on Node.js, so every number it sends is
    a double written in its shortest form, which a Python float holds exactly. Only a record
    that fails takes the slow way, which keeps its payload whole for the quarantine.
    """
    try:
        return model.model_validate_json(content)
    except ValidationError:
        return parse_record(model, load_json(path, content), record_kind)


def listing_from_json(
    model: type[ModelT], path: str, content: bytes, record_kind: str, etag: str | None
) -> Listing[ModelT]:
    """A whole list from the answer's bytes; if any item fails, item by item (see above)."""
    try:
        items = _list_adapter(model).validate_json(content)
    except ValidationError:
        return parse_listing(model, load_json(path, content), record_kind, etag)
    return Listing(items=items, malformed=[], etag=etag)


@functools.cache
def _list_adapter(model: type[ModelT]) -> TypeAdapter[list[ModelT]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _describe_validation(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False)[:10]:
        where = ".".join(str(part) for part in item["loc"]) or "(record)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Answer:
    """A checked answer of the API: its bytes, decoded only as far as its reader needs.

    The bytes are also the cheapest form to hand to another process, which decodes them again
    far faster than pickle would rebuild a tree of models.
    """

    path: str
    content: bytes
    etag: str | None
    not_modified: bool

    @functools.cached_property
    def body(self) -> Any:
        return None if self.not_modified else load_json(self.path, self.content)

    def record(self, model: type[ModelT], record_kind: str) -> ModelT | Malformed:
        return record_from_json(model, self.path, self.content, record_kind)

    def fetched(self, model: type[ModelT], record_kind: str) -> Fetched[ModelT]:
        return Fetched(record=self.record(model, record_kind), etag=self.etag)

    def listing(self, model: type[ModelT], record_kind: str) -> Listing[ModelT]:
        return listing_from_json(model, self.path, self.content, record_kind, self.etag)
