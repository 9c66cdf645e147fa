"""A marketplace test double built from the real captured responses.

It answers through ``responses`` exactly the routes the bridge calls, with the real quirks:
weak ETags and 304s, 401 for proposal lists before evaluation, 404 arrays for unknown ids,
``null`` for an unknown session. Tests change its state (edit, add an addendum, award, delete)
and inject failures (status codes, timeouts, malformed bodies) on chosen requests.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import responses

from tests.fakes.world import (
    API,
    AWARDED,
    FIXTURES,
    KINDS,
    PERMISSION_DENIED,
    PRE_EVALUATION,
    weak_etag,
)

# The fields of each kind's list item, in the order the real lists give them.
SLIM_FIELDS = {
    "code-with-us": [
        "id",
        "createdAt",
        "updatedAt",
        "title",
        "teaser",
        "remoteOk",
        "location",
        "reward",
        "proposalDeadline",
        "status",
    ],
    "sprint-with-us": [
        "id",
        "createdAt",
        "updatedAt",
        "title",
        "teaser",
        "remoteOk",
        "location",
        "totalMaxBudget",
        "proposalDeadline",
        "status",
    ],
    "team-with-us": [
        "id",
        "createdAt",
        "updatedAt",
        "title",
        "teaser",
        "remoteOk",
        "location",
        "maxBudget",
        "proposalDeadline",
        "status",
    ],
}

# The latest state of every opportunity the capture created, as an ADMIN reads it.
FIXTURE_DETAILS = {
    "code-with-us": [
        "cwu-opportunity.detail.AWARDED.admin.json",
        "cwu-opportunity.detail.PUBLISHED-no-proposals.admin.json",
        "cwu-opportunity.detail.DRAFT-minimal.admin.json",
        "cwu-opportunity.detail.CANCELED.anonymous.json",
        "cwu-opportunity.create-under-review.gov.201.json",
        "cwu-opportunity.detail.PUBLISHED-with-attachment.vendor.json",
    ],
    "sprint-with-us": ["swu-opportunity.detail.PUBLISHED.anonymous.json"],
    "team-with-us": ["twu-opportunity.detail.PUBLISHED.anonymous.json"],
}
FIXTURE_PROPOSALS = {
    ("code-with-us", AWARDED): ("cwu-proposals.list-for-opportunity.AWARDED.admin.json"),
}


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


Reply = tuple[int, dict[str, str], str | bytes]


@dataclass
class Failure:
    """An answer (or exception) to give instead of the real one, ``times`` times."""

    method: str
    pattern: re.Pattern[str]
    times: int
    reply: Reply | Exception | Callable[[requests.PreparedRequest], Reply]


@dataclass
class FakeMarketplace:
    opportunities: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    proposals: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    organization_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    session: Any = None
    requests_seen: list[tuple[str, str]] = field(default_factory=list)
    commands: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    clock: int = 0

    @classmethod
    def from_fixtures(cls) -> FakeMarketplace:
        fake = cls(session=load_fixture("session-current.admin.json"))
        for kind, names in FIXTURE_DETAILS.items():
            for name in names:
                detail = load_fixture(name)
                fake.opportunities[kind][detail["id"]] = detail
        for key, name in FIXTURE_PROPOSALS.items():
            fake.proposals[key] = load_fixture(name)
        fake.users = load_fixture("users.list.admin.json")
        fake.organizations = load_fixture("organizations.list-paged.admin.json")["items"]
        return fake

    # Routing ----------------------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        pattern = re.compile(re.escape(API) + r"/.*")
        for method in ("GET", "PUT", "POST", "DELETE"):
            mock.add_callback(method, pattern, callback=self._dispatch)

    def _dispatch(self, request: requests.PreparedRequest) -> Reply:
        method = request.method or "GET"
        url = request.url or ""
        path = url[len(API) :].split("?")[0]
        self.requests_seen.append((method, path))
        injected = self._injected(method, path, request)
        if injected is not None:
            return injected
        if method == "GET":
            status, body = self._read(path, _query(url))
            return self._json(status, body, request)
        if method == "PUT":
            status, body = self._command(path, json.loads(request.body or b"{}"))
            return self._json(status, body, None)
        return 404, {"Content-Type": "text/html"}, "Cannot " + method

    def _injected(self, method: str, path: str, request: requests.PreparedRequest) -> Reply | None:
        for failure in list(self.failures):
            if failure.method == method and failure.pattern.search(path):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                if isinstance(failure.reply, Exception):
                    raise failure.reply
                if callable(failure.reply):
                    return failure.reply(request)
                return failure.reply
        return None

    def fail(
        self,
        path_regex: str,
        reply: Reply | Exception | Callable[[requests.PreparedRequest], Reply],
        *,
        times: int = 1,
        method: str = "GET",
    ) -> None:
        """Answer the next ``times`` matching requests with ``reply`` instead."""
        self.failures.append(Failure(method, re.compile(path_regex), times, reply))

    def _json(self, status: int, body: Any, request: requests.PreparedRequest | None) -> Reply:
        payload = json.dumps(body).encode()
        etag = weak_etag(payload)
        headers = {"Content-Type": "application/json; charset=utf-8", "ETag": etag}
        if request is not None and status == 200 and request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return status, headers, payload

    def _read(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if parts == ["sessions", "current"]:
            return 200, self.session
        if parts == ["users"]:
            return 200, self.users
        if parts[0] == "organizations":
            return self._organizations(parts, query)
        if parts[0] == "opportunities" and len(parts) in (2, 3) and parts[1] in KINDS:
            kind = parts[1]
            if len(parts) == 2:
                return 200, [self.slim(kind, item) for item in self.opportunities[kind].values()]
            detail = self.opportunities[kind].get(parts[2])
            return (200, detail) if detail else (404, ["Opportunity not found."])
        if parts[0] == "proposals" and len(parts) == 2 and parts[1] in KINDS:
            return self._proposals(parts[1], query.get("opportunity", ""))
        return 404, ["Not found."]

    def _organizations(self, parts: list[str], query: dict[str, str]) -> tuple[int, Any]:
        if len(parts) == 2:
            detail = self.organization_details.get(parts[1])
            return (200, detail) if detail else (404, ["Organization not found."])
        if "page" not in query:
            return 400, {"page": ["Please enter a number greater than or equal to 1."]}
        page, size = int(query["page"]), int(query.get("pageSize", "10"))
        pages = -(-len(self.organizations) // size)
        items = self.organizations[(page - 1) * size : page * size]
        return 200, {"page": page, "pageSize": size, "numPages": pages, "items": items}

    def _proposals(self, kind: str, opportunity_id: str) -> tuple[int, Any]:
        detail = self.opportunities[kind].get(opportunity_id)
        if detail is None:
            return 404, ["Opportunity not found."]
        if detail["status"] in PRE_EVALUATION:
            return 401, PERMISSION_DENIED
        return 200, self.proposals.get((kind, opportunity_id), [])

    def _command(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "opportunities" or parts[1] not in KINDS:
            return 404, {"notFound": ["Not found."]}
        kind, opportunity_id = parts[1], parts[2]
        detail = self.opportunities[kind].get(opportunity_id)
        if detail is None:
            return 404, {"notFound": ["The specified opportunity does not exist."]}
        self.commands.append((kind, opportunity_id, body))
        tag = body.get("tag")
        value: Any = body.get("value")
        if tag == "publish":
            if detail["status"] not in ("DRAFT", "UNDER_REVIEW"):
                return 401, {"permissions": PERMISSION_DENIED}
            self.set_status(kind, opportunity_id, "PUBLISHED", note=value)
        elif tag == "cancel":
            if detail["status"] in ("DRAFT", "UNDER_REVIEW", "AWARDED", "CANCELED"):
                return 401, {"permissions": PERMISSION_DENIED}
            self.set_status(kind, opportunity_id, "CANCELED", note=value)
        elif tag == "addAddendum":
            self.add_addendum(kind, opportunity_id, str(value))
        elif tag == "addNote":
            self._history(detail, "event", "NOTE_ADDED", note=value["note"])
        elif tag == "edit":
            self.edit(kind, opportunity_id, **value)
        else:
            return 400, {"opportunity": {"tag": "parseFailure"}}
        return 200, self.opportunities[kind][opportunity_id]

    # Views and changes --------------------------------------------------------------------------

    def slim(self, kind: str, detail: dict[str, Any]) -> dict[str, Any]:
        item = {name: detail[name] for name in SLIM_FIELDS[kind] if name in detail}
        item["subscribed"] = False
        for name in ("createdBy", "updatedBy"):
            if name in detail:
                item[name] = detail[name]
        return item

    def _tick(self) -> str:
        self.clock += 1
        return f"2026-11-26T00:00:{self.clock:02d}.000Z"

    def _history(
        self, detail: dict[str, Any], tag: str, value: str, note: str = "", by: str | None = None
    ) -> str:
        """Add a history entry; ``by`` is the e-mail of the account that made it (as the
        marketplace names it in ``createdBy``), ``None`` for an automatic change."""
        moment = self._tick()
        account = next((user for user in self.users if user.get("email") == by), None)
        entry = {
            "id": _uuid(f"history-{detail['id']}-{moment}"),
            "createdAt": moment,
            "opportunity": detail["id"],
            "note": note,
            "createdBy": {"id": account["id"], "name": account["name"], "avatarImageUrl": None}
            if account
            else None,
            "type": {"tag": tag, "value": value},
            "attachments": [],
        }
        detail.setdefault("history", []).insert(0, entry)
        return moment

    def set_status(
        self, kind: str, opportunity_id: str, status: str, note: str = "", by: str | None = None
    ) -> None:
        detail = self.opportunities[kind][opportunity_id]
        detail["status"] = status
        detail["updatedAt"] = self._history(detail, "status", status, note, by)
        if status == "PUBLISHED" and not detail.get("publishedAt"):
            detail["publishedAt"] = detail["updatedAt"]

    def move_author(self, email: str = "author@tbs-sct.gc.ca") -> None:
        """The captured GOV author (``gov@example.invalid``, in no department) writes from
        ``email`` instead: by default from the Treasury Board, which routes their opportunities."""
        for user in self.users:
            if user["email"] == "gov@example.invalid":
                user["email"] = email

    def edit(self, kind: str, opportunity_id: str, **fields: Any) -> None:
        detail = self.opportunities[kind][opportunity_id]
        for name, value in fields.items():
            if name in detail and not name.endswith("Date") and name != "proposalDeadline":
                detail[name] = value
        detail["updatedAt"] = self._history(detail, "event", "EDITED")

    def add_addendum(self, kind: str, opportunity_id: str, text: str) -> None:
        """Like the real one: a new addendum and history event, and ``updatedAt`` unmoved."""
        detail = self.opportunities[kind][opportunity_id]
        moment = self._history(detail, "event", "ADDENDUM_ADDED")
        detail["addenda"].append(
            {
                "id": _uuid(f"addendum-{opportunity_id}-{moment}"),
                "opportunity": opportunity_id,
                "createdAt": moment,
                "description": text,
            }
        )

    def delete(self, kind: str, opportunity_id: str) -> None:
        del self.opportunities[kind][opportunity_id]

    def clone(self, kind: str, opportunity_id: str, new_id: str, **fields: Any) -> dict[str, Any]:
        """A copy of an opportunity under a new id (to build larger data sets)."""
        detail = copy.deepcopy(self.opportunities[kind][opportunity_id])
        detail.update(id=new_id, **fields)
        for entry in detail.get("history") or []:
            entry["id"] = _uuid(f"{new_id}-{entry['id']}")
            entry["opportunity"] = new_id
        for addendum in detail.get("addenda", []):
            addendum["id"] = _uuid(f"{new_id}-{addendum['id']}")
            addendum["opportunity"] = new_id
        self.opportunities[kind][new_id] = detail
        return detail

    def clone_award(
        self, kind: str, opportunity_id: str, new_id: str, **fields: Any
    ) -> dict[str, Any]:
        """A copy of an awarded opportunity with its proposals under new ids: another award."""
        detail = self.clone(kind, opportunity_id, new_id, **fields)
        proposals = copy.deepcopy(self.proposals.get((kind, opportunity_id), []))
        for proposal in proposals:
            proposal["id"] = _uuid(f"{new_id}-{proposal['id']}")
            if isinstance(proposal.get("opportunity"), dict):
                proposal["opportunity"]["id"] = new_id
            elif "opportunity" in proposal:
                proposal["opportunity"] = new_id
        self.proposals[(kind, new_id)] = proposals
        return detail

    def grow(self, kind: str, opportunity_id: str, count: int) -> list[str]:
        """``count`` copies of an opportunity under new ids: a marketplace large enough for
        faults, signals or outages to land among its reads. Returns the new ids."""
        new_ids = [_uuid(f"copy-{opportunity_id}-{number}") for number in range(count)]
        for new_id in new_ids:
            self.clone(kind, opportunity_id, new_id)
        return new_ids

    def count(self, method: str, path_regex: str) -> int:
        pattern = re.compile(path_regex)
        return sum(
            1 for seen in self.requests_seen if seen[0] == method and pattern.search(seen[1])
        )


def _query(url: str) -> dict[str, str]:
    if "?" not in url:
        return {}
    pairs = (part.split("=", 1) for part in url.split("?", 1)[1].split("&") if "=" in part)
    return dict(pairs)


def _uuid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"
