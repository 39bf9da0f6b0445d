"""Billable metric use cases. A metric's code, aggregation and property are fixed at creation
(events already counted under them would change meaning); its name and unit labels can change.
Every change marks the catalog changed, so each process reloads it on its next read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import catalog_version
from app.errors import check_length
from app.metering import repository
from app.metering.errors import Conflict, ValidationFailed
from app.metering.models import (
    CODE_MAX,
    LABEL_MAX,
    NAME_MAX,
    PROPERTY_MAX,
    Aggregation,
    BillableMetric,
)

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


@dataclass(frozen=True)
class MetricInput:
    code: str
    name: str
    unit_singular: str
    unit_plural: str
    aggregation: Aggregation
    property: str | None = None
    description: str = ""


def _code(value: str) -> str:
    code = check_length(value, "code", CODE_MAX)
    if not CODE.match(code):
        raise ValidationFailed(
            "code", "may hold letters, digits and _ . : - (starting with a letter or digit)"
        )
    return code


def _property(aggregation: Aggregation, value: str | None) -> str | None:
    if aggregation is Aggregation.COUNT:
        if value is not None and value.strip():
            raise ValidationFailed("property", "a count metric reads no property")
        return None
    if value is None:
        raise ValidationFailed("property", f"is required for {aggregation.value}", code="required")
    return check_length(value, "property", PROPERTY_MAX)


async def create_metric(session: AsyncSession, data: MetricInput, now: datetime) -> BillableMetric:
    metric = BillableMetric(
        code=_code(data.code),
        name=check_length(data.name, "name", NAME_MAX),
        description=check_length(data.description, "description", 500, required=False),
        unit_singular=check_length(data.unit_singular, "unitSingular", LABEL_MAX),
        unit_plural=check_length(data.unit_plural, "unitPlural", LABEL_MAX),
        aggregation=data.aggregation,
        property=_property(data.aggregation, data.property),
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(metric)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "code", f"a metric with code '{metric.code}' exists", code="duplicate"
        ) from None
    await catalog_version.touch(session)
    return metric


async def update_metric(
    session: AsyncSession,
    code: str,
    now: datetime,
    *,
    name: str | None = None,
    description: str | None = None,
    unit_singular: str | None = None,
    unit_plural: str | None = None,
) -> BillableMetric:
    metric = await repository.get_by_code(session, code)
    if name is not None:
        metric.name = check_length(name, "name", NAME_MAX)
    if description is not None:
        metric.description = check_length(description, "description", 500, required=False)
    if unit_singular is not None:
        metric.unit_singular = check_length(unit_singular, "unitSingular", LABEL_MAX)
    if unit_plural is not None:
        metric.unit_plural = check_length(unit_plural, "unitPlural", LABEL_MAX)
    metric.updated_at = now
    session.add(metric)
    await session.flush()
    await catalog_version.touch(session)
    return metric
