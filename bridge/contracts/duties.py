"""Who may do what after an award: the GC's separation of duties, in one place.

Each step needs its role for the contract's department (an administrator's role alone is not
financial authority). Under the Financial Administration Act, the person who certifies that work
was performed (s.34) is not the one who asked for the acceptance, nor the supplier's own contact,
nor the one who confirms the payment (s.33); and the one who confirms a payment did not certify
or request it.
"""

from __future__ import annotations

from bridge.accounts.models import PanelUser, Role
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery
from bridge.notifications.messages import N_


class DutyRefused(PermissionError):
    """A step this person may not take; the message is a catalog message saying why."""


def holds(user: PanelUser, role: Role, department_id: int) -> bool:
    """Whether ``user`` holds ``role`` for the department. Procurement staff whose account names
    no department work for every department, as they do on the awards; the financial duties
    (business owner, section 34, section 33) are always delegated for named departments."""
    if not user.active or role not in user.roles:
        return False
    named = user.department_ids(role)
    return department_id in named or (role is Role.PROCUREMENT and not named)


def require_role(user: PanelUser, role: Role, contract_department: int) -> None:
    if not holds(user, role, contract_department):
        raise DutyRefused(REASONS[role])


REASONS: dict[Role, str] = {
    Role.PROCUREMENT: N_("Only procurement staff of the contract's department may do this."),
    Role.OWNER: N_("Only a business owner of the contract's department may do this."),
    Role.CERTIFIER: N_(
        "Only a person with section 34 authority for the contract's department may do this."
    ),
    Role.FINANCE: N_("Only finance staff of the contract's department may confirm a payment."),
}


def check_certifier(user: PanelUser, contract: Contract, work: WorkDelivery) -> None:
    """May ``user`` accept or refuse ``work`` under section 34?"""
    require_role(user, Role.CERTIFIER, contract.department_id)
    if user.id == work.requested_by_id:
        raise DutyRefused(N_("The person who asked for the acceptance cannot certify it."))
    if contract.supplier_email and user.email.lower() == contract.supplier_email.lower():
        raise DutyRefused(N_("The supplier's own contact cannot certify the work."))


def check_payment_confirmer(
    user: PanelUser, requisition: PaymentRequisition, work: WorkDelivery, contract: Contract
) -> None:
    """May ``user`` confirm that ``requisition`` was paid (section 33)?"""
    require_role(user, Role.FINANCE, contract.department_id)
    if user.id == work.decided_by_id:
        raise DutyRefused(N_("The person who certified the work cannot confirm its payment."))
    if user.id == work.requested_by_id:
        raise DutyRefused(N_("The person who asked for the acceptance cannot confirm its payment."))
