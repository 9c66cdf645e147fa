"""Creating accounts, checking passwords, and throttling sign-in attempts.

Passwords are hashed with Argon2id (argon2-cffi, the OWASP recommendation); hashes made with
older parameters are upgraded on the next successful sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.accounts.models import PanelUser, Role, RoleGrant, SignInAttempt
from bridge.clock import utcnow

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


@cache
def _dummy_hash() -> str:
    """A well-formed hash checked when the account does not exist, so timing tells nothing.
    Made on first use: hashing takes a tenth of a second that commands without sign-in need
    not wait for."""
    return HASHER.hash("not a real password, only for constant timing")


@dataclass(frozen=True)
class Throttle:
    """At most ``per_account`` failures per e-mail and ``per_address`` per IP in ``window``."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    display_name: str,
    password: str | None,
    grants: Iterable[tuple[Role, int | None]],
) -> PanelUser:
    email = normalize_email(email)
    if "@" not in email:
        raise AccountError("an e-mail address is required")
    if session.scalar(select(PanelUser).where(PanelUser.email == email)) is not None:
        raise AccountError(f"an account for {email} exists already")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = PanelUser(
        email=email,
        display_name=display_name.strip() or email,
        password_hash=HASHER.hash(password) if password else None,
    )
    set_grants(user, grants)
    session.add(user)
    session.flush()
    return user


def end_sessions(user: PanelUser) -> None:
    """Every session of this account ends at its next request."""
    user.session_epoch = (user.session_epoch or 0) + 1


def set_active(user: PanelUser, active: bool) -> None:
    if user.active is not False and not active:
        end_sessions(user)
    user.active = active


# Roles whose grants may name a department: an approver must (the steps they decide), procurement
# staff may (the awards they handle; without one, every department's).
SCOPED_ROLES = frozenset(
    {Role.APPROVER, Role.PROCUREMENT, Role.OWNER, Role.CERTIFIER, Role.FINANCE}
)


def grants_for(roles: Iterable[Role], departments: Iterable[int]) -> list[tuple[Role, int | None]]:
    """The grants of these roles: a scoped role once per department when departments are given
    (the form and the command line name them once for every scoped role), else once for all."""
    chosen = sorted(set(departments))
    grants: list[tuple[Role, int | None]] = []
    for role in roles:
        if role in SCOPED_ROLES and chosen:
            grants.extend((role, department) for department in chosen)
        else:
            grants.append((role, None))
    return grants


def set_grants(user: PanelUser, grants: Iterable[tuple[Role, int | None]]) -> None:
    """Grant exactly these roles; a session that began with other roles ends."""
    wanted = {
        (role.value, department if role in SCOPED_ROLES else None) for role, department in grants
    }
    if any(role == Role.APPROVER.value and department is None for role, department in wanted):
        raise AccountError("an approver must be given at least one department")
    held = {(grant.role, grant.department_id): grant for grant in user.grants}
    if set(held) != wanted:
        end_sessions(user)
    # Grants kept stay the same rows: replacing them all would insert a grant before its
    # twin is deleted, and the unique constraint refuses an account saved unchanged.
    user.grants = [
        held.get((role, department)) or RoleGrant(role=role, department_id=department)
        for role, department in sorted(wanted, key=str)
    ]


def user_by_email(session: Session, email: str) -> PanelUser | None:
    return session.scalar(select(PanelUser).where(PanelUser.email == normalize_email(email)))


def account_for_identity(
    session: Session, issuer: str, subject: str, email: object, email_verified: object
) -> PanelUser | None:
    """The account a provider's ID token stands for, or None.

    An account bound to this (issuer, subject) is it. Otherwise the token's e-mail address finds
    the account only when the provider says the address is verified (the claim must be present
    and true: Entra ID leaves it out, and a guest's address may be anyone's), and only if the
    account is not bound to another identity; the account is then bound to this one.
    """
    bound = session.scalar(
        select(PanelUser).where(PanelUser.oidc_issuer == issuer, PanelUser.oidc_subject == subject)
    )
    if bound is not None:
        return bound
    if email_verified is not True or not isinstance(email, str) or not email:
        return None
    account = user_by_email(session, email)
    if account is None or account.oidc_subject is not None:
        return None
    account.oidc_issuer, account.oidc_subject = issuer, subject
    return account


def is_throttled(
    session: Session, email: str, address: str, throttle: Throttle, now: datetime | None = None
) -> bool:
    since = (now or utcnow()) - throttle.window
    failures = (
        select(func.count())
        .select_from(SignInAttempt)
        .where(SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False))
    )
    by_account = session.scalar(failures.where(SignInAttempt.email == normalize_email(email))) or 0
    by_address = session.scalar(failures.where(SignInAttempt.address == address)) or 0
    return by_account >= throttle.per_account or by_address >= throttle.per_address


def authenticate(
    session: Session, email: str, password: str, address: str, now: datetime | None = None
) -> PanelUser | None:
    """The active user these credentials belong to, or ``None``; the attempt is recorded."""
    moment = now or utcnow()
    user = user_by_email(session, email)
    stored = user.password_hash if user is not None and user.active else None
    valid = _check(stored, password)
    session.add(
        SignInAttempt(email=normalize_email(email), address=address, at=moment, succeeded=valid)
    )
    if not valid or user is None:
        return None
    assert stored is not None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = HASHER.hash(password)
    user.last_sign_in_at = moment
    return user


def _check(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: PanelUser, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = HASHER.hash(password)
    end_sessions(user)


def people_with(session: Session, role: Role, department_id: int | None = None) -> list[PanelUser]:
    """The active accounts holding ``role`` (for ``department_id`` when given): whom to tell."""
    query = (
        select(PanelUser)
        .join(RoleGrant, RoleGrant.user_id == PanelUser.id)
        .where(PanelUser.active.is_(True), RoleGrant.role == role.value)
    )
    if department_id is not None:
        query = query.where(RoleGrant.department_id == department_id)
    return list(session.scalars(query.distinct().order_by(PanelUser.id)))
