"""Who may reach which page: one table, checked on every request, tested as a matrix.

Every endpoint must appear here; an endpoint that does not is refused to everyone, so a new page
is closed until someone decides who may see it.
"""

from __future__ import annotations

from bridge.accounts.models import Role

PUBLIC = frozenset(
    {
        "static",
        "auth.sign_in",
        "auth.oidc_start",
        "auth.oidc_callback",
        "i18n.switch",
        "health.healthz",
        "health.readyz",
        "open_data.package",
    }
)

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.OPERATOR, Role.APPROVER, Role.PROCUREMENT})
OPERATIONS = frozenset({Role.ADMIN, Role.OPERATOR})
TRANSLATION = frozenset({Role.ADMIN, Role.TRANSLATOR})
ADMIN = frozenset({Role.ADMIN})
APPROVALS = frozenset({Role.ADMIN, Role.APPROVER})
PROCUREMENT = frozenset({Role.ADMIN, Role.PROCUREMENT})
# After the award: who reads contracts (scoped to their departments by the pages), and the one
# role that takes each step (the separation of duties decides who of them may).
CONTRACTS = frozenset({Role.ADMIN, Role.PROCUREMENT, Role.OWNER, Role.CERTIFIER, Role.FINANCE})

RULES: dict[str, frozenset[Role]] = {
    "auth.sign_out": EVERYONE,
    "dashboard.index": EVERYONE,
    "opportunities.index": EVERYONE,
    "opportunities.detail": EVERYONE,
    # Proposals carry vendors' personal information (names, addresses, e-mail).
    "proposals.index": STAFF,
    "awards.index": EVERYONE,
    "awards.detail": STAFF | {Role.VIEWER},
    "awards.coding": PROCUREMENT,
    "awards.amend": PROCUREMENT,
    "awards.terminate": PROCUREMENT,
    "awards.export_now": PROCUREMENT,
    "awards.reports": STAFF | {Role.VIEWER},
    "awards.deliveries": PROCUREMENT | OPERATIONS,
    "awards.retry": PROCUREMENT | OPERATIONS,
    "sync.runs": OPERATIONS | {Role.VIEWER},
    "sync.run_detail": OPERATIONS | {Role.VIEWER},
    "sync.run_now": OPERATIONS,
    "quarantine.index": OPERATIONS,
    "quarantine.detail": OPERATIONS,
    "quarantine.retry": OPERATIONS,
    "users.index": ADMIN,
    "users.create": ADMIN,
    "users.edit": ADMIN,
    "audit.index": OPERATIONS,
    "audit.check_now": OPERATIONS,
    "rules.attention": EVERYONE,
    "rules.settings": ADMIN,
    "translations.editor": TRANSLATION,
    "translations.exchange": TRANSLATION,
    "translations.export": TRANSLATION,
    "departments.index": ADMIN,
    "departments.edit": ADMIN,
    "departments.unrouted": ADMIN,
    "departments.assign": ADMIN,
    "approvals.queue": APPROVALS,
    "approvals.detail": APPROVALS,
    "approvals.publish": ADMIN,
    "approvals.alerts": APPROVALS,
    "approvals.alert": APPROVALS,
    "approvals.close_alert": ADMIN,
    "notifications.index": ADMIN,
    "notifications.send_again": ADMIN,
    "departments.chain": ADMIN,
    "contracts.index": CONTRACTS,
    "contracts.detail": CONTRACTS,
    "contracts.document": CONTRACTS,
    "contracts.new": frozenset({Role.PROCUREMENT}),
    "contracts.issue_contract": frozenset({Role.PROCUREMENT}),
    "contracts.send_contract": frozenset({Role.PROCUREMENT}),
    "contracts.sign": frozenset({Role.PROCUREMENT}),
    "contracts.deliver": frozenset({Role.OWNER}),
    "contracts.decide_work": frozenset({Role.CERTIFIER}),
    "contracts.pay": frozenset({Role.FINANCE}),
    "contracts.import_payments": frozenset({Role.FINANCE}),
    "contracts.terms": ADMIN,
    # Counts and sums only; small cells hidden from those who may not read proposals.
    "outcomes.index": EVERYONE,
    "outcomes.table_csv": EVERYONE,
}


def allowed(endpoint: str | None, roles: frozenset[Role]) -> bool:
    if endpoint is None:
        return False
    if endpoint in PUBLIC:
        return True
    return bool(RULES.get(endpoint, frozenset()) & roles)
