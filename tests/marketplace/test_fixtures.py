"""Every real response captured from the marketplace parses into its typed model."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
import responses
from pydantic import BaseModel

from bridge.marketplace import errors, models, vocabulary
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.decode import (
    listing_from_json,
    parse_listing,
    parse_record,
    record_from_json,
)
from bridge.marketplace.retry import RetryPolicy
from tests.fakes.marketplace import load_fixture
from tests.fakes.world import API, FIXTURES

INDEX = load_fixture("index.json")["fixtures"]

ROUTES: list[tuple[str, str, str]] = [
    ("GET", r"/sessions/current", "session"),
    ("GET", r"/opportunities/(?P<kind>[a-z-]+)", "slim-list"),
    ("ANY", r"/opportunities/(?P<kind>[a-z-]+)(/[0-9a-f-]+)?", "detail"),
    ("GET", r"/proposals/(?P<kind>[a-z-]+)", "proposal-list"),
    ("ANY", r"/proposals/(?P<kind>[a-z-]+)(/[0-9a-f-]+)?", "proposal"),
    ("GET", r"/users", "user-list"),
    ("GET", r"/users/[0-9a-f-]+", "user"),
    ("GET", r"/organizations", "organization-page"),
    ("ANY", r"/files(/[0-9a-f-]+)?", "file"),
    ("GET", r"/metrics", "metrics-list"),
    ("GET", r"/content", "content-list"),
    ("GET", r"/content/[a-z-]+", "content"),
]
FIXED_MODELS: dict[str, type[BaseModel]] = {
    "session": models.Session,
    "user": models.User,
    "organization-page": models.OrganizationPage,
    "file": models.FileRecord,
    "metrics": models.Metrics,
    "content": models.Content,
}


def model_for(method: str, path: str) -> tuple[type[BaseModel], bool]:
    """The model of a response body, and whether the body is a list of them."""
    route = path.removeprefix("/api").split("?")[0]
    for route_method, pattern, target in ROUTES:
        match = re.fullmatch(pattern, route)
        if not match or route_method not in (method, "ANY"):
            continue
        is_list = target.endswith("-list")
        name = target.removesuffix("-list")
        if "kind" in match.groupdict():
            kind = vocabulary.OpportunityKind(match.group("kind"))
            by_kind: dict[str, Any] = {
                "slim": models.SLIM_MODELS,
                "detail": models.DETAIL_MODELS,
                "proposal": models.PROPOSAL_MODELS,
            }
            return by_kind[name][kind], is_list
        if name == "content" and is_list:
            return models.ContentSlim, True
        return FIXED_MODELS[name], is_list
    raise AssertionError(f"no model for {method} {path}")


SUCCESSES = [entry for entry in INDEX if entry["status"] < 400]
FAILURES = [entry for entry in INDEX if entry["status"] >= 400]


def test_the_index_names_every_fixture_file() -> None:
    from tests.fakes.world import FIXTURES

    on_disk = {path.name for path in FIXTURES.glob("*.json")} - {"index.json"}
    assert on_disk == {entry["file"] for entry in INDEX}


@pytest.mark.parametrize("entry", SUCCESSES, ids=[entry["file"] for entry in SUCCESSES])
def test_every_successful_response_parses(entry: dict[str, Any]) -> None:
    payload = load_fixture(entry["file"])
    model, is_list = model_for(entry["method"], entry["path"])
    if payload is None:  # sessions/current when anonymous
        assert model is models.Session
        return
    records = payload if is_list else [payload]
    assert isinstance(records, list)
    for record in records:
        parsed = model.model_validate(record)
        if "id" in record:
            assert parsed.model_dump(by_alias=True)["id"] == record["id"]


@pytest.mark.parametrize("entry", SUCCESSES, ids=[entry["file"] for entry in SUCCESSES])
def test_reading_the_bytes_gives_the_same_records_as_reading_exact_decimals(
    entry: dict[str, Any],
) -> None:
    """The client validates answers straight from their bytes, for speed: nothing may differ,
    not even how a number is written (fingerprints are taken of the records' JSON)."""
    content = (FIXTURES / entry["file"]).read_bytes()
    exact = json.loads(content, parse_float=Decimal)
    if exact is None:
        return
    model, is_list = model_for(entry["method"], entry["path"])
    if is_list:
        fast = listing_from_json(model, entry["path"], content, "record", None)
        slow = parse_listing(model, exact, "record", None)
        assert fast.items and not fast.malformed  # the fast path, not its fallback
        pairs: list[tuple[Any, Any]] = list(zip(fast.items, slow.items, strict=True))
    else:
        fast_record = model.model_validate_json(content)  # the fast path itself
        slow_record = parse_record(model, exact, "record")
        assert record_from_json(model, entry["path"], content, "record") == fast_record
        pairs = [(fast_record, slow_record)]
    for fast_item, slow_item in pairs:
        assert isinstance(slow_item, BaseModel)
        assert fast_item == slow_item
        assert fast_item.model_dump_json() == slow_item.model_dump_json()


def test_numbers_as_the_marketplace_writes_them_read_the_same_both_ways() -> None:
    """Node.js writes every number as a double in its shortest form, and so does Python."""
    detail = load_fixture("cwu-opportunity.detail.AWARDED.admin.json")
    for reward in (0.1, 1234.56, 9999.99, 30000, 99999999999.99, 0.07):
        detail["reward"] = reward
        content = json.dumps(detail).encode()
        fast = models.CWUOpportunity.model_validate_json(content)
        slow = models.CWUOpportunity.model_validate(json.loads(content, parse_float=Decimal))
        assert fast.model_dump_json() == slow.model_dump_json(), reward
        assert str(fast.reward) == json.dumps(reward)


EXPECTED_ERROR = {
    400: errors.Rejected,
    401: errors.PermissionDenied,
    404: errors.NotFound,
    409: errors.Conflict,
}


@pytest.mark.parametrize("entry", FAILURES, ids=[entry["file"] for entry in FAILURES])
def test_every_error_response_becomes_a_typed_error_with_its_messages(
    entry: dict[str, Any],
) -> None:
    payload = load_fixture(entry["file"])
    messages = models.error_messages(payload)
    assert messages and all(isinstance(message, str) and message for message in messages)
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET, re.compile(re.escape(API) + ".*"), json=payload, status=entry["status"]
        )
        client = MarketplaceClient(API, "s%3Ax.y", retry=RetryPolicy(sleep=lambda _: None))
        with pytest.raises(EXPECTED_ERROR[entry["status"]]) as raised:
            client._get(entry["path"].removeprefix("/api/"))
    assert raised.value.status == entry["status"]
    assert raised.value.messages == messages


def test_rank_is_a_string_in_lists_and_a_number_in_details() -> None:
    listed = load_fixture("cwu-proposals.list-for-opportunity.AWARDED.admin.json")[0]
    detail = load_fixture("cwu-proposal.detail.AWARDED.admin.json")
    assert listed["rank"] == "1" and detail["rank"] == 1
    assert models.CWUProposal.model_validate(listed).rank == 1
    assert models.CWUProposal.model_validate(detail).rank == 1


def test_team_with_us_history_has_null_notes_and_no_attachments() -> None:
    detail = models.TWUOpportunity.model_validate(
        load_fixture("twu-opportunity.detail.PUBLISHED.anonymous.json")
    )
    assert detail.history is not None
    assert detail.history[0].note is None and detail.history[0].attachments == []


def test_history_may_be_absent() -> None:
    payload = load_fixture("cwu-opportunity.detail.PUBLISHED.vendor.json")
    assert "history" not in payload
    assert models.CWUOpportunity.model_validate(payload).history is None


def test_money_is_decimal_and_each_kind_names_its_own_amount() -> None:
    cwu = models.CWUOpportunity.model_validate(
        load_fixture("cwu-opportunity.detail.AWARDED.admin.json")
    )
    swu = models.SWUOpportunity.model_validate(
        load_fixture("swu-opportunity.detail.PUBLISHED.anonymous.json")
    )
    twu = models.TWUOpportunity.model_validate(
        load_fixture("twu-opportunity.detail.PUBLISHED.anonymous.json")
    )
    assert [str(cwu.amount), str(swu.amount), str(twu.amount)] == ["30000", "1500000", "450000"]


def test_error_messages_flatten_nested_validation_bodies() -> None:
    body = load_fixture("error.cwu-proposal.create-validation.400.json")
    assert models.error_messages(body) == [
        "proponent: legalName: Legal Name must be between 1 and 100 characters long.",
        "proponent: email: Please enter a valid email.",
    ]
