"""The fuzz checks can fail: each kind of bad answer is caught, and a write is seen."""

from __future__ import annotations

from tests.fuzz import checks
from tests.fuzz.conftest import World


def test_every_kind_of_bad_answer_is_caught() -> None:
    coded = {"message": "no", "path": ["customer"], "extensions": {"code": "FORBIDDEN"}}
    assert checks.problems(200, {"data": None, "errors": [coded]}) == []
    assert checks.problems(200, {"data": None, "errors": [{"message": "Syntax Error"}]}) == []
    assert checks.problems(502, "Bad Gateway") == ["HTTP 502"]
    assert checks.problems(400, "Unable to parse") == ["not a GraphQL response (HTTP 400)"]
    masked = {"message": "Unexpected error.", "path": ["customers"]}
    assert checks.problems(200, {"data": None, "errors": [masked]}) == ["a masked error"]
    uncoded = {"message": "no wallet", "path": ["wallet"]}
    assert checks.problems(200, {"data": None, "errors": [uncoded]}) == [
        "an error without extensions.code: no wallet"
    ]
    null = {"message": "Cannot return null for non-nullable field Wallet.balance."}
    assert checks.problems(200, {"data": None, "errors": [null]})[0].startswith("null in")


def test_a_typed_error_is_told_from_a_payload() -> None:
    typed = {"data": {"grantCredits": {"__typename": "ValidationError"}}}
    assert checks.outcome(200, typed, "mutation") == "typed"
    payload = {"data": {"grantCredits": {"__typename": "LedgerEntryPayload"}}}
    assert checks.outcome(200, payload, "mutation") == "ok"
    assert checks.outcome(200, {"data": None, "errors": [{"message": "x"}]}, "query") == "refused"
    assert checks.outcome(413, {"errors": []}, "query") == "refused"


async def test_the_fingerprint_sees_a_write_and_only_a_write(world: World) -> None:
    before = await world.tables.fingerprint(world.db)
    read = await world.http.post(
        "/graphql",
        json={"query": '{ customer(externalId: "acme") { name wallet { balance } } }'},
        headers={"authorization": f"Bearer {world.credentials.admin}"},
    )
    assert read.status_code == 200
    assert checks.written(before, await world.tables.fingerprint(world.db)) == []
    rename = (
        'mutation { updateCustomer(input: {externalId: "acme", name: "Acme 2"}) { __typename } }'
    )
    renamed = await world.http.post(
        "/graphql",
        json={"query": rename},
        headers={"authorization": f"Bearer {world.credentials.admin}"},
    )
    assert renamed.json()["data"]["updateCustomer"]["__typename"] == "CustomerPayload"
    wrote = checks.written(before, await world.tables.fingerprint(world.db))
    assert "customers" in wrote
