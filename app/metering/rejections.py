"""Rejected events: kept with the batch that refused them, for the console's events explorer.

The callers of ``ingest`` (``POST /v1/events`` and the ``ingestEvents`` mutation) call
``record`` in the batch's transaction with ``refused(...)``: one multi-row insert, and nothing
at all when every event was accepted or a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import orjson
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from app.metering.ingest import Outcome, Source, Status
from app.metering.models import (
    CODE_MAX,
    EXTERNAL_ID_MAX,
    LABEL_MAX,
    MESSAGE_MAX,
    RAW_MAX,
    TRANSACTION_ID_MAX,
    RejectedEvent,
)

SOURCES = {"http": "rest", "graphql": "graphql"}


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
    return value[:limit] if isinstance(value, str) else None


def _json(raw: object) -> str:
    try:
        text = orjson.dumps(raw, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # not representable as JSON (a nested dict too deep, for example)
        text = repr(raw)
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
                code=error.code[:LABEL_MAX],
                field=error.field[:LABEL_MAX] if error.field else None,
                message=error.message[:MESSAGE_MAX],
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
