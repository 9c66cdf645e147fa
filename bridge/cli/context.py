"""What every command shares: the settings and the database engine, built on first use so that
``--help`` needs neither, and the schema brought up to date before a command uses it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bridge.settings import Settings


@contextmanager
def settings_checked() -> Iterator[None]:
    """A missing or invalid setting stops the command with its message, not a traceback."""
    from bridge.settings import SettingsError

    try:
        yield
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


class Context:
    """Settings and database engine, built on first use so ``--help`` needs neither."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from bridge.audit import keeping as audit_keeping
            from bridge.settings import load_settings

            with settings_checked():
                self._settings = load_settings()
            audit_keeping.configure_from(self._settings)
            logging.getLogger().setLevel(self._settings.log_level)
        return self._settings

    def require_marketplace(self) -> Settings:
        with settings_checked():
            self.settings.require_marketplace()
        return self.settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from bridge.db.engine import make_engine

            self._engine = make_engine(self.settings.effective_database_url)
        return self._engine

    def migrated_engine(self) -> Engine:
        """The engine, with the schema brought up to date first (a new install just works)."""
        prepare_database(self.engine)
        return self.engine


pass_context = click.make_pass_decorator(Context, ensure=True)


def prepare_database(engine: Engine) -> None:
    from bridge.approvals.service import seed_chains
    from bridge.db.engine import session_factory, transaction
    from bridge.db.migrate import upgrade
    from bridge.departments.service import seed_departments
    from bridge.rules.settings import seed_rule_settings

    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        seed_departments(session)
        seed_rule_settings(session)
        seed_chains(session)
