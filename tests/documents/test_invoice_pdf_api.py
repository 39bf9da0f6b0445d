"""``GET /v1/invoices/{id}/pdf`` and ``Invoice.pdfUrl``: who may download which PDF, and the
typed errors for the rest (through the real ASGI app)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pypdf

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key
from tests.payments.support import customer_with_method, top_up

TOKEN = """mutation($c: String!) {
  createCustomerToken(customerExternalId: $c) { ... on CustomerToken { token } }
}"""
PDF_URL = """query($id: ID!) { invoice(id: $id) { number pdfUrl } }"""


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def _invoice(gql: GraphQLClient, customer: str) -> str:
    wallet_id = await customer_with_method(gql, customer)
    started = await top_up(gql, wallet_id, f"buy-{customer}", credits="500")
    assert started["__typename"] == "RechargePayload", started
    invoice_id: str = started["recharge"]["invoice"]["id"]
    return invoice_id


async def _get(http: httpx.AsyncClient, path: str, credential: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {credential}"} if credential else {}
    return await http.get(path, headers=headers)


def _error(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["field"]


async def test_keys_and_customer_tokens_download_what_they_may(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, admin_key: str
) -> None:
    acme, other = await _invoice(gql, "acme"), await _invoice(gql, "globex")
    path = f"/v1/invoices/{acme}/pdf"
    response = await _get(http, path, admin_key)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="TLY-000001.pdf"'
    text = text_of(response.content)
    assert "TLY-000001" in text and "Acme" in text and "billing@acme.test" in text
    assert "$5.00" in text and "Customer ID: acme" in text

    read_key = await mint_key(runtime, ["read"], "reader")
    assert (await _get(http, path, read_key)).status_code == 200
    ingest_key = await mint_key(runtime, ["ingest"], "ingester")
    assert _error(await _get(http, path, ingest_key)) == (403, "unauthorized", "Authorization")
    assert _error(await _get(http, path)) == (401, "unauthorized", "Authorization")
    assert _error(await _get(http, path, "tly_nope"))[0] == 401

    token = (await gql(TOKEN, c="acme"))["createCustomerToken"]["token"]
    assert (await _get(http, path, token)).status_code == 200
    theirs = await _get(http, f"/v1/invoices/{other}/pdf", token)
    assert _error(theirs) == (404, "not_found", "invoiceId")  # as if it did not exist
    for unknown in ("999999", "abc", "-1", "99999999999999999999999"):
        missing = await _get(http, f"/v1/invoices/{unknown}/pdf", admin_key)
        assert _error(missing) == (404, "not_found", "invoiceId"), unknown


async def test_signed_links_work_until_they_expire_and_only_for_their_invoice(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    acme, other = await _invoice(gql, "acme"), await _invoice(gql, "globex")
    url = (await gql(PDF_URL, id=acme))["invoice"]["pdfUrl"]
    parts = urlsplit(url)
    assert parts.path == f"/v1/invoices/{acme}/pdf"
    query = parse_qs(parts.query)
    expires, signature = query["expires"][0], query["signature"][0]
    assert int(expires) == int(clock.now().timestamp()) + 300

    ok = await _get(http, f"{parts.path}?{parts.query}")
    assert ok.status_code == 200 and "TLY-000001" in text_of(ok.content)
    forged = f"{parts.path}?expires={expires}&signature={'0' * 64}"
    assert _error(await _get(http, forged)) == (401, "link_forged", "signature")
    longer = f"{parts.path}?expires={int(expires) + 3600}&signature={signature}"
    assert _error(await _get(http, longer)) == (401, "link_forged", "signature")
    elsewhere = f"/v1/invoices/{other}/pdf?{parts.query}"
    assert _error(await _get(http, elsewhere)) == (401, "link_forged", "signature")
    assert _error(await _get(http, f"{parts.path}?expires=soon&signature=x"))[1] == "link_forged"

    clock.advance(timedelta(seconds=301))
    assert _error(await _get(http, f"{parts.path}?{parts.query}")) == (
        401,
        "link_expired",
        "expires",
    )
