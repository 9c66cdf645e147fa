"""Who published an opportunity nobody approved, and how: what an alert must say.

An alert that says only "published without approval" sends administrators to the marketplace to
find out who did it. The marketplace's history records the account behind each status change
(``createdBy``; null for the marketplace's own automatic changes), and the bridge keeps the
accounts it has read, so the alert can name the person, say whether they were a marketplace
administrator or a government user, and whether the opportunity skipped review entirely or was
published while its approval was under way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.notifications.messages import N_, Bilingual
from bridge.sync.models import HistoryEntry, MarketplaceUser, Opportunity

CREATED_PUBLISHED = "created_published"
PUBLISHED_DURING_REVIEW = "published_during_review"
PUBLISHED = "published"

ROLES = {
    "ADMIN": N_("%(name)s (marketplace administrator)"),
    "GOV": N_("%(name)s (government user of the marketplace)"),
}
HOW = {
    CREATED_PUBLISHED: N_(
        "%(who)s created it directly as published, without submitting it for review."
    ),
    PUBLISHED_DURING_REVIEW: N_(
        "%(who)s published it while it was under review, before the "
        "department's approval was complete."
    ),
    PUBLISHED: N_("%(who)s published it."),
}
UNKNOWN = N_("An account the marketplace does not name")


def _status_entries(session: Session, opportunity_id: str) -> list[HistoryEntry]:
    """The opportunity's status changes, oldest first."""
    return list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.opportunity_id == opportunity_id, HistoryEntry.type_tag == "status")
            .order_by(HistoryEntry.created_at, HistoryEntry.id)
        )
    )


def publication_details(session: Session, opportunity: Opportunity) -> dict[str, Any]:
    """The account and the path of the latest publication, as an alert keeps them."""
    statuses = _status_entries(session, opportunity.id)
    published = [index for index, entry in enumerate(statuses) if entry.type_value == "PUBLISHED"]
    if published:
        index = published[-1]
        account_id = statuses[index].created_by_id
        before = statuses[index - 1].type_value if index > 0 else None
    else:  # the history was not read: the record's own fields are what is known
        account_id, before = opportunity.updated_by_id or opportunity.created_by_id, None
    if before is None:
        how = CREATED_PUBLISHED
    elif before == "UNDER_REVIEW":
        how = PUBLISHED_DURING_REVIEW
    else:
        how = PUBLISHED
    account = session.get(MarketplaceUser, account_id) if account_id else None
    return {
        "how": how,
        "by_id": account_id,
        "by_name": account.name if account else None,
        "by_type": account.type if account else None,
    }


def who_published(details: dict[str, Any]) -> Bilingual:
    """The person, with their kind of account, in both languages."""
    name = details.get("by_name")
    if not name:
        return Bilingual.message(UNKNOWN)
    role = ROLES.get(details.get("by_type") or "")
    return Bilingual.message(role, name=name) if role else Bilingual(name, name)


def how_published(details: dict[str, Any]) -> Bilingual:
    """One sentence: who published it and by which path."""
    sentence = HOW.get(details.get("how") or "", HOW[PUBLISHED])
    return Bilingual.message(sentence, who=who_published(details))
