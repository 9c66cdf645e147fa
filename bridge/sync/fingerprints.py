"""Stable hashes that tell a real change from a re-read of the same record.

The marketplace has no change feed and its ``updatedAt`` misses addenda and notes, so the sync
compares what it reads with what it stored. View counters and the caller's ``subscribed`` flag
change on every read and say nothing about the record, so they are left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from bridge.db.types import SerializedJSON

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bridge.marketplace.models import OpportunityModel

VOLATILE_FIELDS: dict[str, Any] = {"subscribed": True, "reporting": {"num_views", "num_watchers"}}

CONTENT_FIELDS = (
    "title",
    "teaser",
    "description",
    "location",
    "remote_ok",
    "remote_desc",
    "submission_info",
    "acceptance_criteria",
    "evaluation_criteria",
    "skills",
    "mandatory_skills",
    "optional_skills",
    "reward",
    "total_max_budget",
    "max_budget",
    "proposal_deadline",
    "assignment_date",
    "start_date",
    "completion_date",
    "implementation_phase",
    "inception_phase",
    "prototype_phase",
    "resources",
)

CONTENT_FIELD_SET: set[str] = set(CONTENT_FIELDS)  # pydantic takes a set, not a frozenset


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(record: BaseModel) -> dict[str, Any]:
    """The record as the marketplace spells it, minus what changes on every read."""
    return record.model_dump(mode="json", by_alias=True, exclude=VOLATILE_FIELDS)


def canonical_json(record: BaseModel) -> SerializedJSON:
    """``canonical`` as JSON text, serialized once for both the fingerprint and the column."""
    return SerializedJSON(record.model_dump_json(by_alias=True, exclude=VOLATILE_FIELDS))


def fingerprint_of(text: str) -> str:
    """The fingerprint of a record's ``canonical_json``."""
    return hashlib.sha256(text.encode()).hexdigest()


def record_fingerprint(record: BaseModel) -> str:
    return fingerprint_of(canonical_json(record))


def content_hash(record: OpportunityModel) -> str:
    """Hash of what an author writes: a change here is a new version of the opportunity."""
    return fingerprint_of(record.model_dump_json(include=CONTENT_FIELD_SET))
