from tests.alerts.conftest import mailbox, receiver, settings

__all__ = ["mailbox", "receiver", "settings"]
