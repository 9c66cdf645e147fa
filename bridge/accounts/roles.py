"""The panel's roles, apart from the tables: the command line names them in its help, which
must not wait for the database layer to load."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # rules, departments, users
    OPERATOR = "operator"  # sync, quarantine, jobs
    APPROVER = "approver"  # decides approvals, scoped to departments
    PROCUREMENT = "procurement"  # awards and exports
    TRANSLATOR = "translator"  # the second official language of opportunities
    VIEWER = "viewer"  # reads
