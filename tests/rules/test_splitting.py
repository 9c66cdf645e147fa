"""Contract splitting at its boundaries: the window, the total, the supplier, near-duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.rules.splitting import SplittingRule, max_window_total
from bridge.rules.context import RelatedAward, RelatedPosting, Supplier
from bridge.rules.settings import RuleSettings
from bridge.text.similarity import alike, alike_among, bitmap, overlap_bound, similarity
from tests.rules.helpers import NOW, make_context

RULE = SplittingRule()
ACME = Supplier("organization:acme", "Acme Consulting")
OTHER = Supplier("organization:other", "Other Inc.")


def award(
    days_before: int, amount: str, supplier: Supplier = ACME, title: str = "Phase 1"
) -> RelatedAward:
    return RelatedAward(
        f"id-{days_before}-{amount}",
        title,
        supplier,
        Decimal(amount),
        NOW - timedelta(days=days_before),
    )


def awarded(amount: str, *others: RelatedAward) -> list[str]:
    context = make_context(
        status="AWARDED",
        amount=Decimal(amount),
        award=award(0, amount, title="Phase 2"),
        department_awards=others,
    )
    return [finding.message_key for finding in RULE.evaluate(context)]


def test_awards_to_one_supplier_over_the_cap_within_the_window_are_flagged() -> None:
    assert awarded("6000.00", award(100, "4000.00")) == []  # exactly 10,000.00: not over
    assert awarded("6000.00", award(100, "4000.01")) == ["splitting.awards"]


def test_the_window_is_inclusive_at_365_days_and_ends_after() -> None:
    assert awarded("6000.00", award(365, "4000.01")) == ["splitting.awards"]
    assert awarded("6000.00", award(366, "4000.01")) == []


def test_other_suppliers_do_not_count() -> None:
    assert awarded("6000.00", award(10, "9000.00", supplier=OTHER)) == []


def test_an_individual_is_one_supplier_by_e_mail() -> None:
    from bridge.rules.builder import supplier_of

    first = supplier_of("individual", "user-1", "Ana", "Ana@Example.ca")
    second = supplier_of("individual", "user-2", "Ana B.", "ana@example.ca ")
    assert first.key == second.key


def test_the_finding_names_the_supplier_the_total_and_the_other_awards() -> None:
    context = make_context(
        status="AWARDED",
        amount=Decimal("6000.00"),
        award=award(0, "6000.00", title="Phase 2"),
        department_awards=(award(30, "5000.00", title="Phase 1"),),
    )
    (finding,) = RULE.evaluate(context)
    assert finding.severity.value == "warn"
    assert finding.params == {
        "supplier": "Acme Consulting",
        "total": "11000.00",
        "count": 2,
        "days": 365,
        "others": "Phase 1",
    }


def test_taxes_count_when_posted_amounts_exclude_them() -> None:
    settings = RuleSettings(amounts_include_taxes=False)
    context = make_context(
        status="AWARDED",
        amount=Decimal("4500.00"),
        award=award(0, "4500.00"),
        settings=settings,
        department_awards=(award(30, "4500.00"),),
    )
    # 9,000.00 before taxes, 10,170.00 with 13 %
    assert [f.message_key for f in RULE.evaluate(context)] == ["splitting.awards"]


def test_before_an_award_every_supplier_with_an_offer_is_checked() -> None:
    context = make_context(
        status="EVALUATION",
        amount=Decimal("6000.00"),
        prospective_suppliers=(ACME, OTHER),
        department_awards=(award(20, "5000.00"),),
    )
    findings = RULE.evaluate(context)
    assert [(f.message_key, f.params["supplier"]) for f in findings] == [
        ("splitting.prospective", "Acme Consulting")
    ]


def test_without_a_department_nothing_is_compared() -> None:
    context = make_context(
        status="AWARDED",
        award=award(0, "9000.00"),
        department_id=None,
        department_awards=(award(3, "9000.00"),),
    )
    assert RULE.evaluate(context) == []


DESCRIPTION = (
    "Build an accessible web form that lets applicants upload supporting documents, with "
    "validation messages in plain language and keyboard support throughout. "
)


def posting(days: int, amount: str, text: str) -> RelatedPosting:
    return RelatedPosting(
        f"p-{days}", text.split("\n")[0], text, Decimal(amount), NOW + timedelta(days=days)
    )


def postings(amount: str, *others: RelatedPosting) -> list[str]:
    context = make_context(
        amount=Decimal(amount),
        text=f"Upload form phase 1\n{DESCRIPTION}",
        department_postings=others,
    )
    return [finding.message_key for finding in RULE.evaluate(context)]


def test_near_duplicate_postings_over_the_cap_within_30_days_are_flagged() -> None:
    twin = f"Upload form phase 2\n{DESCRIPTION}"
    assert postings("6000.00", posting(10, "4000.01", twin)) == ["splitting.postings"]
    assert postings("6000.00", posting(10, "4000.00", twin)) == []  # at the cap
    assert postings("6000.00", posting(30, "4000.01", twin)) == ["splitting.postings"]
    assert postings("6000.00", posting(31, "4000.01", twin)) == []  # outside the window


def test_different_requirements_are_not_near_duplicates() -> None:
    unrelated = (
        "Data pipeline\nMigrate the nightly statistics extract from a legacy mainframe job to a "
        "containerised Python service with automated tests and monitoring dashboards."
    )
    assert postings("6000.00", posting(5, "9000.00", unrelated)) == []


def test_similarity_ignores_case_and_accents_and_tells_rewrites_apart() -> None:
    assert similarity("Créer un formulaire accessible", "CREER UN FORMULAIRE ACCESSIBLE") == 1.0
    assert similarity(DESCRIPTION + "Phase 1.", DESCRIPTION + "Phase 2.") > 0.8
    assert similarity(DESCRIPTION, "Something else entirely, nothing in common here at all") == 0


words = st.sampled_from(["form", "upload", "phase", "accessible", "data", "test", "the", "of"])
texts = st.lists(words, max_size=30).map(" ".join)


@given(first=texts, second=texts, threshold=st.sampled_from([0.01, 0.3, 0.5, 0.6, 0.61, 0.8, 1]))
def test_alike_decides_as_the_similarity_does(first: str, second: str, threshold: float) -> None:
    """The filters that skip whole comparisons never change an answer."""
    assert alike(first, second, threshold) == (similarity(first, second) >= threshold)


@given(
    text=texts,
    others=st.lists(texts, max_size=6),
    threshold=st.sampled_from([0.01, 0.3, 0.6, 1]),
)
def test_one_text_among_many_is_judged_as_each_pair(
    text: str, others: list[str], threshold: float
) -> None:
    expected = [similarity(text, other) >= threshold for other in others]
    assert alike_among(text, others, threshold) == expected


members = st.frozensets(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=60)


@given(a=members, b=members, shared=members, bits=st.sampled_from([8, 64, 4096]))
def test_the_bitmaps_never_bound_an_overlap_below_the_truth(
    a: frozenset[int], b: frozenset[int], shared: frozenset[int], bits: int
) -> None:
    """Even folded into 8 bits, where nearly every member collides with another."""
    first, second = a | shared, b | shared
    bound = overlap_bound(len(first), bitmap(first, bits), len(second), bitmap(second, bits))
    assert len(first & second) <= bound


def test_the_bitmaps_bound_an_overlap_closely_at_their_width() -> None:
    """At 4,096 bits, two sets of 200 members sharing 100 are bounded within a few members."""
    first = frozenset(range(0, 200 * 7919, 7919))
    second = frozenset(list(first)[:100]) | frozenset(range(1, 100 * 104729, 104729))
    bound = overlap_bound(len(first), bitmap(first), len(second), bitmap(second))
    assert 100 <= bound <= 106


def test_alike_settles_near_and_far_pairs() -> None:
    assert alike(DESCRIPTION + "Phase 1.", DESCRIPTION + "Phase 2.", 0.6)
    assert not alike(DESCRIPTION, "Something else entirely, nothing in common here at all", 0.6)
    assert not alike("", "", 0.6) and alike("", "", 0)


moments = st.integers(min_value=-800, max_value=800)
values = st.decimals(min_value=0, max_value=20000, places=2)


@given(events=st.lists(st.tuples(moments, values), max_size=12), window=st.integers(1, 400))
def test_max_window_total_is_the_best_window_containing_the_anchor(
    events: list[tuple[int, Decimal]], window: int
) -> None:
    dated = [(NOW + timedelta(days=day), value) for day, value in events]
    total, count = max_window_total(dated, NOW, timedelta(days=window))
    # Brute force over every whole-day window start that keeps the anchor inside.
    best = Decimal("0.00")
    for start in range(-window, 1):
        inside = [value for day, value in events if start <= day <= start + window]
        best = max(best, sum(inside, Decimal("0.00")))
    assert total == best
    assert count <= len(events)


def test_the_neighbours_asked_after_judging_reuse_its_comparisons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.rules import splitting

    compared: list[tuple[str, str]] = []

    def counting(text: str, others: Sequence[str], threshold: float) -> list[bool]:
        compared.extend((text, other) for other in others)
        return alike_among(text, others, threshold)

    monkeypatch.setattr(splitting, "alike_among", counting)
    rule = SplittingRule()
    twin = posting(10, "4000.01", f"Upload form phase 2\n{DESCRIPTION}")
    context = make_context(
        amount=Decimal("6000.00"),
        text=f"Upload form phase 1\n{DESCRIPTION}",
        department_postings=(twin,),
    )
    assert [finding.message_key for finding in rule.evaluate(context)] == ["splitting.postings"]
    assert rule.related(context) == {twin.opportunity_id}
    assert len(compared) == 1
    other = make_context(text=f"Upload form phase 1\n{DESCRIPTION}", department_postings=(twin,))
    assert rule.related(other) == {twin.opportunity_id}  # another context: compared afresh
    assert len(compared) == 2
