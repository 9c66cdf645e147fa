"""The marketplace client: retries, conditional reads, sessions, writes and the bounded pool."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests

from bridge.marketplace import commands, models, vocabulary
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.decode import Malformed, NotModified
from bridge.marketplace.errors import (
    MarketplaceUnavailable,
    PermissionDenied,
    Rejected,
    SessionExpired,
    SessionNotAdmin,
    UnexpectedResponse,
    WriteOutcomeUnknown,
)
from bridge.marketplace.retry import RetryPolicy, parse_retry_after
from tests.fakes.marketplace import FakeMarketplace, load_fixture
from tests.fakes.world import AWARDED, CWU, UNDER_REVIEW


def test_the_session_cookie_is_sent_on_every_request(
    client: MarketplaceClient, mocked: object, fake: FakeMarketplace
) -> None:
    import responses

    client.current_session()
    assert isinstance(mocked, responses.RequestsMock)
    assert mocked.calls[-1].request.headers["Cookie"] == "sid=s%3Asession.signature"


def test_an_admin_session_passes_the_health_check(client: MarketplaceClient) -> None:
    assert client.require_admin_session().user.type is vocabulary.UserType.ADMIN


def test_a_null_session_is_expired(client: MarketplaceClient, fake: FakeMarketplace) -> None:
    fake.session = None
    with pytest.raises(SessionExpired, match="Renew the marketplace session"):
        client.require_admin_session()


def test_a_vendor_session_is_refused(client: MarketplaceClient, fake: FakeMarketplace) -> None:
    fake.session = load_fixture("session-current.vendor.json")
    with pytest.raises(SessionNotAdmin, match="VENDOR"):
        client.require_admin_session()


def test_reads_are_retried_with_growing_jittered_delays_then_give_up(
    client: MarketplaceClient, fake: FakeMarketplace, sleeps: list[float]
) -> None:
    fake.fail(r"^/users$", (503, {"Content-Type": "application/json"}, b"[]"), times=10)
    with pytest.raises(MarketplaceUnavailable, match="HTTP 503 after 4 attempts"):
        client.list_users()
    assert len(sleeps) == 3
    assert all(0 <= delay <= cap for delay, cap in zip(sleeps, [0.5, 1.0, 2.0], strict=True))
    assert client.stats.snapshot()["retries_5xx"] == 3


def test_retry_after_is_honoured_in_seconds_and_as_a_date() -> None:
    policy = RetryPolicy(max_seconds=30)
    assert policy.delay(1, "12") == 12
    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 25 Nov 2026 12:00:09 GMT", now=now) == 9
    assert parse_retry_after("soon") is None


def test_a_timeout_then_success_reads_normally(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.fail(r"^/users$", requests.ReadTimeout("slow"), times=2)
    assert len(client.list_users().items) == 5
    assert client.stats.snapshot()["retries_timeout"] == 2


def test_conditional_get_answers_not_modified(client: MarketplaceClient) -> None:
    fetched = client.get_opportunity(CWU, AWARDED)
    assert not isinstance(fetched, NotModified) and fetched.etag
    again = client.get_opportunity(CWU, AWARDED, etag=fetched.etag)
    assert isinstance(again, NotModified)
    listing = client.list_opportunities(CWU)
    assert not isinstance(listing, NotModified)
    assert isinstance(client.list_opportunities(CWU, etag=listing.etag), NotModified)


def test_a_non_json_200_from_an_unknown_path_is_an_error(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.fail(r"^/users$", (200, {"Content-Type": "text/plain"}, b"File Not Found"))
    with pytest.raises(UnexpectedResponse, match="is the marketplace URL right"):
        client.list_users()


def test_an_html_400_for_malformed_json_is_an_error(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.fail(
        r"^/opportunities/",
        (400, {"Content-Type": "text/html"}, b"<pre>SyntaxError: Unexpected token</pre>"),
        method="PUT",
    )
    with pytest.raises(UnexpectedResponse, match="text/html"):
        client.send(CWU, UNDER_REVIEW, commands.Publish(note="ok"))


def test_malformed_list_items_come_back_apart_from_the_good_ones(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.users[1]["type"] = "SUPERUSER"
    listing = client.list_users()
    assert len(listing.items) == 4
    assert [bad.record_id for bad in listing.malformed] == [fake.users[1]["id"]]
    assert isinstance(listing.malformed[0], Malformed) and "type" in listing.malformed[0].error


def test_a_malformed_record_keeps_its_payload_with_exact_numbers(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.opportunities[CWU.value][UNDER_REVIEW]["status"] = "NOT_A_STATUS"
    fake.opportunities[CWU.value][UNDER_REVIEW]["reward"] = 9876.54
    fetched = client.get_opportunity(CWU, UNDER_REVIEW)
    assert not isinstance(fetched, NotModified)
    record = fetched.record
    assert isinstance(record, Malformed) and "status" in record.error
    assert record.record_id == UNDER_REVIEW
    assert record.payload["status"] == "NOT_A_STATUS"
    assert record.payload["reward"] == Decimal("9876.54")
    assert isinstance(record.payload["reward"], Decimal)


def test_a_json_answer_that_does_not_parse_is_an_error(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    whole_but_wrong = b'{"id": "x", "title": tru}'
    fake.fail(
        r"^/opportunities/code-with-us/",
        (200, {"Content-Type": "application/json"}, whole_but_wrong),
    )
    with pytest.raises(UnexpectedResponse, match="does not parse"):
        client.get_opportunity(CWU, UNDER_REVIEW)
    fake.fail(r"^/users$", (200, {"Content-Type": "application/json"}, b"[{]"))
    with pytest.raises(UnexpectedResponse, match="does not parse"):
        client.list_users()


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (requests.exceptions.ChunkedEncodingError("IncompleteRead(120 bytes read)"), "cut_off"),
        (requests.exceptions.ContentDecodingError("incomplete gzip stream"), "cut_off"),
        ((200, {"Content-Type": "application/json"}, b'[{"id": "00000000-'), "cut_off"),
        (requests.ConnectionError(ConnectionResetError(104, "reset by peer")), "connection"),
        (requests.ReadTimeout("stalled"), "timeout"),
        ((503, {"Content-Type": "text/html"}, b"<h1>Service Unavailable</h1>"), "5xx"),
    ],
    ids=["cut-off body", "cut-off compression", "json cut short", "reset", "stall", "503"],
)
def test_every_transient_failure_of_a_read_is_retried(
    client: MarketplaceClient, fake: FakeMarketplace, failure: object, reason: str
) -> None:
    fake.fail(r"^/users$", failure, times=3)  # type: ignore[arg-type]
    assert len(client.list_users().items) == 5
    assert client.stats.snapshot()[f"retries_{reason}"] == 3
    assert fake.count("GET", r"^/users$") == 4


def test_organizations_are_read_page_by_page(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.organizations = [
        {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "legalName": f"Org {index}",
            "active": True,
            "serviceAreas": [
                {"id": 1, "serviceArea": "FULL_STACK_DEVELOPER", "name": "Full-stack"}
            ],
        }
        for index in range(7)
    ]
    pages = list(client.iter_organization_pages(page_size=3))
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert pages[0].items[0].service_areas[0].service_area == "FULL_STACK_DEVELOPER"


def test_tagged_commands_have_the_wire_shape_the_marketplace_expects() -> None:
    assert commands.Publish(note="Approved").body() == {"tag": "publish", "value": "Approved"}
    assert commands.Cancel(note="Split").body() == {"tag": "cancel", "value": "Split"}
    assert commands.AddAddendum(text="More").body() == {"tag": "addAddendum", "value": "More"}
    assert commands.AddNote(note="FR added").body() == {
        "tag": "addNote",
        "value": {"note": "FR added", "attachments": []},
    }


def test_an_edit_keeps_every_field_and_sends_dates_as_vancouver_days() -> None:
    opportunity = models.CWUOpportunity.model_validate(
        load_fixture("cwu-opportunity.detail.AWARDED.admin.json")
    )
    edit = commands.cwu_edit_from(opportunity, title="New title")
    body = edit.body()
    assert body["tag"] == "edit"
    assert body["value"]["title"] == "New title"
    # 2026-12-06T00:00Z is 16:00 on 5 December in Vancouver.
    assert body["value"]["assignmentDate"] == "2026-12-05"
    assert body["value"]["reward"] == 30000
    with pytest.raises(ValueError, match="not editable"):
        commands.cwu_edit_from(opportunity, status="PUBLISHED")


def test_a_command_returns_the_updated_opportunity(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    updated = client.send(CWU, UNDER_REVIEW, commands.Publish(note="Approved"))
    assert updated.status.value == "PUBLISHED"
    assert fake.commands == [
        ("code-with-us", UNDER_REVIEW, {"tag": "publish", "value": "Approved"})
    ]


def test_an_illegal_transition_is_a_401(client: MarketplaceClient) -> None:
    with pytest.raises(PermissionDenied):
        client.send(CWU, AWARDED, commands.Publish(note="again"))


def test_an_unknown_tag_is_rejected(client: MarketplaceClient) -> None:
    class Bogus(commands.Command):
        tag = "bogus"

        def value(self) -> str:
            return ""

    with pytest.raises(Rejected, match="parseFailure"):
        client.send(CWU, AWARDED, Bogus())


@pytest.mark.parametrize(
    "failure",
    [
        requests.ReadTimeout("slow"),
        (502, {"Content-Type": "text/html"}, b"bad gateway"),
        requests.exceptions.ChunkedEncodingError("IncompleteRead(40 bytes read)"),
        (200, {"Content-Type": "application/json"}, b'{"id": "b2e25305-'),
    ],
    ids=["stall", "502", "cut-off body", "json cut short"],
)
def test_a_write_whose_outcome_is_unknown_is_never_retried(
    client: MarketplaceClient, fake: FakeMarketplace, failure: object
) -> None:
    fake.fail(r"^/opportunities/", failure, method="PUT", times=5)  # type: ignore[arg-type]
    with pytest.raises(WriteOutcomeUnknown, match="re-read"):
        client.send(CWU, UNDER_REVIEW, commands.Publish(note="Approved"))
    assert fake.count("PUT", r"^/opportunities/") == 1


def test_a_write_that_never_reached_the_marketplace_is_retried(
    client: MarketplaceClient, fake: FakeMarketplace
) -> None:
    fake.fail(r"^/opportunities/", requests.ConnectTimeout("no route"), method="PUT")
    fake.fail(r"^/opportunities/", (429, {"Retry-After": "1"}, b""), method="PUT")
    assert client.send(CWU, UNDER_REVIEW, commands.Publish()).status.value == "PUBLISHED"
    assert fake.count("PUT", r"^/opportunities/") == 3


def test_parallel_reads_never_exceed_the_pool_size(client: MarketplaceClient) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def work(item: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01)
        with lock:
            active -= 1
        if item == 5:
            raise ValueError("one bad read")
        return item * 2

    results = dict(client.map_concurrent(work, range(40)))
    assert peak <= client.concurrency == 4
    assert isinstance(results.pop(5), ValueError)
    assert results == {item: item * 2 for item in range(40) if item != 5}


def test_proxies_from_the_environment_are_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "")
    client = MarketplaceClient("https://marketplace.example.gc.ca/api", "s%3Ax.y")
    assert client.http.proxies["https"] == "http://proxy.internal:3128"
    assert client.http.trust_env is False
    monkeypatch.setenv("NO_PROXY", "marketplace.example.gc.ca")
    direct = MarketplaceClient("https://marketplace.example.gc.ca/api", "s%3Ax.y")
    assert "https" not in direct.http.proxies
