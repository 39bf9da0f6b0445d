"""Strawberry's field decorators with options, typed for mypy strict.

``@strawberry.field(description=...)`` — and ``mutation``/``subscription`` with options — is
typed ``Any`` by Strawberry (strawberry-graphql/strawberry#1929), and mypy strict refuses a
resolver that an untyped decorator wraps. These take the options the schema uses and return
what the bare ``@strawberry.field`` returns, a ``StrawberryField``, so every resolver's
signature stays checked. The bare ``@strawberry.field`` is typed already and used as is.

A field whose value is a domain model (a ``Wallet`` row, not a ``graphql_schema`` object) names
the GraphQL type it is shown as with ``graphql_type``, and its resolver returns the model; the
type says which models it reads with ``is_type_of = Reads(Model)`` (see
``graphql_schema/wallets/types.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

Decorator = Callable[[Callable[..., Any]], StrawberryField]
Permissions = list[type[BasePermission]] | None


def field(
    *,
    description: str | None = None,
    permission_classes: Permissions = None,
    graphql_type: object = None,
    name: str | None = None,
) -> Decorator:
    decorate: Decorator = strawberry.field(
        description=description,
        permission_classes=permission_classes,
        graphql_type=graphql_type,
        name=name,
    )
    return decorate


def mutation(
    *,
    description: str | None = None,
    permission_classes: Permissions = None,
    graphql_type: object = None,
) -> Decorator:
    decorate: Decorator = strawberry.mutation(
        description=description, permission_classes=permission_classes, graphql_type=graphql_type
    )
    return decorate


def subscription(
    *, description: str | None = None, permission_classes: Permissions = None
) -> Decorator:
    decorate: Decorator = strawberry.subscription(
        description=description, permission_classes=permission_classes
    )
    return decorate


class Reads:
    """The ``is_type_of`` of a GraphQL type read from domain objects: graphql-core checks every
    object resolved as the type against it (a resolver returning another model is an error,
    not a wrong answer), and ``tests/core/test_api_mapping.py`` checks that each plain field
    of the type is an attribute of these models."""

    def __init__(self, *models: type) -> None:
        self.models = models

    def __call__(self, value: object, info: object) -> bool:
        return isinstance(value, self.models)
