"""Plausible values by argument and input-field name. A generated document is "repaired" part
of the time: a field named ``currency`` gets "USD", ``walletId`` a seeded wallet, ``first`` a
page size, ``credits`` a sensible amount — each field on its own chance, so that a mutation
with eight fields is sometimes wholly valid (and writes), sometimes valid but for one field
(and must refuse exactly that one, writing nothing)."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import graphql

from tests.fuzz import seed
from tests.fuzz.strategies import literal

MOMENTS = [
    seed.START.isoformat(),
    (seed.START - seed.TEN_DAYS / 5).isoformat(),
    (seed.START + seed.TEN_DAYS * 3).isoformat(),
]
AMOUNTS = ["1", "10", "100", "0.5", "2500", "49.99"]
FRESH = "fresh"  # a new value each time: a code, an external id or a key not seen before

VALUES: dict[str, list[Any]] = {
    "customerExternalId": [*seed.CUSTOMERS, "acme", "acme"],
    "externalId": [*seed.CUSTOMERS, FRESH, FRESH],
    "currency": ["USD", "USD", "EUR"],
    "billingEmail": ["billing@fuzz.test"],
    "email": ["ops@tally.test", FRESH],
    "metricCode": seed.METRICS,
    "planCode": seed.PLANS,
    "bundleCode": ["starter", "growth"],
    "code": [*seed.METRICS, *seed.PLANS, "growth", FRESH, FRESH],
    "walletId": ["1", "1", "2", "3", "4"],
    "id": ["1", "2", "3"],
    "subscriptionId": ["1", "2", "3"],
    "invoiceId": ["1", "2", "3"],
    "paymentMethodId": ["1", "2"],
    "grantId": ["1", "2", "5"],
    "endpointId": ["1"],
    "customerId": ["1"],
    "idempotencyKey": [FRESH, FRESH, "seed-top-up"],
    "transactionId": [FRESH, "seed-1"],
    "url": ["https://hooks.example.com/fuzz", "http://127.0.0.1:9/x"],
    "eventTypes": [["wallet.updated"], ["invoice.paid", "alert.triggered"]],
    "scopes": [["read"], ["admin"], ["ingest", "read"]],
    "actions": [["grant_credits"], ["login_failed"]],
    "excludeActions": [["login_failed"]],
    "reference": ["pm_sandbox_ok", "pm_sandbox_ok", "pm_sandbox_decline", "pm_sandbox_late_fail"],
    "password": ["correct horse battery"],
    "name": ["Fuzz"],
    "unitSingular": ["call"],
    "unitPlural": ["calls"],
    "description": ["fuzzed"],
    "reason": ["fuzzed"],
    "label": ["Visa"],
    "property": ["gb", "seats"],
    "search": ["ac", "acme"],
    "first": [1, 5, 50, 200],
    "after": [None],
    "days": [1, 7, 30, 366],
    "ttlSeconds": [60, 3600, 86400],
    "packageSize": [1, 10],
    "expiresInDays": [1, 30],
    "cooldownSeconds": [0, 600],
    "monthlyMaxRecharges": [1, 5],
    "priority": [0, 1],
    "timestamp": MOMENTS,
    "anchor": MOMENTS,
    "expiresAt": MOMENTS,
    "rate": ["0.01", "1"],
    "discountPercent": ["0", "10", "2.5"],
    "percentage": ["1", "2.5"],
    **{
        name: AMOUNTS
        for name in (
            "amount",
            "credits",
            "bonusCredits",
            "threshold",
            "overdraftLimit",
            "creditPrice",
            "price",
            "cost",
            "baseFee",
            "unitPrice",
            "flatFee",
            "fixedFee",
            "value",
            "units",
            "monthlyMaxAmount",
            "upTo",
        )
    },
}


def _pick(name: str, rng: random.Random) -> graphql.ValueNode:
    value = rng.choice(VALUES[name])
    if value == FRESH:
        fresh = f"fz{rng.randrange(10**9)}"
        value = f"{fresh}@fuzz.test" if name == "email" else fresh
    return literal(value)


def value(
    node: graphql.ValueNode, name: str, rng: random.Random, chance: float
) -> graphql.ValueNode:
    """``node`` (the value of the field or argument ``name``), repaired in place or below."""
    if isinstance(node, graphql.NullValueNode):
        return node
    if name in VALUES and rng.random() < chance:
        return _pick(name, rng)
    if isinstance(node, graphql.ObjectValueNode):
        fields = tuple(
            replace(field, value=value(field.value, field.name.value, rng, chance))
            for field in node.fields
        )
        return replace(node, fields=fields)
    if isinstance(node, graphql.ListValueNode) and not isinstance(VALUES.get(name, [""])[0], list):
        return replace(node, values=tuple(value(item, name, rng, chance) for item in node.values))
    return node


def arguments(field: graphql.FieldNode, rng: random.Random, chance: float) -> graphql.FieldNode:
    repaired = tuple(
        replace(argument, value=value(argument.value, argument.name.value, rng, chance))
        for argument in field.arguments
    )
    return replace(field, arguments=repaired)
