"""A synthetic BC Digital Marketplace's data, generated in the real API's JSON shape.

:func:`generate_marketplace` builds thousands of opportunities, their proposals, users and
organizations, deterministically from a seed, **in exactly the real API's JSON shape**: every
opportunity starts as a copy of a captured real response (``tests/fixtures/marketplace``) whose
values are then replaced, so field names, nesting and quirks (``rank`` as a string in CWU lists,
``note: null`` and no ``attachments`` in TWU history, ``updatedBy`` missing after an automatic
status change, anonymised SWU/TWU proposals during evaluation) are the real ones.
:func:`all_read_urls` lists what a full sync reads, for baselines such as
:func:`benchmarks.baseline_fetch.fetch_all`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Final, NamedTuple

from tests.fakes.world import CWU, FIXTURES, KINDS, PRE_EVALUATION, SWU, TWU

JSONDict = dict[str, Any]

# Authors work in GC departments (the shipped configuration's domains), so the rules route
# their opportunities and approval requests open, as on the GC's fork.
GC_DOMAINS: Final = ("tbs-sct.gc.ca", "ssc-spc.gc.ca", "hrsdc-rhdcc.gc.ca", "statcan.gc.ca")

# The captured real responses every generated body is modelled on.
FIXTURES_DIR: Final = Path(
    os.environ.get(
        "MARKETPLACE_FIXTURES_DIR",
        str(FIXTURES),
    )
)


# "Now" for the generated world: fixed (the fixtures' capture date) so that a seed always gives
# byte-identical bodies. Datetimes in this module are naive and mean UTC.
NOW: Final = datetime(2026, 11, 25)

EVALUATION_STATUS: Final[dict[str, str]] = {
    CWU: "EVALUATION",
    SWU: "EVAL_QUESTIONS_INDIVIDUAL",
    TWU: "EVAL_QUESTIONS_INDIVIDUAL",
}
# Status records between the start of evaluation and the award, per kind (API reference §5, 7, 8).
_AWARD_CHAIN: Final[dict[str, tuple[str, ...]]] = {
    CWU: ("PROCESSING", "AWARDED"),
    SWU: ("EVAL_QUESTIONS_CONSENSUS", "EVAL_CC", "EVAL_SCENARIO", "PROCESSING", "AWARDED"),
    TWU: ("EVAL_QUESTIONS_CONSENSUS", "EVAL_C", "PROCESSING", "AWARDED"),
}
_PROPOSAL_REVIEW_STATUS: Final[dict[str, str]] = {
    CWU: "UNDER_REVIEW",
    SWU: "UNDER_REVIEW_QUESTIONS",
    TWU: "UNDER_REVIEW_QUESTIONS",
}

# (detail template, list template) per kind. SWU/TWU details were only captured anonymously;
# the ADMIN-only fields (subscribed, createdBy, updatedBy) are added in the order the ADMIN
# create responses give them.
_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    CWU: ("cwu-opportunity.detail.AWARDED.admin.json", "cwu-opportunities.list.admin.json"),
    SWU: (
        "swu-opportunity.detail.PUBLISHED.anonymous.json",
        "swu-opportunities.list.anonymous.json",
    ),
    TWU: ("twu-opportunity.detail.PUBLISHED.anonymous.json", "twu-opportunities.list.admin.json"),
}
_KEY_ORDER_SOURCES: Final[dict[str, str]] = {
    CWU: "cwu-opportunity.detail.AWARDED.admin.json",
    SWU: "swu-opportunity.create-published.admin.201.json",
    TWU: "twu-opportunity.create-published.admin.201.json",
}
_ADMIN_SLIM_FIELDS: Final = ("subscribed", "createdBy", "updatedBy")

# Status mix per kind (the rest is PUBLISHED); the evaluation status is per kind.
_STATUS_SHARES: Final = (
    ("AWARDED", 0.25),
    ("CANCELED", 0.05),
    ("<evaluation>", 0.10),
    ("DRAFT", 0.10),
    ("UNDER_REVIEW", 0.05),
)

OPPORTUNITY_NOT_FOUND: Final = ["Opportunity not found."]
INVALID_ID: Final = ["Invalid identifier provided."]

# TWU service areas as the ``serviceAreas`` table holds them (id, enum value, label).
_SERVICE_AREAS: Final[tuple[JSONDict, ...]] = (
    {"id": 1, "serviceArea": "FULL_STACK_DEVELOPER", "name": "Full Stack Developer"},
    {"id": 2, "serviceArea": "DATA_PROFESSIONAL", "name": "Data Professional"},
    {"id": 3, "serviceArea": "AGILE_COACH", "name": "Agile Coach"},
    {"id": 4, "serviceArea": "DEVOPS_SPECIALIST", "name": "DevOps Specialist"},
    {"id": 5, "serviceArea": "SERVICE_DESIGNER", "name": "Service Designer"},
)

# Word pools for the generated texts --------------------------------------------------------------

_FIRST = (
    "Avery",
    "Blake",
    "Camille",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonah",
    "Kiran",
    "Lena",
    "Marc",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
)
_LAST = (
    "Anderson",
    "Bouchard",
    "Chen",
    "Dhillon",
    "Evans",
    "Fraser",
    "Gagnon",
    "Hughes",
    "Ito",
    "Johal",
    "Kowalski",
    "Leblanc",
    "MacLeod",
    "Nguyen",
    "Okafor",
    "Patel",
    "Roy",
    "Singh",
    "Tremblay",
    "Underwood",
    "Vasquez",
    "Wong",
    "Young",
    "Zhang",
)
_BUSINESS_SUFFIXES = ("Consulting", "Digital", "Labs", "Software Ltd.", "& Associates", "Inc.")
_ORG_WORDS = (
    "Cedar",
    "Coastal",
    "Granite",
    "Harbour",
    "Kelp",
    "Maple",
    "Northern",
    "Orca",
    "Pacific",
    "Raven",
    "Salmon",
    "Spruce",
    "Summit",
    "Tidal",
    "Alpine",
    "Fraser",
    "Island",
    "Prairie",
)
_ORG_NOUNS = ("Systems", "Works", "Data", "Code", "Cloud", "Design", "Logic", "Studio", "Group")
_MINISTRIES = (
    "the Ministry of Citizens' Services",
    "the Ministry of Health",
    "the Ministry of Forests",
    "BC Wildfire Service",
    "the Ministry of Transportation",
    "the Ministry of Education",
    "the Ministry of Finance",
    "the Environmental Assessment Office",
    "BC Parks",
    "the Ministry of Agriculture",
    "the Office of the Chief Information Officer",
)
_VERBS = (
    "Build",
    "Modernize",
    "Migrate",
    "Prototype",
    "Maintain",
    "Audit",
    "Redesign",
    "Automate",
    "Integrate",
    "Extend",
    "Harden",
    "Document",
)
_SUBJECTS = (
    "permit application portal",
    "open data catalogue",
    "case management API",
    "licence renewal service",
    "mobile inspection app",
    "reporting dashboard",
    "search service",
    "identity integration",
    "form builder",
    "notification service",
    "GIS map viewer",
    "grant intake workflow",
    "records retention tool",
    "data pipeline",
)
_SENTENCES = (
    "The current system was built in 2012 and is hard to change safely.",
    "Users have asked for plain-language error messages and keyboard navigation.",
    "The team works in two-week sprints and demos every second Thursday.",
    "All code will be released under the Apache 2.0 licence on GitHub.",
    "Data must stay in Canada and be encrypted at rest and in transit.",
    "The service must meet WCAG 2.1 AA and work on low-bandwidth connections.",
    "A product owner is available for questions three days a week.",
    "Existing automated tests cover about forty percent of the code.",
    "The work includes a hand-over session with the operations team.",
    "Peak traffic happens during the spring application intake.",
    "We prefer small, reviewable pull requests over large drops of code.",
    "Deployment is on OpenShift with GitHub Actions for CI.",
)
_DELIVERABLES = (
    "a documented REST API with OpenAPI descriptions",
    "automated tests for every new endpoint",
    "an accessible front end built with the BC design system",
    "a migration script with a rollback plan",
    "monitoring dashboards and alerts",
    "a short architecture decision record for each major choice",
    "a deployment pipeline that runs on every merge",
    "a load test showing the service handles peak traffic",
    "user documentation in plain language",
)
_SKILLS = (
    "Python",
    "PostgreSQL",
    "React",
    "TypeScript",
    "Node.js",
    "Java",
    "Go",
    "Kubernetes",
    "OpenShift",
    "Terraform",
    "Django",
    "Flask",
    "GraphQL",
    "Accessibility",
    "UX Design",
    "Agile",
    "DevOps",
    "SQL",
    "Docker",
    "Azure",
)
_CITIES = ("Victoria", "Vancouver", "Kelowna", "Kamloops", "Prince George", "Nanaimo", "Surrey")
_CANCEL_NOTES = (
    "Budget withdrawn.",
    "Requirements changed; a new opportunity will be posted.",
    "Work completed internally.",
)
_SWU_WEIGHTS = ((25, 25, 40, 10), (20, 30, 35, 15), (30, 20, 30, 20))
_TWU_WEIGHTS = ((25, 65, 10), (30, 55, 15), (20, 60, 20))
_TEAM_QUESTIONS = (
    "Describe your team.",
    "How will you keep the product owner informed?",
    "Describe a similar product you delivered.",
)
_RESOURCE_QUESTIONS = (
    "Describe your experience.",
    "How do you approach onboarding to an existing code base?",
    "Describe a time you improved a team's delivery practices.",
)


# Fixtures and small helpers ---------------------------------------------------------------------


@cache
def _fixture_text(name: str) -> str:
    return (FIXTURES_DIR / name).read_text(encoding="utf-8")


def _fixture(name: str) -> Any:
    """A fresh deep copy of a captured body (``json.loads`` is ~10x faster than deepcopy)."""
    return json.loads(_fixture_text(name))


@cache
def _detail_key_order(kind: str) -> tuple[str, ...]:
    """Field order of an ADMIN detail; SWU/TWU award info sits where CWU's does."""
    keys = list(_fixture(_KEY_ORDER_SOURCES[kind]))
    if "successfulProponent" not in keys:
        keys.insert(keys.index("publishedAt") + 1, "successfulProponent")
    return tuple(keys)


@cache
def _slim_fields(kind: str) -> tuple[str, ...]:
    """Field order of an ADMIN list item: the captured list item plus the ADMIN-only fields."""
    keys = list(_fixture(_TEMPLATES[kind][1])[0])
    keys += [key for key in _ADMIN_SLIM_FIELDS if key not in keys]
    return tuple(keys)


def iso(moment: datetime) -> str:
    """The API's date format: ISO 8601 UTC with milliseconds and ``Z``."""
    return moment.isoformat(timespec="milliseconds") + "Z"


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


@cache
def _pacific_4pm(day: date) -> datetime:
    """16:00 America/Vancouver on ``day`` in UTC, as the API snaps every date input.

    The North American DST rule is applied by hand so the result does not depend on whether
    the machine has tzdata.
    """
    dst = _nth_sunday(day.year, 3, 2) <= day < _nth_sunday(day.year, 11, 1)
    return datetime(day.year, day.month, day.day, 16) + timedelta(hours=7 if dst else 8)


def user_slim(user: JSONDict) -> JSONDict:
    return {"id": user["id"], "name": user["name"], "avatarImageFile": None}


def ordered(kind: str, detail: JSONDict) -> JSONDict:
    """``detail`` with its keys in the real ADMIN order (unknown keys kept, at the end)."""
    order = _detail_key_order(kind)
    result = {key: detail[key] for key in order if key in detail}
    for key, value in detail.items():
        result.setdefault(key, value)
    return result


def history_record(
    kind: str,
    record_id: str,
    opportunity_id: str,
    moment: datetime,
    tag: str,
    value: str,
    by: JSONDict | None,
    note: str,
) -> JSONDict:
    """One history entry; TWU's have ``note: null`` when blank and no ``attachments``."""
    record: JSONDict = {
        "id": record_id,
        "createdAt": iso(moment),
        "opportunity": opportunity_id,
        "note": None if kind == TWU and not note else note,
        "createdBy": by,
        "type": {"tag": tag, "value": value},
    }
    if kind != TWU:
        record["attachments"] = []
    return record


def opportunity_slim(kind: str, detail: JSONDict) -> JSONDict:
    """The list item (as an ADMIN reads the list) for an opportunity detail."""
    return {key: detail[key] for key in _slim_fields(kind) if key in detail}


def organization_slim(organization: JSONDict) -> JSONDict:
    """An organization as an ADMIN reads it in the paged list (and embedded in proposals)."""
    return {
        "id": organization["id"],
        "legalName": organization["legalName"],
        "owner": organization["owner"],
        "acceptedTWUTerms": organization["acceptedTWUTerms"],
        "acceptedSWUTerms": organization["acceptedSWUTerms"],
        "possessAllCapabilities": organization["possessAllCapabilities"],
        "possessOneServiceArea": organization["possessOneServiceArea"],
        "active": organization["active"],
        "numTeamMembers": organization["numTeamMembers"],
        "serviceAreas": organization["serviceAreas"],
    }


# The generated world --------------------------------------------------------------------------


@dataclass
class GeneratedMarketplace:
    """Everything the fake marketplace serves, as the JSON an ADMIN session reads.

    ``opportunities[kind][id]`` is the detail body, in list order; ``proposals[kind][id]`` the
    proposal list body of each opportunity that has proposals visible to an ADMIN (always one
    in evaluation or later). :meth:`MarketplaceServer.touch` mutates these in place.
    """

    seed: int
    opportunities: dict[str, dict[str, JSONDict]]
    proposals: dict[str, dict[str, list[JSONDict]]]
    users: list[JSONDict]
    organizations: list[JSONDict]
    session: JSONDict

    def list_items(self, kind: str) -> list[JSONDict]:
        """The body of ``GET /api/opportunities/<kind>`` (full list, no paging)."""
        return [opportunity_slim(kind, detail) for detail in self.opportunities[kind].values()]

    def organization_page(self, page: int, page_size: int) -> JSONDict:
        """The body of ``GET /api/organizations?page=&pageSize=``, with the real quirk that a
        page past the end silently answers page 1."""
        count = len(self.organizations)
        num_pages = math.ceil(count / page_size)
        if page > num_pages:
            page = 1
        start = (page - 1) * page_size
        items = [organization_slim(org) for org in self.organizations[start : start + page_size]]
        return {"page": page, "pageSize": page_size, "numPages": num_pages, "items": items}

    def status_counts(self) -> dict[str, dict[str, int]]:
        """How many opportunities of each kind are in each status."""
        return {
            kind: dict(Counter(d["status"] for d in details.values()).most_common())
            for kind, details in self.opportunities.items()
        }

    def proposal_count(self) -> int:
        return sum(len(items) for by_id in self.proposals.values() for items in by_id.values())


class _Event(NamedTuple):
    moment: datetime
    tag: str  # "status" or "event"
    value: str
    by: JSONDict | None  # UserSlim; None for the automatic close
    note: str


class _Builder:
    """Holds the seeded Random and the people every opportunity refers to."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.session: JSONDict = _fixture("session-current.admin.json")
        self.users: list[JSONDict] = _fixture("users.list.admin.json")
        self.admin: JSONDict = next(u for u in self.users if u["type"] == "ADMIN")
        if self.admin["id"] != self.session["user"]["id"]:
            raise ValueError("the admin session fixture and the users fixture disagree")
        self.admin_slim = user_slim(self.admin)
        self.gov = [u for u in self.users if u["type"] == "GOV" and u["idpId"] != "migration_user"]
        self.vendors = [u for u in self.users if u["type"] == "VENDOR"]
        self.slims: dict[str, JSONDict] = {u["id"]: user_slim(u) for u in self.users}
        self.business: dict[str, str] = {
            u["id"]: f"Vendor {n} Ltd." for n, u in enumerate(self.vendors, start=1)
        }
        self.organizations: list[JSONDict] = []

    # primitives

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def days(self, low: float, high: float) -> timedelta:
        """A random duration between ``low`` and ``high`` days, millisecond resolution."""
        return timedelta(
            milliseconds=self.rng.randrange(int(low * 86_400_000), int(high * 86_400_000))
        )

    def between(self, start: datetime, end: datetime) -> datetime:
        span = int((end - start).total_seconds() * 1000)
        return start + timedelta(milliseconds=self.rng.randrange(span)) if span > 1 else start

    def person(self) -> tuple[str, str]:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        return f"{first} {last}", f"{first.lower()}.{last.lower()}"

    def description(self, verb: str, subject: str, ministry: str) -> str:
        rng = self.rng
        context = " ".join(rng.sample(_SENTENCES, 2))
        deliverables = "\n".join(f"- {item}" for item in rng.sample(_DELIVERABLES, 3))
        constraints = " ".join(rng.sample(_SENTENCES, 2))
        return (
            f"## Context\n{ministry[0].upper()}{ministry[1:]} runs a {subject} used by "
            f"{rng.randrange(200, 90_000):,} people across British Columbia. {context}\n\n"
            f"## What we need\nWe want to {verb.lower()} the {subject}. You will deliver:\n"
            f"{deliverables}\n\n## Constraints\n{constraints}"
        )

    # people

    def add_users(self, n_gov: int, n_vendors: int) -> None:
        """Add GOV users (authors of opportunities) and VENDOR users to the captured ones."""
        gov_template, vendor_template = self.gov[0], self.vendors[0]
        added: list[JSONDict] = []
        for index in range(n_gov):
            name, handle = self.person()
            user = dict(gov_template)
            user.update(
                id=self.uuid(),
                name=name,
                email=f"{handle}@{GC_DOMAINS[index % len(GC_DOMAINS)]}",
                jobTitle=self.rng.choice(("Product Owner", "Manager", "Analyst", "Director")),
                idpUsername=handle.replace(".", ""),
                idpId=handle.replace(".", ""),
                capabilities=[],
            )
            self.gov.append(user)
            added.append(user)
        for _ in range(n_vendors):
            name, handle = self.person()
            accepted = iso(NOW - self.days(1, 900))
            user = dict(vendor_template)
            user.update(
                id=self.uuid(),
                name=name,
                email=f"{handle}@example.invalid",
                acceptedTermsAt=accepted,
                lastAcceptedTermsAt=accepted,
                idpUsername=handle.replace(".", "-"),
                idpId=handle.replace(".", "-"),
                capabilities=[],
            )
            self.vendors.append(user)
            added.append(user)
            last = name.split()[-1]
            self.business[user["id"]] = f"{last} {self.rng.choice(_BUSINESS_SUFFIXES)}"
        self.users += added
        self.slims.update({u["id"]: user_slim(u) for u in added})

    def add_organizations(self, n: int) -> None:
        """Organizations owned by vendors, sorted by legal name as the API orders them."""
        rng = self.rng
        names: set[str] = set()
        while len(names) < n:
            names.add(
                f"{rng.choice(_ORG_WORDS)} {rng.choice(_ORG_NOUNS)} "
                f"{rng.choice(('Inc.', 'Ltd.', 'Corp.'))}"
            )
        owners = rng.sample(self.vendors, min(n, len(self.vendors)))
        for index, legal_name in enumerate(sorted(names)):
            owner = owners[index % len(owners)]
            created = NOW - self.days(60, 1500)
            areas = sorted(
                rng.sample(_SERVICE_AREAS, rng.choice((0, 1, 1, 2, 3))), key=lambda a: a["id"]
            )
            slug = re.sub(r"[^a-z]+", "", legal_name.lower())
            self.organizations.append(
                {
                    "id": self.uuid(),
                    "createdAt": iso(created),
                    "updatedAt": iso(self.between(created, NOW)),
                    "legalName": legal_name,
                    "streetAddress1": f"{rng.randrange(1, 2000)} {rng.choice(_ORG_WORDS)} St",
                    "streetAddress2": "",
                    "city": rng.choice(_CITIES),
                    "region": "BC",
                    "mailCode": f"V{rng.randrange(10)}{rng.choice('ABCEGHJKLMNPRSTVXY')} "
                    f"{rng.randrange(10)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randrange(10)}",
                    "country": "Canada",
                    "contactName": owner["name"],
                    "contactEmail": f"contact@{slug}.example.invalid",
                    "contactTitle": rng.choice(("CEO", "Partner", "Director")),
                    "contactPhone": f"250-555-{rng.randrange(10_000):04d}",
                    "websiteUrl": f"https://{slug}.example.invalid",
                    "active": True,
                    "deactivatedOn": None,
                    "deactivatedBy": None,
                    "acceptedSWUTerms": iso(self.between(created, NOW))
                    if rng.random() < 0.8
                    else None,
                    "acceptedTWUTerms": iso(self.between(created, NOW))
                    if rng.random() < 0.7
                    else None,
                    "serviceAreas": areas,
                    "possessAllCapabilities": rng.random() < 0.7,
                    "possessOneServiceArea": bool(areas),
                    "history": [],
                    "numTeamMembers": rng.randrange(1, 12),
                    "owner": self.slims[owner["id"]],
                }
            )

    # opportunities

    def status_plan(self, kind: str, n: int) -> list[str]:
        plan: list[str] = []
        for status, share in _STATUS_SHARES:
            value = EVALUATION_STATUS[kind] if status == "<evaluation>" else status
            plan += [value] * round(n * share)
        plan = plan[:n] + ["PUBLISHED"] * max(0, n - len(plan))
        self.rng.shuffle(plan)
        return plan

    def opportunity(self, kind: str, status: str) -> tuple[JSONDict, list[JSONDict] | None]:
        """One opportunity detail (and its proposal list, if it has one) in ``status``."""
        rng = self.rng
        opp_id = self.uuid()
        evaluation = EVALUATION_STATUS[kind]
        by_admin = status != "UNDER_REVIEW" and rng.random() < 0.3
        creator = self.admin if by_admin else rng.choice(self.gov)
        creator_slim = self.slims[creator["id"]]

        # Key moments. Closed ones are old, open ones recent; everything is before NOW.
        published: datetime | None = None
        if status in ("DRAFT", "UNDER_REVIEW"):
            created = NOW - self.days(0.1, 90)
            deadline = _pacific_4pm((NOW + self.days(14, 90)).date())
        else:
            if status == "PUBLISHED":
                deadline = _pacific_4pm((NOW + self.days(2, 60)).date())
                published = NOW - self.days(0.05, 30)
            elif status == evaluation:
                deadline = _pacific_4pm((NOW - self.days(3, 30)).date())
                published = deadline - self.days(14, 45)
            else:  # AWARDED, CANCELED
                deadline = _pacific_4pm((NOW - self.days(60, 720)).date())
                published = deadline - self.days(14, 45)
            direct = by_admin and rng.random() < 0.7  # created straight as PUBLISHED
            created = published if direct else published - self.days(1, 20)

        events: list[_Event] = []
        if created == published:
            events.append(_Event(created, "status", "PUBLISHED", creator_slim, ""))
        else:
            events.append(_Event(created, "status", "DRAFT", creator_slim, ""))
            drafted_until = published or NOW
            if status != "DRAFT" and not by_admin:
                review = self.between(created, drafted_until)
                events.append(
                    _Event(review, "status", "UNDER_REVIEW", creator_slim, "Please review.")
                )
                drafted_until = review
            if rng.random() < 0.4:
                events.append(
                    _Event(
                        self.between(created, drafted_until), "event", "EDITED", creator_slim, ""
                    )
                )
            if published is not None:
                note = "" if by_admin else "Approved and published."
                events.append(_Event(published, "status", "PUBLISHED", self.admin_slim, note))

        evaluated_at: datetime | None = None
        closed_at = min(deadline, NOW)
        if (
            status == evaluation
            or status == "AWARDED"
            or (status == "CANCELED" and rng.random() < 0.5)
        ):
            evaluated_at = deadline + timedelta(milliseconds=rng.randrange(60_000, 3_600_000))
            events.append(
                _Event(evaluated_at, "status", evaluation, None, "This opportunity has closed.")
            )
        awarded_at: datetime | None = None
        if status == "AWARDED" and evaluated_at is not None:
            moment = evaluated_at
            for step in _AWARD_CHAIN[kind]:
                moment += self.days(0.01, 3) if step == "AWARDED" else self.days(1, 8)
                note = (
                    "Automatically moved to Processing as all proposals have been evaluated."
                    if step == "PROCESSING" and kind == CWU
                    else ""
                )
                events.append(_Event(moment, "status", step, self.admin_slim, note))
            awarded_at = moment
        if status == "CANCELED":
            if evaluated_at is not None:
                canceled_at = evaluated_at + self.days(1, 14)
            else:
                assert published is not None
                canceled_at = self.between(
                    published + timedelta(hours=1), deadline - timedelta(hours=1)
                )
                closed_at = canceled_at
            events.append(
                _Event(
                    canceled_at, "status", "CANCELED", self.admin_slim, rng.choice(_CANCEL_NOTES)
                )
            )

        # Addenda: not on drafts; between publication (or review) and the close.
        addenda: list[JSONDict] = []
        if status != "DRAFT":
            opened = published or next(e.moment for e in events if e.value == "UNDER_REVIEW")
            for number in range(1, rng.randint(0, 2) + 1):
                moment = self.between(opened, closed_at)
                author = rng.choice((self.admin_slim, creator_slim))
                addenda.append(
                    {
                        "id": self.uuid(),
                        "opportunity": opp_id,
                        "createdAt": iso(moment),
                        "description": f"Addendum {number}: {rng.choice(_SENTENCES)}",
                        "createdBy": author,
                    }
                )
                events.append(_Event(moment, "event", "ADDENDUM_ADDED", author, ""))
            addenda.sort(key=lambda a: str(a["createdAt"]))

        events.sort(key=lambda e: e.moment, reverse=True)
        history = [
            history_record(kind, self.uuid(), opp_id, e.moment, e.tag, e.value, e.by, e.note)
            for e in events
        ]
        # updatedAt = latest version or status record; addenda and notes do not move it.
        latest = next(e for e in events if e.tag == "status" or e.value == "EDITED")

        detail: JSONDict = _fixture(_TEMPLATES[kind][0])
        verb, subject, ministry = rng.choice(_VERBS), rng.choice(_SUBJECTS), rng.choice(_MINISTRIES)
        city = rng.choice(_CITIES)
        remote = rng.random() < 0.6
        detail.update(
            id=opp_id,
            createdAt=iso(created),
            updatedAt=iso(latest.moment),
            title=f"{verb} the {subject} for {ministry}",
            teaser=f"{ministry[0].upper()}{ministry[1:]} needs help to "
            f"{verb.lower()} its {subject}.",
            remoteOk=remote,
            location=city,
            proposalDeadline=iso(deadline),
            status=status,
            remoteDesc="Remote work is fine; occasional meetings in Victoria." if remote else "",
            description=self.description(verb, subject, ministry),
            assignmentDate=iso(_pacific_4pm((deadline + self.days(3, 10)).date())),
            subscribed=rng.random() < 0.02,
            history=history,
            createdBy=creator_slim,
            updatedBy=latest.by,
            attachments=[],
            addenda=addenda,
        )
        if published is not None:
            detail["publishedAt"] = iso(published)
        else:
            detail.pop("publishedAt", None)
        if latest.by is None:  # the automatic close has no author, so no updatedBy either
            del detail["updatedBy"]
        if kind == CWU:
            self.fill_cwu(detail, deadline)
        elif kind == SWU:
            self.fill_swu(detail, created, creator_slim)
        else:
            self.fill_twu(detail, created, creator_slim)

        detail.pop("successfulProponent", None)  # set again below for the awarded ones
        proposals: list[JSONDict] | None = None
        if evaluated_at is not None:
            assert published is not None
            proposals = self.proposals(kind, detail, published, deadline, evaluated_at, awarded_at)
        if status in ("DRAFT", "UNDER_REVIEW"):
            detail.pop("reporting", None)
        else:
            if proposals is not None:
                submitted = len(proposals)
            else:
                submitted = rng.randint(0, 6) if status == "PUBLISHED" else 0
            detail["reporting"] = {
                "numViews": rng.randrange(3000),
                "numWatchers": rng.randrange(40),
                "numProposals": submitted,
            }
        detail = ordered(kind, detail)
        if proposals is not None:
            slim = opportunity_slim(kind, detail)
            for proposal in proposals:
                proposal["opportunity"] = slim
        return detail, proposals

    def fill_cwu(self, detail: JSONDict, deadline: datetime) -> None:
        rng = self.rng
        assignment = _pacific_4pm((deadline + self.days(3, 10)).date())
        start = _pacific_4pm((assignment + self.days(3, 14)).date())
        completion = _pacific_4pm((start + self.days(30, 180)).date())
        detail.update(
            reward=rng.randrange(2, 141) * 500,
            skills=rng.sample(_SKILLS, rng.randint(1, 5)),
            assignmentDate=iso(assignment),
            startDate=iso(start),
            completionDate=iso(completion) if rng.random() < 0.9 else None,
            submissionInfo=f"github.com/bcgov/{rng.choice(_SUBJECTS).replace(' ', '-')}",
            acceptanceCriteria="All tests pass; code merged; " + rng.choice(_DELIVERABLES) + ".",
            evaluationCriteria="Quality of proposal and relevant experience. "
            + rng.choice(_SENTENCES),
        )
        if rng.random() < 0.1:
            blob = base64.b64encode(rng.getrandbits(160).to_bytes(20, "big")).decode("ascii")
            detail["attachments"] = [
                {
                    "name": "statement-of-work.pdf",
                    "id": self.uuid(),
                    "createdAt": detail["createdAt"],
                    "fileBlob": blob,
                }
            ]

    def panel(self, creator_slim: JSONDict) -> list[JSONDict]:
        member = next((g for g in self.gov if g["id"] == creator_slim["id"]), None)
        if member is None:
            member = self.rng.choice(self.gov)
        return [
            {
                "chair": order == 0,
                "evaluator": True,
                "order": order,
                "user": {
                    "id": user["id"],
                    "name": user["name"],
                    "avatarImageFile": None,
                    "email": user["email"],
                },
            }
            for order, user in enumerate((self.admin, member))
        ]

    def questions(
        self, template: JSONDict, texts: tuple[str, ...], created: str, by: JSONDict
    ) -> list[JSONDict]:
        count = self.rng.randint(1, len(texts))
        return [
            {**template, "question": text, "order": order, "createdAt": created, "createdBy": by}
            for order, text in enumerate(texts[:count])
        ]

    def fill_swu(self, detail: JSONDict, created: datetime, by: JSONDict) -> None:
        rng = self.rng
        total = rng.randrange(10, 501) * 10_000
        deadline = datetime.fromisoformat(detail["proposalDeadline"][:-1])
        skills = rng.sample(_SKILLS, rng.randint(2, 6))
        split = rng.randint(1, len(skills) - 1)
        weights = rng.choice(_SWU_WEIGHTS)
        start = _pacific_4pm((deadline + self.days(14, 30)).date())
        phase = detail["implementationPhase"]
        phase.update(
            startDate=iso(start),
            completionDate=iso(_pacific_4pm((start + self.days(90, 365)).date())),
            maxBudget=total,
            createdAt=iso(created),
            createdBy=by,
        )
        for capability in phase["requiredCapabilities"]:
            capability.update(createdAt=iso(created), createdBy=by)
        detail.update(
            totalMaxBudget=total,
            mandatorySkills=skills[:split],
            optionalSkills=skills[split:],
            questionsWeight=weights[0],
            codeChallengeWeight=weights[1],
            scenarioWeight=weights[2],
            priceWeight=weights[3],
            evaluationPanel=self.panel(by),
            minTeamMembers=rng.randint(2, 5),
            teamQuestions=self.questions(
                detail["teamQuestions"][0], _TEAM_QUESTIONS, iso(created), by
            ),
        )

    def fill_twu(self, detail: JSONDict, created: datetime, by: JSONDict) -> None:
        rng = self.rng
        deadline = datetime.fromisoformat(detail["proposalDeadline"][:-1])
        start = _pacific_4pm((deadline + self.days(14, 30)).date())
        weights = rng.choice(_TWU_WEIGHTS)
        template = detail["resources"][0]
        resources = []
        for order, area in enumerate(rng.sample(_SERVICE_AREAS, rng.randint(1, 3))):
            skills = rng.sample(_SKILLS, rng.randint(1, 4))
            resources.append(
                {
                    **template,
                    "id": self.uuid(),
                    "serviceArea": area["serviceArea"],
                    "targetAllocation": rng.choice((50, 75, 100)),
                    "mandatorySkills": skills[:1],
                    "optionalSkills": skills[1:],
                    "order": order,
                }
            )
        detail.update(
            maxBudget=rng.randrange(5, 201) * 10_000,
            questionsWeight=weights[0],
            challengeWeight=weights[1],
            priceWeight=weights[2],
            startDate=iso(start),
            completionDate=iso(_pacific_4pm((start + self.days(90, 365)).date())),
            evaluationPanel=self.panel(by),
            resourceQuestions=self.questions(
                detail["resourceQuestions"][0], _RESOURCE_QUESTIONS, iso(created), by
            ),
            resources=resources,
        )

    # proposals

    def scores(self, n: int) -> list[float | int]:
        """``n`` distinct plausible percentages with at most one decimal, as the UI enters them."""
        return [s // 10 if s % 10 == 0 else s / 10 for s in self.rng.sample(range(400, 1000), n)]

    def proposals(
        self,
        kind: str,
        detail: JSONDict,
        published: datetime,
        deadline: datetime,
        evaluated_at: datetime,
        awarded_at: datetime | None,
    ) -> list[JSONDict]:
        """2-4 proposals as an ADMIN lists them; sets ``successfulProponent`` when awarded."""
        rng = self.rng
        n = rng.randint(2, 4)
        submitted = sorted(self.between(published, deadline) for _ in range(n))
        if kind == CWU:
            return self.cwu_proposals(detail, n, submitted, evaluated_at, awarded_at)
        return self.team_proposals(kind, detail, n, submitted, evaluated_at, awarded_at)

    def cwu_proposals(
        self,
        detail: JSONDict,
        n: int,
        submitted: list[datetime],
        evaluated_at: datetime,
        awarded_at: datetime | None,
    ) -> list[JSONDict]:
        rng = self.rng
        vendors = rng.sample(self.vendors, n)
        scores = self.scores(n)
        # (status, moment of its status record, score or None, who set it)
        states: list[tuple[str, datetime, float | int | None, JSONDict | None]] = []
        if awarded_at is not None:
            best = max(scores)
            states = [
                ("AWARDED" if s == best else "NOT_AWARDED", awarded_at, s, self.admin_slim)
                for s in scores
            ]
        elif detail["status"] == "EVALUATION":
            # One stays unscored: with every proposal scored it would be PROCESSING.
            for index, given in enumerate(scores):
                if index > 0 and rng.random() < 0.5:
                    moment = self.between(evaluated_at + timedelta(hours=1), NOW)
                    states.append(("EVALUATED", moment, given, self.admin_slim))
                else:
                    states.append(("UNDER_REVIEW", evaluated_at, None, None))
        else:  # canceled during evaluation
            states = [("UNDER_REVIEW", evaluated_at, None, None)] * n
        ranked = sorted((s for _, _, s, _ in states if s is not None), reverse=True)

        proposals = []
        for vendor, sent, (status, moment, score, by) in zip(
            vendors, submitted, states, strict=True
        ):
            proponent_id = self.uuid()
            proposal: JSONDict = {
                "id": self.uuid(),
                "createdAt": iso(moment),  # sic: the latest status record's time
                "updatedAt": iso(moment),
                "status": status,
                "submittedAt": iso(sent),
            }
            if score is not None:
                proposal["rank"] = str(ranked.index(score) + 1)  # a string in lists
                proposal["score"] = score
            proposal["createdBy"] = self.slims[vendor["id"]]
            if by is not None:
                proposal["updatedBy"] = by
            proposal["proponent"] = {
                "tag": "individual",
                "value": {
                    "id": proponent_id,
                    "createdAt": iso(sent),
                    "createdBy": vendor["id"],
                    "updatedAt": iso(sent),
                    "updatedBy": vendor["id"],
                    "legalName": self.business[vendor["id"]],
                    "email": vendor["email"],
                    "phone": f"250-555-{rng.randrange(10_000):04d}",
                    "street1": f"{rng.randrange(1, 3000)} {rng.choice(_LAST)} St",
                    "street2": None,
                    "city": rng.choice(_CITIES),
                    "region": "BC",
                    "mailCode": "V8W 1A1",
                    "country": "Canada",
                },
            }
            proposal["opportunity"] = None  # the opportunity's list item, set by the caller
            proposals.append(proposal)
            if status == "AWARDED":
                detail["successfulProponent"] = {
                    "id": {"tag": "individual", "value": proponent_id},
                    "name": self.business[vendor["id"]],
                    "email": vendor["email"],
                    "score": score,
                    "createdBy": self.slims[vendor["id"]],
                }
        return proposals

    def team_proposals(
        self,
        kind: str,
        detail: JSONDict,
        n: int,
        submitted: list[datetime],
        evaluated_at: datetime,
        awarded_at: datetime | None,
    ) -> list[JSONDict]:
        """SWU/TWU proposals: anonymous ("Proponent N") until the challenge stage, as the real
        API shows them to government; full (organization, scores, rank) once awarded."""
        rng = self.rng
        organizations = rng.sample(self.organizations, n)
        review_status = _PROPOSAL_REVIEW_STATUS[kind]
        if awarded_at is None:
            return [
                {
                    "id": self.uuid(),
                    "createdAt": iso(evaluated_at),
                    "updatedAt": iso(evaluated_at),
                    "status": review_status,
                    "submittedAt": iso(sent),
                    "anonymousProponentName": f"Proponent {number}",
                    "opportunity": None,
                }
                for number, sent in enumerate(submitted, start=1)
            ]
        components: list[dict[str, float | int]] = []
        for _ in range(n):
            parts: dict[str, float | int] = {"questionsScore": self.scores(1)[0]}
            parts["challengeScore"] = self.scores(1)[0]
            if kind == SWU:
                parts["scenarioScore"] = self.scores(1)[0]
            parts["priceScore"] = self.scores(1)[0]
            weights: tuple[int, ...]
            if kind == SWU:
                weights = (
                    detail["questionsWeight"],
                    detail["codeChallengeWeight"],
                    detail["scenarioWeight"],
                    detail["priceWeight"],
                )
            else:
                weights = (
                    detail["questionsWeight"],
                    detail["challengeWeight"],
                    detail["priceWeight"],
                )
            total = round(sum(w * s for w, s in zip(weights, parts.values(), strict=True)) / 100, 2)
            parts["totalScore"] = total
            components.append(parts)
        totals = sorted((c["totalScore"] for c in components), reverse=True)
        proposals = []
        for number, (org, sent, parts) in enumerate(
            zip(organizations, submitted, components, strict=True), start=1
        ):
            won = parts["totalScore"] == totals[0] and "successfulProponent" not in detail
            proposal: JSONDict = {
                "id": self.uuid(),
                "createdAt": iso(awarded_at),
                "updatedAt": iso(awarded_at),
                "status": "AWARDED" if won else "NOT_AWARDED",
                "submittedAt": iso(sent),
                "anonymousProponentName": f"Proponent {number}",
                **parts,
                "rank": totals.index(parts["totalScore"]) + 1,  # a number: computed in JS
                "createdBy": org["owner"],
                "updatedBy": self.admin_slim,
                "organization": organization_slim(org),
                "opportunity": None,
            }
            proposals.append(proposal)
            if won:
                detail["successfulProponent"] = {
                    "id": org["id"],
                    "name": org["legalName"],
                    "email": org["contactEmail"],
                    "totalScore": parts["totalScore"],
                    "createdBy": org["owner"],
                }
        return proposals


def generate_marketplace(
    n_cwu: int = 5000, n_swu: int = 500, n_twu: int = 500, seed: int = 1
) -> GeneratedMarketplace:
    """Build a deterministic marketplace: the same arguments always give the same bodies.

    Status mix per kind: 25% AWARDED, 5% CANCELED (half of them during evaluation, with
    proposals), 10% in evaluation, 10% DRAFT, 5% UNDER_REVIEW, the rest PUBLISHED. Users are the
    captured ones plus 7 GOV authors and 78 vendors; 50 organizations.
    """
    builder = _Builder(seed)
    builder.add_users(n_gov=7, n_vendors=78)
    builder.add_organizations(50)
    opportunities: dict[str, dict[str, JSONDict]] = {}
    proposals: dict[str, dict[str, list[JSONDict]]] = {}
    for kind, count in zip(KINDS, (n_cwu, n_swu, n_twu), strict=True):
        opportunities[kind] = {}
        proposals[kind] = {}
        for status in builder.status_plan(kind, count):
            detail, listed = builder.opportunity(kind, status)
            opportunities[kind][detail["id"]] = detail
            if listed:
                proposals[kind][detail["id"]] = listed
    return GeneratedMarketplace(
        seed=seed,
        opportunities=opportunities,
        proposals=proposals,
        users=builder.users,
        organizations=builder.organizations,
        session=builder.session,
    )


def all_read_urls(
    data: GeneratedMarketplace, *, page_size: int = 100, include_empty_proposal_lists: bool = True
) -> list[str]:
    """The relative URLs a full sync reads, lists first.

    Proposal lists: by default every opportunity past PUBLISHED, as the bridge does (it cannot
    know which canceled ones have proposals, so it also reads the ``[]`` of those canceled
    before the deadline); ``include_empty_proposal_lists=False`` keeps only non-empty ones.
    """
    urls = [f"/api/opportunities/{kind}" for kind in KINDS]
    for kind in KINDS:
        urls += [f"/api/opportunities/{kind}/{opp_id}" for opp_id in data.opportunities[kind]]
    for kind in KINDS:
        for opp_id, detail in data.opportunities[kind].items():
            if opp_id in data.proposals[kind] or (
                include_empty_proposal_lists and detail["status"] not in PRE_EVALUATION
            ):
                urls.append(f"/api/proposals/{kind}?opportunity={opp_id}")
    urls.append("/api/users")
    num_pages = max(1, math.ceil(len(data.organizations) / page_size))
    urls += [f"/api/organizations?page={p}&pageSize={page_size}" for p in range(1, num_pages + 1)]
    urls.append("/api/sessions/current")
    return urls


# The HTTP server ------------------------------------------------------------------------------
