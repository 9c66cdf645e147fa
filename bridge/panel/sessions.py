"""How long a panel session lasts, and what ends it before then.

A session holds the account's session epoch from when it began: sign-out, a new password, other
roles or deactivation move the account's epoch on, and every session begun before (a cookie
copied elsewhere included) stops opening pages. A session also ends 12 hours after it began,
however busy, and after 30 minutes without a request (OWASP ASVS 3.3). The cookie is signed, so
none of these stamps can be altered by its holder.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

from bridge.accounts.models import PanelUser
from bridge.clock import utcnow

LIFETIME = timedelta(hours=12)
IDLE = timedelta(minutes=30)
# The last-seen stamp is rewritten at most this often, so that not every answer sets a cookie.
TOUCH_EVERY = timedelta(minutes=1)


def begin(session: MutableMapping[str, Any], user: PanelUser) -> None:
    now = utcnow().timestamp()
    session["epoch"] = user.session_epoch or 0
    session["began"] = now
    session["seen"] = now


def still_open(session: MutableMapping[str, Any], user: PanelUser) -> bool:
    """Whether this session may go on for ``user``; a yes counts as activity."""
    now = utcnow().timestamp()
    began, seen = session.get("began"), session.get("seen")
    if session.get("epoch") != (user.session_epoch or 0) or began is None or seen is None:
        return False
    if now - began > LIFETIME.total_seconds() or now - seen > IDLE.total_seconds():
        return False
    if now - seen > TOUCH_EVERY.total_seconds():
        session["seen"] = now
    return True
