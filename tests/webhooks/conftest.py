from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clock import FrozenClock
from app.config import Settings
from tests.webhooks.support import Receiver, webhook_receiver


@pytest.fixture
def receiver(clock: FrozenClock) -> Iterator[Receiver]:
    with webhook_receiver(clock) as running:
        yield running


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1, which Tally refuses unless allowed."""
    return settings.model_copy(update={"webhooks_allow_private": True})
