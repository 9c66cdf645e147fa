"""The audit log in words: every action and record type the bridge records has a label, and
the page shows labels, not codes, in the reader's language."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from bridge.accounts.models import Role
from bridge.approvals.models import Decision
from bridge.panel.audit_words import ACTIONS, JOBS, RECORDS
from bridge.settings import PROJECT_ROOT

DOMAINS = (
    "approval",
    "auth",
    "department",
    "export",
    "notification",
    "opportunity",
    "quarantine",
    "rule_setting",
    "sync",
    "translation",
    "user",
)
ACTION = re.compile(rf"^({'|'.join(DOMAINS)})\.[a-z_]*[a-z]$")  # not an f-string's head
# Actions built from a value: a decision, and what became of its note on the marketplace.
BUILT = {f"approval.{decision.value}" for decision in Decision} | {
    f"{kind}.note_{status}"
    for kind in ("approval", "contract")
    for status in ("sent", "refused", "unsupported")
}


def _trees() -> list[ast.AST]:
    return [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((PROJECT_ROOT / "bridge").rglob("*.py"))
    ]


def test_every_action_the_bridge_records_has_words(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    constants = {
        node.value
        for tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    recorded = {text for text in constants if ACTION.match(text)} - endpoints | BUILT
    assert "user.created" in recorded and "approval.approve" in recorded  # the search works
    assert recorded - set(ACTIONS) == set()


def test_every_job_has_words() -> None:
    jobs = {
        node.args[0].value
        for tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "job"
        and getattr(node.func.value, "id", None) == "Actor"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert "approvals" in jobs and jobs - set(JOBS) == set()


def test_every_record_type_has_words() -> None:
    types = {"panel_user"}  # the sign-in audit names its record type once, in a helper
    for tree in _trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "record"
                and len(node.args) >= 4
                and isinstance(node.args[3], ast.Constant)
            ):
                types.add(str(node.args[3].value))
    assert len(types) > 5 and types - set(RECORDS) == set()


def test_the_audit_page_shows_words_in_the_readers_language(
    signed_in: Callable[..., FlaskClient],
) -> None:
    admin = signed_in(Role.ADMIN)
    admin.post("/sync/run-now")  # audited: sync.requested
    admin.post("/language/fr")
    page = admin.get("/audit/").get_data(as_text=True)
    assert "Synchronisation demandée" in page
    assert "sync.requested" not in page and "panel_user" not in page
