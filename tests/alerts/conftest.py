from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clock import FrozenClock
from app.config import Settings
from tests.notifications.support import Mailbox, smtp_server
from tests.webhooks.support import Receiver, webhook_receiver


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def receiver(clock: FrozenClock) -> Iterator[Receiver]:
    with webhook_receiver(clock) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    # The mailbox and the webhook receiver listen on 127.0.0.1: private addresses allowed.
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "webhooks_allow_private": True,
        }
    )
