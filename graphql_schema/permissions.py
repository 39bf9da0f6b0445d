"""Scopes as Strawberry permission classes: ``read``, ``ingest``, ``admin`` (admin can do all)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from app.access.models import Scope
from app.access.service import Principal
from graphql_schema.context import Info
from graphql_schema.errors import FORBIDDEN, Forbidden

REFUSED = {"code": FORBIDDEN}


class _RequireScope(BasePermission):
    scope: Scope
    error_extensions = REFUSED

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            self.message = "authentication required: send 'Authorization: Bearer <key>'"
            return False
        if not principal.can(self.scope):
            self.message = refusal(principal, self.scope)
            return False
        return True


def refusal(principal: Principal, scope: Scope) -> str:
    """Why a caller without ``scope`` is refused, in the words of what it holds: a customer
    token is a portal link or a customer's session, not an API key."""
    if principal.customer_id is not None:
        return (
            f"this customer link/session cannot do this: it needs an API key with the "
            f"'{scope.value}' scope"
        )
    return f"this API key lacks the '{scope.value}' scope"


class CanRead(_RequireScope):
    scope = Scope.READ


class CanReadCustomer(BasePermission):
    """An API key with read scope, or a customer token (the resolver then checks that the
    data belongs to that customer, with ``Principal.acts_for``)."""

    message = "authentication required: an API key with the 'read' scope or a customer token"
    error_extensions = REFUSED

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and (
            principal.customer_id is not None or principal.can(Scope.READ)
        )


def require_visible(info: Info, customer_id: int, what: str) -> None:
    """A customer token sees only its own customer's data (API keys with read see all)."""
    principal = info.context.principal
    if principal is None or not principal.acts_for(customer_id):
        raise Forbidden(f"{what} is not visible to this caller")


class CanIngest(_RequireScope):
    scope = Scope.INGEST


class IsAdmin(_RequireScope):
    scope = Scope.ADMIN


class IsAdminOrCustomer(BasePermission):
    """An API key with admin scope, or a customer token (the resolver then checks that the
    data belongs to that customer, with ``require_visible``)."""

    error_extensions = REFUSED

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            self.message = "authentication required: an admin API key or a customer token"
            return False
        if principal.customer_id is None and not principal.can(Scope.ADMIN):
            self.message = refusal(principal, Scope.ADMIN)
            return False
        return True
