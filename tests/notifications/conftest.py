from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.notifications.support import Mailbox, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    """The test settings, sending through the test's SMTP server, with two operators."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "operator_emails": "ops@tally.test, finance@tally.test",
        }
    )
