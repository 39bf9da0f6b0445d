"""Emails from templates over SMTP; every message is recorded with its status."""
