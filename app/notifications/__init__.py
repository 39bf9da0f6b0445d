"""Emails from templates over SMTP; every message is recorded with its status."""

from app.notifications.service import CUSTOMER, Message, deliver, write

__all__ = ["CUSTOMER", "Message", "deliver", "write"]
