"""Hostile documents are refused before anything runs, with an error naming the limit, for an
admin key, a customer token and the console's in-process schema; normal queries still run.

"Before anything runs" is checked by the database: a refused request checks out no
connection at all (the admin key is cached after a first request, a customer token needs no
lookup), and a refused mutation writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from app.config import Settings
from app.runtime import Runtime
from graphql_schema.context import Context
from graphql_schema.limits import Limits
from graphql_schema.schema import build_schema
from tests.conftest import GraphQLClient
from tests.core.support import count_rows, create_customer


@pytest.fixture
def settings() -> Settings:
    """API keys stay cached for a minute: a refused request then needs no database."""
    return Settings(
        environment="test", api_key_cache_seconds=60, secret_key="test-secret-key-0123456789abcdef"
    )


class Checkouts:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
async def checkouts(runtime: Runtime, gql: GraphQLClient) -> AsyncIterator[Checkouts]:
    """How many database connections were checked out (any statement needs one), from after
    a first request (which caches the admin key)."""
    await gql("{ __typename }")
    seen = Checkouts()
    pool = runtime.db.engine.sync_engine.pool

    def checkout(*_: object) -> None:
        seen.count += 1

    event.listen(pool, "checkout", checkout)
    yield seen
    event.remove(pool, "checkout", checkout)


@pytest.fixture
async def acme(gql: GraphQLClient) -> AsyncIterator[str]:
    """A customer token for the customer "acme" (the admin key is cached by now)."""
    await create_customer(gql, "acme")
    minted = await gql(
        """mutation { createCustomerToken(customerExternalId: "acme") {
          ... on CustomerToken { token } } }"""
    )
    yield minted["createCustomerToken"]["token"]


def bomb(levels: int, on: str = "Query", leaf: str = "plans { nodes { code } }") -> str:
    """Each fragment spreads the next one twice: 2**levels copies of ``leaf``."""
    parts = [f"{'mutation' if on == 'Mutation' else 'query'} {{ ...F0 }}"]
    parts += [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return " ".join(parts)


def aliases(count: int) -> str:
    """The nested list query of the issue, ``count`` times under aliases."""
    one = (
        "customers(first: 200) { nodes { wallet { ledgerEntries(first: 200) { nodes { id } } } } }"
    )
    return "{ " + " ".join(f"a{i}: {one}" for i in range(count)) + " }"


def nested(depth: int) -> str:
    """customer > wallet > customer > ... > id: the ``id`` ``depth`` levels below the root
    field (single objects: deep, but cheap)."""
    fields = ["wallet", "customer"] * depth
    inner = "id"
    for name in reversed(fields[: depth - 1]):
        inner = f"{name} {{ {inner} }}"
    return '{ customer(externalId: "acme") { ' + inner + " } }"


COST_BOMB = """{ customers(first: 200) { nodes { wallets {
    grants(first: 200) { nodes { id amount remaining } }
    ledgerEntries(first: 200) { nodes { id credits balanceAfter } } } } } }"""


def refusal(body: dict[str, Any], code: str) -> dict[str, Any]:
    """The refusal in an answer: no data, and an error with ``code`` that is not masked."""
    assert body["data"] is None, body
    codes = [e.get("extensions", {}).get("code") for e in body["errors"]]
    assert code in codes, body
    error: dict[str, Any] = body["errors"][codes.index(code)]
    assert error["message"] != "Unexpected error."
    return error


@pytest.mark.parametrize("levels", [20, 30])
@pytest.mark.parametrize("who", ["admin", "customer"])
async def test_fragment_bombs_are_refused_before_anything_runs(
    gql: GraphQLClient, acme: str, checkouts: Checkouts, levels: int, who: str
) -> None:
    client = gql if who == "admin" else GraphQLClient(gql.http, acme)
    checkouts.count = 0
    for _ in range(2):  # the second time from the cache
        error = refusal(await client.raw(bomb(levels)), "TOO_MANY_SELECTIONS")
        assert error["extensions"]["limit"] == 1000
        assert "more than 10,000 fields once its fragments are expanded" in error["message"]
    assert checkouts.count == 0


async def test_a_mutation_bomb_writes_nothing(gql: GraphQLClient, runtime: Runtime) -> None:
    create = 'createCustomer(input: {externalId: "x", name: "X", currency: "USD"}) { __typename }'
    body = await gql.raw(bomb(20, on="Mutation", leaf=create))
    refusal(body, "TOO_MANY_SELECTIONS")
    assert await count_rows(runtime.db, "customers") == 0
    assert await count_rows(runtime.db, "audit_log") == 0


async def test_a_thousand_aliases_of_a_nested_list_are_refused_by_their_length(
    gql: GraphQLClient, acme: str, checkouts: Checkouts
) -> None:
    """95 kB of query: refused before the lexer reads a character."""
    checkouts.count = 0
    for client in (gql, GraphQLClient(gql.http, acme)):
        error = refusal(await client.raw(aliases(1000)), "DOCUMENT_TOO_LONG")
        assert error["extensions"]["limit"] == 16_384
    assert checkouts.count == 0


async def test_aliases_within_the_token_limit_are_counted(gql: GraphQLClient) -> None:
    fields = " ".join(f"a{i}: externalId" for i in range(31))
    body = await gql.raw('{ customer(externalId: "acme") { ' + fields + " } }")
    assert refusal(body, "TOO_MANY_ALIASES")["extensions"]["limit"] == 30


async def test_root_fields_are_counted(gql: GraphQLClient) -> None:
    body = await gql.raw("{ " + " ".join(f"t{i}: __typename" for i in range(21)) + " }")
    assert refusal(body, "TOO_MANY_ROOT_FIELDS")["extensions"]["limit"] == 20


async def test_a_query_deeper_than_the_limit_is_refused(gql: GraphQLClient, acme: str) -> None:
    data = await gql(nested(10))
    assert data["customer"]["wallet"]["customer"]["wallet"]
    error = refusal(await GraphQLClient(gql.http, acme).raw(nested(11)), "QUERY_TOO_DEEP")
    assert error["extensions"]["limit"] == 10
    assert "11 levels below a root field" in error["message"]


async def test_a_huge_token_count_is_refused(gql: GraphQLClient, checkouts: Checkouts) -> None:
    checkouts.count = 0
    for _ in range(2):
        body = await gql.raw("{ " + "a " * 2000 + "}")
        assert refusal(body, "TOO_MANY_TOKENS")["extensions"]["limit"] == 1000
    comments = await gql.raw("#\n" * 5000 + "{ __typename }")
    refusal(comments, "TOO_MANY_TOKENS")
    assert checkouts.count == 0


async def test_a_long_document_is_refused_unread(gql: GraphQLClient, checkouts: Checkouts) -> None:
    """One token can be long: a string, a name, a comment (each costs the lexer per character)."""
    checkouts.count = 0
    for long in ['{ customer(externalId: "' + "x" * 20_000 + '") { id } }', "#" * 20_000]:
        body = await gql.raw(long)
        assert refusal(body, "DOCUMENT_TOO_LONG")["extensions"]["limit"] == 16_384
    assert checkouts.count == 0


@pytest.mark.parametrize("first", ["1000000", "$first"])
async def test_first_over_the_maximum_is_refused_naming_first(
    gql: GraphQLClient, acme: str, checkouts: Checkouts, first: str
) -> None:
    query = 'query($first: Int!) { customer(externalId: "acme") { wallet { ' + (
        f"ledgerEntries(first: {first}) {{ nodes {{ id }} }} }} }} }}"
    )
    checkouts.count = 0
    for client in (gql, GraphQLClient(gql.http, acme)):
        error = refusal(await client.raw(query, first=1_000_000), "PAGE_TOO_LARGE")
        assert error["extensions"] == {"code": "PAGE_TOO_LARGE", "limit": 200, "field": "first"}
        assert "`first` must be between 1 and 200" in error["message"]
    assert checkouts.count == 0
    if first == "$first":
        data = await gql(query, first=5)
        assert data["customer"]["wallet"]["ledgerEntries"]["nodes"] == []


async def test_a_cost_bomb_is_refused(gql: GraphQLClient, checkouts: Checkouts) -> None:
    checkouts.count = 0
    error = refusal(await gql.raw(COST_BOMB), "QUERY_TOO_COSTLY")
    assert error["extensions"]["limit"] == 20_000
    assert "more than 200,000 fields" in error["message"]
    assert checkouts.count == 0


async def test_the_cost_of_variables_is_checked_per_request(
    gql: GraphQLClient, checkouts: Checkouts
) -> None:
    query = """query($n: Int!) { customers(first: $n) { nodes { wallets {
        ledgerEntries(first: $n) { nodes { id credits } } } } } }"""
    checkouts.count = 0
    refusal(await gql.raw(query, n=200), "QUERY_TOO_COSTLY")
    assert checkouts.count == 0
    assert (await gql(query, n=10))["customers"]["nodes"] == []


async def test_a_body_over_the_limit_is_refused_unread(gql: GraphQLClient) -> None:
    limit = Limits.defaults().max_body_bytes
    padding = "x" * (limit + 1)
    declared = await gql.http.post(
        "/graphql",
        json={"query": "{ __typename }", "variables": {"pad": padding}},
        headers={"authorization": f"Bearer {gql.key}"},
    )
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"] == {"code": "BODY_TOO_LARGE", "limit": limit}

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(limit // 65536 + 1):
            yield b"x" * 65536
        yield b'"}}'

    streamed = await gql.http.post(
        "/graphql",
        content=chunks(),
        headers={"authorization": f"Bearer {gql.key}", "content-type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_normal_queries_still_run(gql: GraphQLClient, acme: str) -> None:
    readme = """{ customer(externalId: "acme") { name wallet { balance
        ledgerEntries(first: 5) { nodes { credits balanceAfter description createdAt } } } } }"""
    for client in (gql, GraphQLClient(gql.http, acme)):
        data = await client(readme)
        assert data["customer"]["name"] == "Acme"
    plans = "query($n: Int!) { plans(first: $n) { nodes { code } } }"
    assert (await gql(plans, n=200))["plans"]["nodes"] == []
    introspection = await gql("{ __schema { queryType { name } } }")
    assert introspection["__schema"]["queryType"]["name"] == "Query"


async def test_cyclic_fragments_are_a_validation_error(gql: GraphQLClient) -> None:
    body = await gql.raw("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert body["data"] is None
    assert "Cannot spread fragment 'A' within itself" in body["errors"][0]["message"]


async def test_batches_are_refused(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}] * 2,
        headers={"authorization": f"Bearer {gql.key}"},
    )
    assert response.status_code == 400


async def test_the_console_schema_refuses_in_process(runtime: Runtime) -> None:
    """The console executes the schema in-process, with the same limits."""
    from app.access.models import Scope
    from app.access.service import Principal

    schema = build_schema(Limits.of(runtime.settings))
    admin = Principal(key_id=0, name="admin@tally.test", scopes=frozenset({Scope.ADMIN}))
    for query, code in [(bomb(30), "TOO_MANY_SELECTIONS"), (COST_BOMB, "QUERY_TOO_COSTLY")]:
        result = await schema.execute(query, context_value=Context(runtime, admin))
        assert result.data is None and result.errors
        assert code in [e.extensions["code"] for e in result.errors]  # type: ignore[index]


async def test_limits_are_settings(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALLY_GRAPHQL_MAX_DEPTH", "2")
    settings = Settings(environment="test", secret_key="test-secret-key-0123456789abcdef")
    schema = build_schema(Limits.of(settings))
    result = await schema.execute(nested(3), context_value=Context(runtime, None))
    assert result.errors and result.errors[0].extensions == {"code": "QUERY_TOO_DEEP", "limit": 2}


def _fields(value: object) -> int:
    if isinstance(value, dict):
        return sum(1 + _fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


async def test_a_whole_introspection_costs_what_it_resolves(gql: GraphQLClient) -> None:
    """`__schema` is priced at INTROSPECTION_COST: at least the fields a whole introspection
    resolves (when the schema outgrows it, raise it), and within the budget."""
    from graphql import get_introspection_query

    from graphql_schema.limits.config import INTROSPECTION_COST

    everything = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    data = await gql(everything)
    assert _fields(data) <= INTROSPECTION_COST <= Limits.defaults().max_cost
