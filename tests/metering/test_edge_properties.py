"""Arbitrary text, JSON and numbers thrown at the edge's parsers and checks: each answers with
a value or a typed error (``DomainError``, ``Invalid``), never another exception, and what it
accepts PostgreSQL can store."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from graphql import FloatValueNode, IntValueNode, StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import inputs
from app.errors import DomainError
from app.inputs import JSON_DEPTH_MAX, Invalid, unstorable
from app.metering import rejections
from app.metering.aggregation import measure
from app.metering.models import RAW_MAX, Aggregation
from app.metering.validation import GRAPHQL_FIELDS, REST_FIELDS, Window, parse
from graphql_schema import scalars

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
WINDOW = Window.around(NOW, 7, 300)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any Python text: NUL, lone surrogates and the rest of Unicode.
TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "", " ", "NaN", "1e999999"]),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)
KEYS = ["transaction_id", "customer_external_id", "metric_code", "timestamp", "properties"]
KEYS += ["transactionId", "customerExternalId", "metricCode"]
EVENTS = st.one_of(JSON, st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))


def _nested(value: object, levels: int) -> object:
    for _ in range(levels):
        value = {"a": value}
    return value


def _storable(value: Any, depth: int = 0) -> bool:
    """Text PostgreSQL stores, nesting within the limit."""
    if isinstance(value, str):
        return unstorable(value) is None
    if isinstance(value, dict):
        return depth < JSON_DEPTH_MAX and all(
            _storable(k) and _storable(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return depth < JSON_DEPTH_MAX and all(_storable(v, depth + 1) for v in value)
    return True


@SETTINGS
@given(raw=EVENTS, graphql=st.booleans())
def test_parse_accepts_or_names_the_field(raw: object, graphql: bool) -> None:
    names = GRAPHQL_FIELDS if graphql else REST_FIELDS
    try:
        parsed = parse(0, raw, names, WINDOW)
    except DomainError as error:
        assert error.code and error.message
        assert error.field is None or unstorable(error.field) is None
        assert unstorable(error.message) is None
        return
    for text in (parsed.transaction_id, parsed.customer, parsed.metric):
        assert unstorable(text) is None
    assert _storable(orjson.loads(parsed.properties_json))


@SETTINGS
@given(raw=JSON, levels=st.integers(0, 1000))
def test_json_text_accepts_or_names_the_field(raw: object, levels: int) -> None:
    value = _nested(raw, levels)
    try:
        stored = inputs.json_text(value, "properties")
    except DomainError as error:
        assert error.field is not None and error.field.startswith("properties")
        return
    assert _storable(orjson.loads(stored)) and len(stored) <= inputs.JSON_SIZE_MAX


@SETTINGS
@given(value=st.one_of(JSON, NUMBERS), aggregation=st.sampled_from(list(Aggregation)))
def test_measure_reads_a_value_or_names_the_property(
    value: object, aggregation: Aggregation
) -> None:
    try:
        found = measure(aggregation, "units", {"units": value}, "properties")
    except DomainError as error:
        assert error.field == "properties.units"
        return
    if isinstance(found, Decimal):
        assert found.is_finite() and 0 <= found <= 10**15


@SETTINGS
@given(raw=st.one_of(JSON, EVENTS, st.builds(_nested, JSON, st.integers(0, 600))))
def test_a_rejected_event_is_always_kept_as_storable_text(raw: object) -> None:
    shown = rejections._json(raw)
    assert len(shown) <= RAW_MAX and unstorable(shown) is None


@SETTINGS
@given(
    body=st.one_of(st.binary(max_size=60), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
)
def test_a_body_is_json_or_a_decode_error(body: bytes) -> None:
    with contextlib.suppress(orjson.JSONDecodeError):
        inputs.loads(body)


@SETTINGS
@given(value=st.one_of(JSON, NUMBERS, TEXT))
def test_credits_and_decimal_read_a_number_or_say_why_not(value: object) -> None:
    for parsed in (scalars._parse_credits(value), scalars._parse_decimal(value)):
        if isinstance(parsed, Invalid):
            assert parsed.message and parsed.code
        else:
            assert isinstance(parsed, Decimal) and parsed.is_finite()
            assert parsed.is_zero() or abs(parsed.adjusted()) <= scalars.DIGITS_MAX


@SETTINGS
@given(text=TEXT | st.from_regex(r"-?[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,12})?"))
def test_credits_literals_read_like_variables(text: str) -> None:
    nodes = [StringValueNode(value=text), IntValueNode(value=text), FloatValueNode(value=text)]
    expected = scalars._parse_credits(text)
    for node in nodes:
        assert scalars._literal_credits(node) == expected


@SETTINGS
@given(value=st.one_of(TEXT, NUMBERS, st.datetimes(timezones=st.timezones()).map(str)))
def test_datetime_reads_a_moment_with_a_time_zone_or_says_why_not(value: object) -> None:
    parsed = scalars._parse_datetime(value)
    if isinstance(parsed, Invalid):
        assert parsed.code == "invalid_timestamp"
    else:
        assert parsed.tzinfo is not None and scalars.EARLIEST <= parsed < scalars.LATEST
