"""Signed webhooks: endpoints, events, deliveries with retries, and manual replay."""
