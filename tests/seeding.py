"""Where rule, approval, panel and export tests start: the captured marketplace synced once into
a seeded database, and every opportunity judged by the rules."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.approvals.service import seed_chains
from bridge.db.engine import transaction
from bridge.departments.service import seed_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.rules.pipeline import drain_pending
from bridge.rules.settings import seed_rule_settings
from tests.sync.helpers import make_sync


def seed(sessions: sessionmaker[Session], *, chains: bool = False) -> None:
    """What an operator's first start writes: the departments and rule settings (and the
    approval chains), with no marketplace data yet."""
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        if chains:
            seed_chains(session)


def first_sync_judged(
    client: MarketplaceClient, sessions: sessionmaker[Session], *, chains: bool = False
) -> None:
    """Seed the departments and rule settings (and approval chains), sync once, judge it all."""
    seed(sessions, chains=chains)
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
