from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clock import FrozenClock
from tests.webhooks.support import Receiver, webhook_receiver


@pytest.fixture
def receiver(clock: FrozenClock) -> Iterator[Receiver]:
    with webhook_receiver(clock) as running:
        yield running
