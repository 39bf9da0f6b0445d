"""What ingesting a batch of usage events answers: each event's result (accepted, duplicate,
rejected with its error, in the order sent) and the balances of the wallets it debited; and
where a batch came from. Made by the ingest flow (``app.flows.ingest``), read by the API,
``POST /v1/events`` and the rejected-events record (``app.metering.rejections``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.errors import DomainError
from app.metering.validation import FieldNames


class Status(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class EventResult(NamedTuple):
    position: int  # in the request
    transaction_id: str | None
    status: Status
    error: DomainError | None = None


@dataclass(frozen=True)
class WalletBalance:
    wallet_id: int
    customer_external_id: str
    currency: str
    balance: Decimal


@dataclass(frozen=True)
class Outcome:
    results: list[EventResult]
    wallets: list[WalletBalance]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)


@dataclass(frozen=True)
class Source:
    """Where a batch came from: "http" or "graphql", the API key, the field spelling."""

    kind: str
    api_key_id: int | None
    names: FieldNames
