"""Rejected events: kept with the batch that refused them, for the console's events explorer.

The callers of ``ingest`` (``POST /v1/events`` and the ``ingestEvents`` mutation) call
``record`` in the batch's transaction with ``refused(...)``: one multi-row insert, and nothing
at all when every event was accepted or a duplicate.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import orjson
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from app.inputs import Invalid, printable
from app.metering.models import (
    CODE_MAX,
    EXTERNAL_ID_MAX,
    LABEL_MAX,
    MESSAGE_MAX,
    RAW_MAX,
    TRANSACTION_ID_MAX,
    RejectedEvent,
)
from app.metering.outcomes import Outcome, Source, Status

SOURCES = {"http": "rest", "graphql": "graphql"}
SHOWN_DEPTH = 16  # levels of the event's JSON kept in ``raw``


@dataclass(frozen=True)
class Rejection:
    source: str  # "rest" or "graphql"
    api_key_id: int | None
    transaction_id: str | None
    customer_external_id: str | None
    metric_code: str | None
    code: str
    field: str | None
    message: str
    raw: str


def _text(raw: object, name: str, limit: int) -> str | None:
    value = raw.get(name) if isinstance(raw, dict) else None
    return printable(value[:limit]) if isinstance(value, str) else None


def _shown(value: object, depth: int = 0) -> object:
    """A copy of ``value`` that any JSON encoder takes and PostgreSQL stores: text made
    printable, containers below ``SHOWN_DEPTH`` and past ``RAW_MAX`` items elided, anything
    that is not JSON as its type's name. Bounded work, whatever was sent."""
    if isinstance(value, str):
        return printable(value[:RAW_MAX])
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return f"<an integer of {value.bit_length()} bits>"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime):  # a GraphQL timestamp, as coerced
        return value.isoformat()
    if isinstance(value, (dict, list)) and depth >= SHOWN_DEPTH:
        return "…"
    if isinstance(value, dict):
        items = itertools.islice(value.items(), RAW_MAX)
        return {printable(str(k)[:RAW_MAX]): _shown(v, depth + 1) for k, v in items}
    if isinstance(value, list):
        return [_shown(v, depth + 1) for v in value[:RAW_MAX]]
    if isinstance(value, Invalid):  # a GraphQL scalar could not read it
        return f"<{value.message}>"
    return f"<{type(value).__name__}>"


def _json(raw: object) -> str:
    try:
        text = orjson.dumps(_shown(raw)).decode()
    except TypeError:  # unreachable for what ``_shown`` returns; never fail a batch on it
        text = '"<not shown>"'
    return text if len(text) <= RAW_MAX else text[: RAW_MAX - 1] + "…"


def refused(events: Sequence[object], outcome: Outcome, source: Source) -> list[Rejection]:
    """The rejected events of ``outcome`` (``events`` as the batch sent them)."""
    names = source.names
    found = []
    for result in outcome.results:
        if result.status is not Status.REJECTED or result.error is None:
            continue
        raw = events[result.position]
        error = result.error
        found.append(
            Rejection(
                source=SOURCES.get(source.kind, source.kind),
                api_key_id=source.api_key_id,
                transaction_id=_text(raw, names.transaction_id, TRANSACTION_ID_MAX),
                customer_external_id=_text(raw, names.customer, EXTERNAL_ID_MAX),
                metric_code=_text(raw, names.metric, CODE_MAX),
                code=printable(error.code[:LABEL_MAX]),
                field=printable(error.field[:LABEL_MAX]) if error.field else None,
                message=printable(error.message[:MESSAGE_MAX]),
                raw=_json(raw),
            )
        )
    return found


async def record(session: AsyncSession, items: Sequence[Rejection], now: datetime) -> None:
    """Store ``items`` in one multi-row insert; nothing to do (no query) when there are none."""
    if not items:
        return
    rows = [{**asdict(item), "received_at": now} for item in items]
    await (await session.connection()).execute(insert(RejectedEvent).values(rows))
