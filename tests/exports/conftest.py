"""Fixtures of the export tests: an award synced from the fixtures, ready to export."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bridge.marketplace.client import MarketplaceClient
from tests.exports.samples import synced_record
from tests.fakes.marketplace import FakeMarketplace


@pytest.fixture
def awarded(
    fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session], mocked: Any
) -> None:
    synced_record(fake, client, sessions)
