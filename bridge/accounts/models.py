"""Panel users, the roles granted to them, and sign-in attempts (for throttling)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.accounts.roles import Role
from bridge.clock import utcnow
from bridge.db.base import Base
from bridge.db.types import UTCDateTime

__all__ = ["PanelUser", "Role", "RoleGrant", "SignInAttempt"]


class PanelUser(Base):
    __tablename__ = "panel_users"
    __table_args__ = (
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_panel_users_oidc_identity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(Text)
    # None for accounts that only sign in through the department's OpenID Connect provider.
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The department provider's identity (issuer, subject) this account was bound to the first
    # time it signed in through the provider: an e-mail address can change hands, a subject
    # does not.
    oidc_issuer: Mapped[str | None] = mapped_column(String(300))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # Every panel session carries the epoch it began in; moving it on (sign-out, a new password,
    # other roles, deactivation) ends every session of the account, cookies copied included.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(grant.role) for grant in self.grants)

    def named_departments(self) -> frozenset[int]:
        """Every department the account's grants name, whatever the role."""
        return frozenset(
            grant.department_id for grant in self.grants if grant.department_id is not None
        )

    def department_ids(self, role: Role) -> frozenset[int]:
        return frozenset(
            grant.department_id
            for grant in self.grants
            if grant.role == role.value and grant.department_id is not None
        )


class RoleGrant(Base):
    """One role for one user; an approver's grant names the department it covers."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("panel_users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )

    user: Mapped[PanelUser] = relationship(back_populates="grants")


class SignInAttempt(Base):
    """Kept in the database so that throttling holds across several panel processes."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
