"""Logging in to the console: the login page, operator sessions (``auth``), checking
credentials (``credentials``: throttled and audited) and a new browser id at every login
(``sessions``)."""
