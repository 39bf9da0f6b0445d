"""Plain-language audit lines, one describer per mutation that changes something.

A describer gets the raw GraphQL arguments and the mutation's successful payload and returns
the ``Action`` to record (or None to record nothing). Mutations without a describer get a
generic line, so a mutation added later is audited from its first day.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.audit import words
from app.audit.service import Action, Actor
from app.customers.models import Customer
from app.wallets.models import Wallet
from graphql_schema.pagination import row_id

if TYPE_CHECKING:
    from graphql_schema.access.mutations import ApiKeyCreated, ApiKeyPayload
    from graphql_schema.customers.mutations import CustomerPayload
    from graphql_schema.wallets.mutations import LedgerEntryPayload, WalletPayload

Describer = Callable[[AsyncSession, Actor, dict[str, Any], Any], Awaitable[Action | None]]

# Machine traffic, not actions a person takes: auditing it would drown the log.
UNAUDITED = frozenset({"ingestEvents", "createCustomerToken"})
# Inputs a generic line does not spell out (ids, keys, secrets, long text).
HIDDEN_INPUTS = frozenset(
    {
        "walletId",
        "customerExternalId",
        "externalId",
        "idempotencyKey",
        "reason",
        "password",
        "secret",
        "description",
        "id",
    }
)


def _input(args: dict[str, Any]) -> dict[str, Any]:
    value = args.get("input")
    return value if isinstance(value, dict) else args


def _reason(text: object) -> str:
    return f" — reason: {text}" if text else ""


async def _customer_of_wallet(session: AsyncSession, wallet: Wallet) -> Customer | None:
    return await session.get(Customer, wallet.customer_id)


def _entry_key(field: str, payload: LedgerEntryPayload) -> str:
    return f"{field}:ledger:{payload.entry.id}"


async def grant_credits(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: LedgerEntryPayload
) -> Action:
    data = _input(args)
    customer = await _customer_of_wallet(session, payload.wallet)
    who = customer.name if customer else f"wallet {payload.wallet.id}"
    expires = data.get("expiresAt")
    until = f" (expiring {words.day(expires)})" if expires else ""
    return Action(
        action="grantCredits",
        summary=f"{actor.words()} granted {words.credits(data['amount'])} to {who}{until}"
        + _reason(data.get("reason")),
        customer_external_id=customer.external_id if customer else None,
        reason=str(data.get("reason") or "") or None,
        details=data,
        dedupe_key=_entry_key("grantCredits", payload),
    )


async def void_credits(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: LedgerEntryPayload
) -> Action:
    data = _input(args)
    customer = await _customer_of_wallet(session, payload.wallet)
    who = customer.name if customer else f"wallet {payload.wallet.id}"
    return Action(
        action="voidCredits",
        summary=f"{actor.words()} voided {words.credits(data['amount'])} from {who}"
        + _reason(data.get("reason")),
        customer_external_id=customer.external_id if customer else None,
        reason=str(data.get("reason") or "") or None,
        details=data,
        dedupe_key=_entry_key("voidCredits", payload),
    )


async def create_customer(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: CustomerPayload
) -> Action:
    customer = payload.customer
    wallet = " with a wallet" if payload.wallet is not None else ""
    return Action(
        action="createCustomer",
        summary=f"{actor.words()} created the customer {customer.name} "
        f"({customer.external_id}){wallet}",
        customer_external_id=customer.external_id,
        details=_input(args),
    )


async def update_customer(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: CustomerPayload
) -> Action:
    data = _input(args)
    customer = payload.customer
    changed = [_words(k) for k in data if k != "externalId"]
    what = f" ({', '.join(changed)})" if changed else ""
    return Action(
        action="updateCustomer",
        summary=f"{actor.words()} updated the customer {customer.name}{what}",
        customer_external_id=customer.external_id,
        details=data,
    )


async def create_wallet(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: WalletPayload
) -> Action:
    wallet = payload.wallet
    customer = await session.get(Customer, wallet.customer_id)
    return Action(
        action="createWallet",
        summary=f"{actor.words()} opened a {wallet.currency} wallet for "
        f"{customer.name if customer else wallet.customer_id}",
        customer_external_id=customer.external_id if customer else None,
        details=_input(args),
    )


async def update_wallet_policy(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: WalletPayload
) -> Action:
    wallet = payload.wallet
    customer = await session.get(Customer, wallet.customer_id)
    policy = {
        "block": "stop access at zero",
        "overdraft": f"allow an overdraft down to −{words.number(wallet.overdraft_limit)}",
        "allow": "never stop access (debt is invoiced)",
    }.get(str(wallet.policy), str(wallet.policy))
    return Action(
        action="updateWalletPolicy",
        summary=f"{actor.words()} set {customer.name if customer else 'a customer'}'s "
        f"{wallet.currency} wallet to {policy}",
        customer_external_id=customer.external_id if customer else None,
        details=_input(args),
    )


async def create_api_key(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: ApiKeyCreated
) -> Action:
    key = payload.api_key
    return Action(
        action="createApiKey",
        summary=f"{actor.words()} created the API key “{key.name}” "
        f"(scopes: {', '.join(key.scopes)})",
        details={"name": key.name, "scopes": list(key.scopes), "prefix": key.prefix},
    )


async def revoke_api_key(
    session: AsyncSession, actor: Actor, args: dict[str, Any], payload: ApiKeyPayload
) -> Action:
    key = payload.api_key
    return Action(
        action="revokeApiKey",
        summary=f"{actor.words()} revoked the API key “{key.name}”",
        details={"id": key.id, "name": key.name},
        dedupe_key=f"revokeApiKey:{key.id}",
    )


def change_alerts(field: str) -> Describer:
    """ "ops@tally.test changed the spend alerts of Acme Corp" (the trail adds old → new)."""

    async def described(
        session: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
    ) -> Action:
        data = _input(args)
        wallet_id = row_id(data.get("walletId"))
        wallet = await session.get(Wallet, wallet_id) if wallet_id is not None else None
        customer = await _customer_of_wallet(session, wallet) if wallet else None
        who = customer.name if customer else f"wallet {data.get('walletId')}"
        return Action(
            action=field,
            summary=f"{actor.words()} changed the spend alerts of {who}",
            customer_external_id=customer.external_id if customer else None,
            details=data,
        )

    return described


async def generic(
    field: str, session: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    """ "admin@tally.test did “add alert threshold” for Acme Corp (kind PERCENT, value 20)"."""
    data = _input(args)
    customer_id = data.get("customerExternalId") or data.get("externalId")
    who = customer_id if isinstance(customer_id, str) else None
    wallet_id = row_id(data.get("walletId"))
    if wallet_id is not None:
        wallet = await session.get(Wallet, wallet_id)
        customer = await session.get(Customer, wallet.customer_id) if wallet else None
        if customer is not None:
            who, customer_id = customer.name, customer.external_id
    about = f" for {who}" if who else ""
    shown = [
        f"{_words(k)} {v.name if isinstance(v, Enum) else v}"
        for k, v in data.items()
        if k not in HIDDEN_INPUTS
        and isinstance(v, str | int | float | Decimal | Enum)
        and not isinstance(v, bool)
    ][:4]
    if shown:
        about += f" ({', '.join(str(s) for s in shown)})"
    key = data.get("idempotencyKey")
    dedupe = None
    if isinstance(key, str) and key:
        fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
        dedupe = f"{field}:{key}:{fingerprint.hexdigest()[:16]}"
    return Action(
        action=field,
        summary=f"{actor.words()} did “{_words(field)}”{about}" + _reason(data.get("reason")),
        customer_external_id=customer_id if isinstance(customer_id, str) else None,
        reason=str(data.get("reason") or "") or None,
        details=data,
        dedupe_key=dedupe,
    )


def _words(name: str) -> str:
    """``updateWalletPolicy`` → "update wallet policy"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


DESCRIBERS: dict[str, Describer] = {
    "grantCredits": grant_credits,
    "voidCredits": void_credits,
    "createCustomer": create_customer,
    "updateCustomer": update_customer,
    "createWallet": create_wallet,
    "updateWalletPolicy": update_wallet_policy,
    "createApiKey": create_api_key,
    "revokeApiKey": revoke_api_key,
    **{
        field: change_alerts(field)
        for field in (
            "setAlertThresholds",
            "addAlertThreshold",
            "removeAlertThreshold",
            "resetAlertThresholds",
        )
    },
}


def register(field: str, describer: Describer) -> None:
    """Let a domain's GraphQL package describe its own mutations in plain words."""
    DESCRIBERS[field] = describer


async def describe(
    field: str, session: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action | None:
    if field in UNAUDITED:
        return None
    describer = DESCRIBERS.get(field)
    if describer is None:
        return await generic(field, session, actor, args, payload)
    return await describer(session, actor, args, payload)
