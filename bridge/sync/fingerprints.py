"""Stable hashes that tell a real change from a re-read of the same record.

The marketplace has no change feed and its ``updatedAt`` misses addenda and notes, so the sync
compares what it reads with what it stored. View counters and the caller's ``subscribed`` flag
change on every read and say nothing about the record, so they are left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

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


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(record: BaseModel) -> dict[str, Any]:
    """The record as the marketplace spells it, minus what changes on every read."""
    return record.model_dump(mode="json", by_alias=True, exclude=VOLATILE_FIELDS)


def record_fingerprint(record: BaseModel) -> str:
    return digest(canonical(record))


def content_hash(record: OpportunityModel) -> str:
    """Hash of what an author writes: a change here is a new version of the opportunity."""
    dumped = record.model_dump(mode="json")
    return digest({name: dumped.get(name) for name in CONTENT_FIELDS if name in dumped})
