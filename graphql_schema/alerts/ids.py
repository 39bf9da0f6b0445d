from __future__ import annotations

import strawberry

from app.errors import NotFound


def parse_wallet_id(value: strawberry.ID, field: str = "walletId") -> int:
    if not str(value).isdigit():
        raise NotFound(field, f"no wallet with id {value}")
    return int(value)
