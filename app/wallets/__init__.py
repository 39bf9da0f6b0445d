"""Wallets: credits in grants, drawn in burn order by the ledger (in PostgreSQL), balances
exact at the moment they are read, bundles and signup bonuses."""

from app.wallets.balances import due, due_sql
from app.wallets.ledger import (
    Cause,
    Usage,
    UsageDebit,
    debit,
    debit_many,
    expire,
    lock_wallet,
    take_touched,
)
from app.wallets.models import (
    Bundle,
    CauseType,
    DepletionPolicy,
    EntryKind,
    Grant,
    GrantKind,
    GrantSource,
    RolloverPolicy,
    Wallet,
)
from app.wallets.repository import bundle_by_code, for_customer, get
from app.wallets.rollover import Rollover, roll_due
from app.wallets.rollover import set_policy as set_rollover_policy
from app.wallets.rollover import validate as validate_rollover
from app.wallets.service import (
    BundleInput,
    Entitlement,
    GrantRequest,
    burn,
    create_bundle,
    create_wallet,
    entitlement,
    expire_due,
    grant_credits,
    set_signup_bonus,
)

__all__ = [
    "Bundle",
    "BundleInput",
    "Cause",
    "CauseType",
    "DepletionPolicy",
    "Entitlement",
    "EntryKind",
    "Grant",
    "GrantKind",
    "GrantRequest",
    "GrantSource",
    "Rollover",
    "RolloverPolicy",
    "Usage",
    "UsageDebit",
    "Wallet",
    "bundle_by_code",
    "burn",
    "create_bundle",
    "create_wallet",
    "debit",
    "debit_many",
    "due",
    "due_sql",
    "entitlement",
    "expire",
    "expire_due",
    "for_customer",
    "get",
    "grant_credits",
    "lock_wallet",
    "roll_due",
    "set_rollover_policy",
    "set_signup_bonus",
    "take_touched",
    "validate_rollover",
]
