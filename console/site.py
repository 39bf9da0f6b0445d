"""The console's pages and its navigation: one module or package per domain. ``register`` adds
the pages whose GraphQL operations exist."""

from __future__ import annotations

from console.api import Console
from console.layout import NAV, NavItem


def register(console: Console) -> None:
    from console import (
        api_keys,
        audit,
        dashboard,
        emails,
        operators,
        revenue,
        usage_events,
        webhooks,
    )
    from console.customers import listing, page
    from console.invoices import pages as invoices
    from console.login import page as login
    from console.plans import page as plans
    from console.portal import page as portal

    NAV.clear()
    NAV.append(NavItem("Dashboard", "/console", "dashboard"))
    NAV.append(NavItem("Customers", "/console/customers", "people"))
    for module, field, item in (
        (invoices, "invoices", NavItem("Invoices", "/console/invoices", "receipt_long")),
        (plans, "plans", NavItem("Plans & metrics", "/console/plans", "sell")),
        (usage_events, "events", NavItem("Events", "/console/events", "bolt")),
        (webhooks, "webhookEndpoints", NavItem("Webhooks", "/console/webhooks", "webhook")),
        (emails, "emails", NavItem("Emails", "/console/emails", "mail")),
        (revenue, "revenueReport", NavItem("Revenue", "/console/revenue", "query_stats")),
    ):
        if console.has_query(field):
            NAV.append(item)
            module.register(console)
    NAV.append(NavItem("API keys", "/console/api-keys", "key", admin_only=True))
    NAV.append(NavItem("Operators", "/console/operators", "badge", admin_only=True))
    NAV.append(NavItem("Audit log", "/console/audit", "history"))
    for module in (login, dashboard, listing, page, api_keys, operators, audit, portal):
        module.register(console)
