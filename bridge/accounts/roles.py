"""The panel's roles, apart from the tables: the command line names them in its help, which
must not wait for the database layer to load."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # rules, departments, users
    OPERATOR = "operator"  # sync, quarantine, jobs
    APPROVER = "approver"  # decides approvals, scoped to departments
    PROCUREMENT = "procurement"  # awards and exports
    OWNER = "owner"  # business owner: records delivered work, asks for its acceptance
    CERTIFIER = "certifier"  # FAA section 34: certifies work performed, scoped to departments
    FINANCE = "finance"  # FAA section 33: confirms payments, scoped to departments
    TRANSLATOR = "translator"  # the second official language of opportunities
    VIEWER = "viewer"  # reads
