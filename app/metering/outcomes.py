"""What ingesting a batch of usage events answers: each event's result (accepted, duplicate,
rejected with its error, in the order sent) and the balances of the wallets it debited; and
where a batch came from. Made by the ingest flow (``app.flows.ingest``), read by the API,
``POST /v1/events`` and the rejected-events record (``app.metering.rejections``)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # By position: the wallet each accepted event was charged to (None for the others).
    charged: list[int | None] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    def part(self, start: int, stop: int) -> Outcome:
        """The outcome of the events ``start`` to ``stop`` of this batch, numbered from 0, with
        the wallets they were charged to (a request's share of a group, ``app.flows``)."""
        results = [r._replace(position=r.position - start) for r in self.results[start:stop]]
        charged = self.charged[start:stop]
        wallets = [w for w in self.wallets if w.wallet_id in charged]
        return Outcome(results, wallets, charged)


@dataclass(frozen=True)
class Source:
    """Where a batch came from: "http" or "graphql", the API key, the field spelling."""

    kind: str
    api_key_id: int | None
    names: FieldNames
