"""``GET /v1/invoices/{id}/pdf``: an invoice's PDF (``app.flows.invoice_documents``).

    GET /v1/invoices/42/pdf
    Authorization: Bearer <API key with the read (or admin) scope, or a customer token>

or, from a browser, the signed link the API gives (``Invoice.pdfUrl``, valid a few minutes):

    GET /v1/invoices/42/pdf?expires=1796688000&signature=3f1c…

200 ``application/pdf`` (``Content-Disposition: inline; filename="TLY-000042.pdf"``). 401
without a valid credential or link (``link_forged``; ``link_expired`` for a link past its
expiry), 403 for an API key without the read scope, 404 (``not_found``) for an id that is not
an invoice — or is another customer's, for a customer token. Errors are JSON
``{"error": {"code", "field", "message"}}``.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import access
from app.access import Scope
from app.errors import DomainError, NotFound, Unauthorized
from app.flows.invoice_documents import check_link, invoice_pdf
from app.runtime import Runtime

MAX_ROW_ID = 2**63 - 1


class Refused(Exception):
    def __init__(self, status: int, error: DomainError) -> None:
        super().__init__(error.message)
        self.status, self.error = status, error


def _refusal(refused: Refused) -> Response:
    error = refused.error
    body = {"error": {"code": error.code, "field": error.field, "message": error.message}}
    headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
    return Response(orjson.dumps(body), refused.status, headers, media_type="application/json")


def _invoice_id(request: Request) -> int:
    digits = str(request.path_params["invoice_id"])
    if not (digits.isascii() and digits.isdigit() and int(digits) <= MAX_ROW_ID):
        raise Refused(404, NotFound("invoiceId", "there is no such invoice"))
    return int(digits)


async def _customer_scope(runtime: Runtime, request: Request, invoice_id: int) -> int | None:
    """None: every invoice; a customer id: only that customer's (a customer token)."""
    query, now = request.query_params, runtime.clock.now()
    try:
        if "signature" in query or "expires" in query:
            expires, signature = query.get("expires", ""), query.get("signature", "")
            check_link(runtime.settings, invoice_id, expires, signature, now)
            return None
        async with runtime.db.sessions() as session:
            principal = await access.authenticate(
                session, runtime.keys, runtime.settings.signing_secret(),
                request.headers.get("authorization"), now,
            )  # fmt: skip
    except Unauthorized as error:
        raise Refused(401, error) from None
    if principal.customer_id is None and not principal.can(Scope.READ):
        raise Refused(403, Unauthorized("Authorization", "this API key lacks the 'read' scope"))
    return principal.customer_id


def invoice_pdf_route(runtime: Runtime) -> Route:
    async def get_pdf(request: Request) -> Response:
        try:
            invoice_id = _invoice_id(request)
            customer_id = await _customer_scope(runtime, request, invoice_id)
            async with runtime.db.sessions() as session:
                invoice, pdf = await invoice_pdf(session, runtime.settings, invoice_id, customer_id)
        except NotFound as error:
            return _refusal(Refused(404, error))
        except Refused as refused:
            return _refusal(refused)
        name = invoice.number or f"draft-{invoice_id}"
        headers = {
            "Content-Disposition": f'inline; filename="{name}.pdf"',
            "Cache-Control": "private, no-store",
        }
        return Response(pdf, 200, headers, media_type="application/pdf")

    return Route("/v1/invoices/{invoice_id}/pdf", get_pdf, methods=["GET"])
