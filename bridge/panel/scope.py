"""What of a department's own matters a signed-in user may read, beyond the page itself.

The access table says who reaches a page; some of what a page holds is a department's business
or a person's: the bidders on its opportunities, and what its approvers wrote. Administrators,
operators and procurement staff work for every department, unless a procurement account is
limited to departments (then it handles their awards and reports only); an approver reads the
proposals of the departments they approve for; approval comments are for administrators and the
request's own approvers; a bidder's name is for those who may read proposals.
"""

from __future__ import annotations

from flask_login import current_user

from bridge.accounts.models import PanelUser, Role
from bridge.panel.access import allowed

EVERY_DEPARTMENT = frozenset({Role.ADMIN, Role.OPERATOR, Role.PROCUREMENT})


def proposal_departments() -> frozenset[int] | None:
    """The departments whose proposals the user may read; None for every department."""
    account: PanelUser = current_user.account
    if account.roles & EVERY_DEPARTMENT:
        return None
    return account.department_ids(Role.APPROVER)


def may_read_proposals(department_id: int | None) -> bool:
    if not may_read_bidders():
        return False
    departments = proposal_departments()
    return departments is None or department_id in departments


def may_read_comments(department_id: int) -> bool:
    if not current_user.is_authenticated:
        return False
    account = current_user.account
    return Role.ADMIN in account.roles or department_id in account.department_ids(Role.APPROVER)


def procurement_departments() -> frozenset[int] | None:
    """The departments whose awards the user handles (coding, amendments, terminations,
    exports, disclosure reports); ``None`` for every department: administrators, and
    procurement staff whose account names no department."""
    account: PanelUser = current_user.account
    if Role.ADMIN in account.roles:
        return None
    return account.department_ids(Role.PROCUREMENT) or None


def may_handle_award(department_id: int | None) -> bool:
    """An award of no department yet is for unscoped staff and administrators only."""
    departments = procurement_departments()
    return departments is None or department_id in departments


def can(endpoint: str) -> bool:
    """Whether the signed-in user may open ``endpoint`` (the navigation shows only those)."""
    return bool(current_user.is_authenticated) and allowed(endpoint, current_user.account.roles)


def may_read_bidders() -> bool:
    """Bidders' names are for those who may read proposals."""
    return can("proposals.index")
