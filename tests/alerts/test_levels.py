"""Custom thresholds through the API: percentages and absolute levels, typed errors for bad
input, and thresholds set while the balance is already below them."""

from __future__ import annotations

from typing import Any

import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.alerts.support import ADD, REMOVE, RESET, SET, levels, thresholds
from tests.conftest import GraphQLClient
from tests.core.support import burn, create_customer, grant
from tests.notifications.support import Mailbox
from tests.webhooks.support import settle
from workers.system import JobSystem


@pytest.fixture
async def wallet(gql: GraphQLClient) -> int:
    wallet_id = await create_customer(gql, "acme", name="Acme", email="billing@acme.test")
    await grant(gql, wallet_id, "1000", "first")
    return wallet_id


def percent(value: str) -> dict[str, str]:
    return {"kind": "PERCENT", "value": value}


def absolute(value: str) -> dict[str, str]:
    return {"kind": "ABSOLUTE", "value": value}


async def change(gql: GraphQLClient, query: str, name: str, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(query, input=input))[name]
    return result


async def test_set_add_remove_and_reset(gql: GraphQLClient, wallet: int) -> None:
    chosen = await change(
        gql,
        SET,
        "setAlertThresholds",
        walletId=str(wallet),
        thresholds=[absolute("150"), percent("80"), percent("12.5")],
    )
    assert chosen["usesDefaults"] is False
    assert [(t["label"], t["level"], t["isDefault"]) for t in chosen["thresholds"]] == [
        ("80 %", "800", False),
        ("12.5 %", "125", False),
        ("150 credits", "150", False),
        ("depleted", "0", False),
    ]

    added = await change(gql, ADD, "addAlertThreshold", walletId=str(wallet), **absolute("0"))
    assert [t["label"] for t in added["thresholds"]][-2:] == ["0 credits", "depleted"]
    removed = await change(
        gql, REMOVE, "removeAlertThreshold", walletId=str(wallet), **percent("80")
    )
    assert [t["label"] for t in removed["thresholds"]] == [
        "12.5 %",
        "150 credits",
        "0 credits",
        "depleted",
    ]

    reset = (await gql(RESET, wallet=str(wallet)))["resetAlertThresholds"]
    assert reset["usesDefaults"] is True
    assert [(t["label"], t["isDefault"]) for t in reset["thresholds"]] == [
        ("50 %", True),
        ("25 %", True),
        ("10 %", True),
        ("depleted", False),
    ]


async def test_removing_a_default_keeps_the_other_defaults(gql: GraphQLClient, wallet: int) -> None:
    removed = await change(
        gql, REMOVE, "removeAlertThreshold", walletId=str(wallet), **percent("25")
    )
    assert removed["usesDefaults"] is False
    assert [t["label"] for t in removed["thresholds"]] == ["50 %", "10 %", "depleted"]
    emptied = await change(gql, SET, "setAlertThresholds", walletId=str(wallet), thresholds=[])
    assert [t["label"] for t in emptied["thresholds"]] == ["depleted"]


@pytest.mark.parametrize(
    ("query", "name", "input", "typename", "code", "field"),
    [
        (ADD, "addAlertThreshold", percent("0"), "ValidationError", "out_of_range", "value"),
        (ADD, "addAlertThreshold", percent("100.5"), "ValidationError", "out_of_range", "value"),
        (ADD, "addAlertThreshold", percent("-5"), "ValidationError", "out_of_range", "value"),
        (ADD, "addAlertThreshold", absolute("-1"), "ValidationError", "invalid_amount", "value"),
        (
            ADD,
            "addAlertThreshold",
            absolute("0.0000001"),
            "ValidationError",
            "invalid_amount",
            "value",
        ),
        (ADD, "addAlertThreshold", percent("50"), "ConflictError", "duplicate", "value"),
        (
            ADD,
            "addAlertThreshold",
            {"kind": "DEPLETED", "value": "0"},
            "ValidationError",
            "invalid",
            "kind",
        ),
        (REMOVE, "removeAlertThreshold", percent("33"), "NotFoundError", "not_found", "value"),
    ],
)
async def test_bad_changes_are_typed_errors(
    gql: GraphQLClient,
    wallet: int,
    query: str,
    name: str,
    input: dict[str, str],
    typename: str,
    code: str,
    field: str,
) -> None:
    result = await change(gql, query, name, walletId=str(wallet), **input)
    assert (result["__typename"], result["code"], result["field"]) == (typename, code, field)
    assert (await thresholds(gql, wallet))["usesDefaults"] is True  # nothing was written


async def test_bad_sets_name_the_offending_entry(gql: GraphQLClient, wallet: int) -> None:
    duplicated = await change(
        gql,
        SET,
        "setAlertThresholds",
        walletId=str(wallet),
        thresholds=[percent("40"), absolute("40"), percent("40.0")],
    )
    assert (duplicated["__typename"], duplicated["code"], duplicated["field"]) == (
        "ConflictError",
        "duplicate",
        "thresholds.2.value",
    )
    too_many = await change(
        gql,
        SET,
        "setAlertThresholds",
        walletId=str(wallet),
        thresholds=[absolute(str(n)) for n in range(21)],
    )
    assert (too_many["__typename"], too_many["field"]) == ("ValidationError", "thresholds")
    missing = await change(gql, SET, "setAlertThresholds", walletId="999", thresholds=[])
    assert (missing["__typename"], missing["field"]) == ("NotFoundError", "walletId")
    unknown = (
        await gql(
            'query { alertThresholds(walletId: "nope") { __typename ... on Error { field } } }'
        )
    )["alertThresholds"]
    assert unknown == {"__typename": "NotFoundError", "field": "walletId"}


async def test_custom_levels_fire_and_a_level_set_below_the_balance_waits(
    gql: GraphQLClient,
    wallet: int,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    await change(
        gql,
        SET,
        "setAlertThresholds",
        walletId=str(wallet),
        thresholds=[percent("90"), absolute("500")],
    )
    await burn(runtime, wallet, "150")  # 850 < 900
    await settle(database_url, jobs, clock)
    assert [m.subject for m in mailbox.received] == ["Acme: 850 credits left (90 % alert)"]

    # Already below 2,000: it counts as crossed, so it waits for the next crossing.
    added = await change(gql, ADD, "addAlertThreshold", walletId=str(wallet), **absolute("2000"))
    assert ("2,000 credits", "2000", False) in levels(added)
    await burn(runtime, wallet, "300")  # 550: nothing crossed
    await settle(database_url, jobs, clock)
    assert len(mailbox.received) == 1

    await burn(runtime, wallet, "100")  # 450 < 500
    await settle(database_url, jobs, clock)
    assert mailbox.received[-1].subject == "Acme: 450 credits left (500 credits alert)"
    assert "Acme has 450 credits left (≈ 4.50 USD) — below your alert at 500 credits." in (
        mailbox.received[-1].part("plain")
    )


async def test_a_percentage_needs_credits_added_first(
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    """A wallet that never received credits has no reference: only "depleted" can fire."""
    wallet_id = await create_customer(gql, "zed", name="Zed", email="zed@zed.test")
    assert levels(await thresholds(gql, wallet_id)) == [
        ("50 %", None, True),
        ("25 %", None, True),
        ("10 %", None, True),
        ("depleted", "0", True),
    ]
    await burn(runtime, wallet_id, "5")
    await settle(database_url, jobs, clock)
    assert [m.subject for m in mailbox.received] == ["Zed has run out of credits"]
