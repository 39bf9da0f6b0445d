from __future__ import annotations

from tests.conftest import GraphQLClient
from tests.metering.support import CREATE_METRIC, create_metric


async def test_create_list_and_update_metrics(gql: GraphQLClient) -> None:
    created = await create_metric(gql, "gb_stored", "SUM", "GB stored", "GB stored", prop="gb")
    assert created["aggregation"] == "SUM" and created["property"] == "gb"
    await gql("""mutation { updateMetric(input: {code: "gb_stored", name: "Storage",
        unitSingular: "gigabyte", unitPlural: "gigabytes"}) { __typename } }""")
    data = await gql("{ metrics { nodes { code name unitSingular unitPlural } } }")
    assert data["metrics"]["nodes"] == [
        {
            "code": "gb_stored",
            "name": "Storage",
            "unitSingular": "gigabyte",
            "unitPlural": "gigabytes",
        }
    ]
    assert (await gql('{ metric(code: "nope") { code } }'))["metric"] is None


async def test_metric_errors_name_the_field(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call")
    base = {"name": "x", "unitSingular": "u", "unitPlural": "us"}
    cases = [
        ({"code": "api_call", "aggregation": "COUNT"}, "code", "duplicate"),
        ({"code": "bad code", "aggregation": "COUNT"}, "code", "invalid"),
        ({"code": "s", "aggregation": "SUM"}, "property", "required"),
        ({"code": "c", "aggregation": "COUNT", "property": "gb"}, "property", "invalid"),
        (
            {"code": "e", "aggregation": "MAX", "property": "gb", "unitPlural": " "},
            "unitPlural",
            "required",
        ),
    ]
    for given, field, code in cases:
        payload = (await gql(CREATE_METRIC, input={**base, **given}))["createMetric"]
        assert (payload["field"], payload["code"]) == (field, code), payload
    updated = await gql("""mutation { updateMetric(input: {code: "nope", name: "x"}) {
        ... on Error { code field } } }""")
    assert updated["updateMetric"] == {"code": "not_found", "field": "code"}
