"""Who is told what about an approval, queued in the transaction of the change itself.

Approvers learn a step awaits them, authors learn every decision, administrators learn what
needs them (a publication to press, one that failed, a shortcut the guard caught).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import people_with
from bridge.approvals.models import (
    ApprovalAlert,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    Decision,
)
from bridge.approvals.publisher import how_published
from bridge.approvals.reasons import failure_reason
from bridge.departments.models import Department
from bridge.notifications.messages import N_, Bilingual, Param
from bridge.notifications.outbox import enqueue
from bridge.sync.models import Opportunity
from bridge.translations.titles import titles_by_language


def administrators(session: Session) -> list[str]:
    return [user.email for user in people_with(session, Role.ADMIN)]


def deciders(session: Session, request: ApprovalRequest, step: ApprovalStep) -> list[PanelUser]:
    """Who may decide ``step`` now: the people it names, or else every approver of the
    department; never the author, nor anyone who decided another step of this request."""
    named = {user.id for user in step.approvers}
    decided = {decision.user_id for decision in request.decisions}
    author = (request.author_email or "").lower()
    return [
        user
        for user in people_with(session, Role.APPROVER, request.department_id)
        if (not named or user.id in named)
        and user.id not in decided
        and user.email.lower() != author
    ]


def _about(session: Session, request: ApprovalRequest) -> dict[str, Param]:
    opportunity = session.get(Opportunity, request.opportunity_id)
    department = session.get(Department, request.department_id)
    assert opportunity is not None and department is not None
    return {
        "title": _title(session, opportunity),
        "department": Bilingual(department.name_en, department.name_fr),
    }


def _title(session: Session, opportunity: Opportunity) -> Bilingual:
    """The title in each language of the message: the translation where one is saved."""
    titles = titles_by_language(session, [opportunity.id]).get(opportunity.id, {})
    return Bilingual(titles.get("en", opportunity.title), titles.get("fr", opportunity.title))


def _step(step: ApprovalStep) -> Bilingual:
    return Bilingual(step.name_en, step.name_fr)


def _path(request: ApprovalRequest) -> str:
    return f"/approvals/{request.id}"


def step_awaiting(
    session: Session, request: ApprovalRequest, step: ApprovalStep, now: datetime
) -> int:
    recipients = [user.email for user in deciders(session, request, step)]
    params = {**_about(session, request), "step": _step(step)}
    return enqueue(
        session,
        "step_awaiting",
        recipients,
        params,
        key=f"{request.id}:{step.id}",
        path=_path(request),
        now=now,
    )


def reminder(session: Session, request: ApprovalRequest, step: ApprovalStep, now: datetime) -> int:
    recipients = [user.email for user in deciders(session, request, step)]
    since = Bilingual.day((request.waiting_since or request.opened_at).date())
    params = {**_about(session, request), "step": _step(step), "since": since}
    return enqueue(
        session,
        "reminder",
        recipients,
        params,
        key=f"{request.id}:{step.id}:{now.date().isoformat()}",
        path=_path(request),
        now=now,
    )


def decided(
    session: Session,
    request: ApprovalRequest,
    decision: ApprovalDecision,
    step: ApprovalStep,
    now: datetime,
) -> None:
    """Tell the author about a request for changes, which needs them at once. Approvals are
    not told one by one: the author hears once, with every step, when the path is complete."""
    if decision.decision == Decision.APPROVE.value:
        return
    params = {
        **_about(session, request),
        "step": _step(step),
        "decider": decision.user_name,
        "comment": decision.comment,
    }
    enqueue(
        session,
        "changes_requested",
        _author(request),
        params,
        key=str(decision.id),
        path=None,
        now=now,
    )


def _digest(session: Session, request: ApprovalRequest, zone: ZoneInfo) -> Bilingual:
    """Each approved step, by whom and on which day (in the bridge's time zone), one per line."""
    steps = {
        step.id: step
        for step in session.scalars(
            select(ApprovalStep).where(
                ApprovalStep.id.in_([decision.step_id for decision in request.decisions])
            )
        )
    }
    lines = [
        Bilingual.message(
            DIGEST_LINE,
            step=_step(steps[decision.step_id]),
            decider=decision.user_name,
            day=Bilingual.day(decision.decided_at.astimezone(zone).date()),
        )
        for decision in sorted(request.decisions, key=lambda item: item.decided_at)
        if decision.decision == Decision.APPROVE.value and decision.step_id in steps
    ]
    return Bilingual("\n".join(line.en for line in lines), "\n".join(line.fr for line in lines))


def approved(session: Session, request: ApprovalRequest, zone: ZoneInfo, now: datetime) -> None:
    """The author's digest when an administrator must still publish."""
    params = {**_about(session, request), "steps": _digest(session, request, zone)}
    enqueue(session, "approved", _author(request), params, key=str(request.id), now=now)


def ready_to_publish(session: Session, request: ApprovalRequest, now: datetime) -> None:
    enqueue(
        session,
        "ready_to_publish",
        administrators(session),
        _about(session, request),
        key=str(request.id),
        path=_path(request),
        now=now,
    )


def published(session: Session, request: ApprovalRequest, zone: ZoneInfo, now: datetime) -> None:
    """The author's one message about a completed path (with every step), and administrators'."""
    params = {**_about(session, request), "steps": _digest(session, request, zone)}
    recipients = [*_author(request), *administrators(session)]
    enqueue(
        session, "published", recipients, params, key=str(request.id), path=_path(request), now=now
    )


def publish_failed(session: Session, request: ApprovalRequest, error: str, now: datetime) -> None:
    """Once per request: a failure repeats every run until someone looks. ``error`` is as the
    request stores it: a reason worded in both languages, or a marketplace error's text."""
    reason = failure_reason(error)
    described: Param = Bilingual.message(reason[0], **reason[1]) if reason else error
    params = {**_about(session, request), "error": described}
    enqueue(
        session,
        "publish_failed",
        administrators(session),
        params,
        key=str(request.id),
        path=_path(request),
        now=now,
    )


def unapproved_publication(
    session: Session,
    alert: ApprovalAlert,
    opportunity: Opportunity,
    action: Bilingual,
    now: datetime,
) -> None:
    """Administrators learn what happened; the department's approvers (when it is known) learn
    it too, with what they can do about it, as they cannot close the alert themselves."""
    department = session.get(Department, alert.department_id) if alert.department_id else None
    params: dict[str, Param] = {
        "title": _title(session, opportunity),
        "department": Bilingual(department.name_en, department.name_fr)
        if department is not None
        else Bilingual.message(UNROUTED),
        "how": how_published(alert.details),
        "action": action,
    }
    path, key = f"/approvals/alerts/{alert.id}", str(alert.id)
    enqueue(
        session,
        "unapproved_publication",
        administrators(session),
        params,
        key=key,
        path=path,
        now=now,
    )
    if department is not None:
        approvers = [user.email for user in people_with(session, Role.APPROVER, department.id)]
        enqueue(
            session,
            "unapproved_publication_department",
            approvers,
            params,
            key=key,
            path=path,
            now=now,
        )


def _author(request: ApprovalRequest) -> Iterable[str]:
    return [request.author_email] if request.author_email else []


UNROUTED = N_("no department")
DIGEST_LINE = N_("- %(step)s: %(decider)s, %(day)s")
