"""Scopes as Strawberry permission classes: ``read``, ``ingest``, ``admin`` (admin can do all)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from app.access.models import Scope
from graphql_schema.context import Info


class _RequireScope(BasePermission):
    scope: Scope

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            self.message = "authentication required: send 'Authorization: Bearer <key>'"
            return False
        if not principal.can(self.scope):
            self.message = f"this API key lacks the '{self.scope.value}' scope"
            return False
        return True


class CanRead(_RequireScope):
    scope = Scope.READ


class CanIngest(_RequireScope):
    scope = Scope.INGEST


class IsAdmin(_RequireScope):
    scope = Scope.ADMIN
