"""One module per page. ``register`` adds the pages whose GraphQL operations exist."""

from __future__ import annotations

from console.api import Console
from console.layout import NAV, NavItem


def register(console: Console) -> None:
    from console.pages import (
        api_keys,
        audit,
        customer,
        customers,
        dashboard,
        emails,
        events,
        invoices,
        login,
        operators,
        plans,
        portal,
        webhooks,
    )

    NAV.clear()
    NAV.append(NavItem("Dashboard", "/console", "dashboard"))
    NAV.append(NavItem("Customers", "/console/customers", "people"))
    for module, field, item in (
        (invoices, "invoices", NavItem("Invoices", "/console/invoices", "receipt_long")),
        (plans, "plans", NavItem("Plans & metrics", "/console/plans", "sell")),
        (events, "events", NavItem("Events", "/console/events", "bolt")),
        (webhooks, "webhookEndpoints", NavItem("Webhooks", "/console/webhooks", "webhook")),
        (emails, "emails", NavItem("Emails", "/console/emails", "mail")),
    ):
        if console.has_query(field):
            NAV.append(item)
            module.register(console)
    NAV.append(NavItem("API keys", "/console/api-keys", "key", admin_only=True))
    NAV.append(NavItem("Operators", "/console/operators", "badge", admin_only=True))
    NAV.append(NavItem("Audit log", "/console/audit", "history"))
    for page in (login, dashboard, customers, customer, api_keys, operators, audit, portal):
        page.register(console)
