"""Hypothesis strategies for the fuzzer: GraphQL literals for Tally's custom scalars, and the
built-in ``String`` and ``ID`` drawn part of the time from the seeded rows (``seed.VOCABULARY``,
``seed.IDS``), so that operations reach real customers, wallets, plans and invoices instead of
stopping at "not found". Each scalar also draws the hostile values the edge must refuse with a
typed error: NUL, lone surrogates, over-long text, NaN, years past 2999, JSON too deep."""

from __future__ import annotations

from typing import Any

import graphql
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from tests.fuzz import seed

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "acme\x00",
    "\ud800",
    "a\udfffb",
    "x" * 256,
    "y" * 4097,
    "'; DROP TABLE customers; --",
    "%s%n%x",
    "../../etc/passwd",
    "\u202eevil",
    "😀" * 10,
    "ß\u0301",
    "null",
    "1e400",
    "-1",
    "0",
    "9" * 40,
]
HOSTILE_NUMBERS = [
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "",
    " ",
    "0x10",
    "1_000",
    "1e400",
    "1e-400",
    "1E+41",
    "-0",
    "0.0000001",
    "1000000000000000",
    "1000000000000000.000001",
    "-1000000000000001",
    "999999999999999999",
    "9" * 64,
    "9" * 65,
    "٣",
    "1\x00",
    "\ud800",
    "1.2.3",
    "--1",
    "+5",
    " 7 ",
]
HOSTILE_MOMENTS = [
    "",
    "2026-01-15",
    "2026-01-15T12:00:00",
    "2026-02-30T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-23:59",
    "2026-01-15T12:00:00\x00Z",
    "2026-01-15T12:00:00Z\ud800",
    "now",
    "2026-01-15T25:00:00Z",
    "1" * 80,
]


def string_node(text: str) -> graphql.ValueNode:
    return nodes.String(text)


def literal(value: Any) -> graphql.ValueNode:
    """A GraphQL literal for a JSON-like Python value."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([literal(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=_name_safe(k)), value=literal(v))
            for k, v in value.items()
        ]
    )


def _name_safe(key: str) -> str:
    """Object keys in a GraphQL literal are names ([_A-Za-z][_0-9A-Za-z]*)."""
    cleaned = "".join(c for c in key if c.isascii() and (c.isalnum() or c == "_"))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"k{cleaned}"


def _json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(HOSTILE_TEXT),
    )


def json_values(keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """JSON values: small trees, keys from the seeded property names part of the time."""
    key = keys if keys is not None else st.sampled_from(seed.PROPERTY_KEYS) | st.text(max_size=8)
    return st.recursive(
        _json_scalars(),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=4)
        ),
        max_leaves=12,
    )


def nested(depth: int) -> Any:
    value: Any = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


def _numbers(*, places: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["0", "1", "5", "10", "100", "0.5", "1487.5", "-5", "0.01", "50.00"]),
        st.decimals(allow_nan=False, allow_infinity=False, places=places).map(str),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.sampled_from(HOSTILE_NUMBERS),
    )


def _number_nodes(*, places: int) -> st.SearchStrategy[graphql.ValueNode]:
    """A decimal as a string literal (the documented spelling), or as an Int or Float literal,
    or a literal of the wrong kind."""
    return st.one_of(
        _numbers(places=places).map(string_node),
        _numbers(places=places).map(string_node),
        st.integers(min_value=-(10**20), max_value=10**20).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.sampled_from([nodes.Boolean(True), nodes.List([]), nodes.Enum("NaN")]),
    )


def _moments() -> st.SearchStrategy[str]:
    near = st.datetimes(
        min_value=seed.START.replace(tzinfo=None) - seed.TEN_DAYS,
        max_value=seed.START.replace(tzinfo=None) + seed.TEN_DAYS,
    )
    return st.one_of(
        near.map(lambda moment: moment.isoformat() + "Z"),
        near.map(lambda moment: moment.isoformat() + "+05:30"),
        st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
        st.sampled_from(HOSTILE_MOMENTS),
    )


def strings() -> st.SearchStrategy[graphql.ValueNode]:
    """``String``: a seeded value (an external id, a code, a currency, a cursor) 40 % of the
    time, a hostile one 15 %, otherwise any text."""
    return st.one_of(
        st.sampled_from(seed.VOCABULARY).map(string_node),
        st.sampled_from(seed.VOCABULARY).map(string_node),
        st.sampled_from(HOSTILE_TEXT).map(string_node),
        st.text(max_size=30).map(string_node),
        st.text(max_size=30).map(string_node),
    )


def ids() -> st.SearchStrategy[graphql.ValueNode]:
    """``ID``: a seeded row's id (1 to a few) most of the time, else anything."""
    seeded = st.integers(min_value=1, max_value=seed.IDS)
    return st.one_of(
        seeded.map(lambda n: nodes.String(str(n))),
        seeded.map(lambda n: nodes.String(str(n))),
        seeded.map(nodes.Int),
        st.sampled_from(["0", "-1", "2147483648", "9223372036854775808", "1.5", "1e3", " 1"]).map(
            string_node
        ),
        st.sampled_from(HOSTILE_TEXT).map(string_node),
        st.integers().map(nodes.Int),
    )


def ints() -> st.SearchStrategy[graphql.ValueNode]:
    """``Int``: page sizes, days and seconds mostly, the 32-bit bounds sometimes."""
    return st.one_of(
        st.integers(min_value=-2, max_value=250),
        st.integers(min_value=-2, max_value=250),
        st.sampled_from([0, 2**31 - 1, -(2**31), 10**6, 86_400 * 31]),
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
    ).map(nodes.Int)


def json_nodes() -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(
        json_values().map(literal),
        st.dictionaries(st.sampled_from(seed.PROPERTY_KEYS), _json_scalars(), max_size=3).map(
            literal
        ),
        st.sampled_from([nested(15), nested(16), nested(17), nested(60)]).map(literal),
        st.sampled_from([{"k": "v" * 4097}, {"k" * 256: 1}, {"n": 2**64}, {"f": 1e308}]).map(
            literal
        ),
    )


def register() -> None:
    """Tell schemathesis how to write each custom scalar (and the seeded String and ID)."""
    import schemathesis

    schemathesis.graphql.scalar("Credits", _number_nodes(places=7))
    schemathesis.graphql.scalar("Decimal", _number_nodes(places=13))
    schemathesis.graphql.scalar(
        "DateTime",
        st.one_of(_moments().map(string_node), st.sampled_from([nodes.Int(0), nodes.Null])),
    )
    schemathesis.graphql.scalar(
        "Date", st.sampled_from(["2026-01-15", "", "2026-13-01"]).map(string_node)
    )
    schemathesis.graphql.scalar("JSON", json_nodes())
    schemathesis.graphql.scalar("String", strings())
    schemathesis.graphql.scalar("Int", ints())
    schemathesis.graphql.scalar("ID", ids())
