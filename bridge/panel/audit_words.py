"""The audit log's actions and record types in the reader's language.

Entries are stored with stable codes (``approval.approve``, ``approval_request``) so that the
hash chain and any tool reading the log see the same text forever; only the panel shows them as
words. A code without words here (a newer bridge's entry read by an older panel) is shown as it
is rather than hidden.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ACTIONS: dict[str, Any] = {
    "approval.requested": _l("Approval requested"),
    "approval.approve": _l("Step approved"),
    "approval.request_changes": _l("Changes requested"),
    "approval.note_sent": _l("Request for changes written on the marketplace"),
    "approval.note_refused": _l("Request for changes refused by the marketplace"),
    "approval.note_unsupported": _l("Request for changes not written (no notes for this kind)"),
    "approval.chain_saved": _l("Approval chain saved"),
    "approval.publish_authorized": _l("Publication authorized"),
    "approval.copy_planned": _l("Bilingual copy about to be written"),
    "approval.copy_written": _l("Bilingual copy written on the marketplace"),
    "approval.published": _l("Published on the marketplace"),
    "approval.publish_failed": _l("Publication failed"),
    "approval.unapproved_publication": _l("Publication without approval found"),
    "approval.canceled_unapproved": _l("Unapproved publication canceled on the marketplace"),
    "approval.alert_resolved": _l("Alert closed"),
    "auth.signed_in": _l("Signed in"),
    "auth.signed_out": _l("Signed out"),
    "auth.sign_in_failed": _l("Sign-in refused"),
    "auth.locked_out": _l("Sign-in locked after failed attempts"),
    "contract.issued": _l("Contract issued"),
    "contract.amended": _l("Contract amendment issued"),
    "contract.amendment_held": _l("Contract amendment held: no milestone can take the change"),
    "contract.sent": _l("Contract sent to the supplier"),
    "contract.signed": _l("Supplier's signature recorded"),
    "contract.term_set": _l("Contract term reworded"),
    "contract.work_delivered": _l("Work delivered, acceptance asked for"),
    "contract.work_accepted": _l("Work accepted (FAA s.34)"),
    "contract.work_refused": _l("Work refused"),
    "contract.requisition_made": _l("Payment requisition made"),
    "contract.payment_confirmed": _l("Payment confirmed (FAA s.33)"),
    "contract.note_sent": _l("Contract progress written on the marketplace"),
    "contract.note_refused": _l("Contract progress refused by the marketplace"),
    "contract.note_unsupported": _l("Contract progress not written (no notes for this kind)"),
    "department.updated": _l("Department changed"),
    "export.amendment_recorded": _l("Amendment recorded"),
    "export.coding_saved": _l("Coding saved"),
    "export.record_revised": _l("Award record revised"),
    "export.requested": _l("Export asked for"),
    "export.delivered": _l("Award record delivered"),
    "export.dead": _l("Delivery failed for good"),
    "export.retried": _l("Delivery tried again"),
    "export.terminated": _l("Termination recorded"),
    "notification.sent": _l("Message sent"),
    "notification.failed": _l("Message failed for good"),
    "notification.retried": _l("Message sent again"),
    "opportunity.department_assigned": _l("Department assigned"),
    "quarantine.retry": _l("Quarantined record read again"),
    "rule_setting.changed": _l("Rule settings changed"),
    "sync.requested": _l("Sync asked for"),
    "translation.saved": _l("Translation saved"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account changed"),
}
RECORDS: dict[str, Any] = {
    "approval_alert": _l("Alert"),
    "approval_decision": _l("Decision"),
    "approval_request": _l("Approval request"),
    "award": _l("Award"),
    "contract": _l("Contract"),
    "contract_term": _l("Contract term"),
    "payment_requisition": _l("Payment requisition"),
    "delivery": _l("Delivery"),
    "department": _l("Department"),
    "notification": _l("Message"),
    "opportunity": _l("Opportunity"),
    "panel_user": _l("Account"),
    "quarantined_record": _l("Quarantined record"),
    "rule_setting": _l("Rule settings"),
    "sync": _l("Sync"),
}

# The bridge's own jobs, which act without a person.
JOBS: dict[str, Any] = {
    "approvals": _l("The bridge (approvals)"),
    "approval-guard": _l("The bridge (publication guard)"),
    "exports": _l("The bridge (award exports)"),
    "contracts": _l("The bridge (contracts)"),
    "notifications": _l("The bridge (messages)"),
    "cli": _l("The command line"),
}


def actor_label(actor: str, name: str) -> str:
    """A person by name; one of the bridge's jobs in words."""
    kind, _sep, job = actor.partition(":")
    return str(JOBS.get(job, name)) if kind == "job" else name


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def record_label(code: str) -> str:
    return str(RECORDS.get(code, code))
