"""Every argument of every field is checked once, at the edge, before its resolver runs.

``EdgeChecks`` wraps each field that has arguments and walks their coerced values with their
GraphQL types: strings and IDs must be text PostgreSQL can store (``app.inputs.check_text``:
no NUL, no lone surrogate, at most ``TEXT_MAX`` characters), JSON values must keep to the JSON
limits, lists to ``LIST_MAX`` items, and a value a scalar could not read (``Invalid``: a
``Credits`` of "NaN", a ``DateTime`` without a time zone) is reported. The first problem, named
by its path from the argument (``amount``, ``charges[0].unitPrice``, ``externalId``), becomes
the field's ``ValidationError`` when it returns a union that has one (every mutation), or else a
GraphQL error with ``extensions.code`` and ``extensions.field``; the resolver does not run.
A new field is covered from the day it is added. Input types named in ``checked_later`` are
left to their resolver (``EventInput``: ``ingestEvents`` rejects each bad event on its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLUnionType,
)
from strawberry.extensions import SchemaExtension

from app.errors import ValidationFailed
from app.inputs import LIST_MAX, Invalid, check_text, json_text
from graphql_schema.errors import ValidationError

Path = tuple[str | int, ...]


class InputError(GraphQLError):
    """A bad argument of a field that has no typed errors; shown to the caller, not masked."""


def _render(path: Path) -> str:
    """("input", "charges", 0, "unitPrice") -> "charges[0].unitPrice" (the API's spelling:
    a mutation's ``input`` argument is left out, as its typed errors name its fields)."""
    if len(path) > 1 and path[0] == "input":
        path = path[1:]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _scalar(value: object, scalar: GraphQLScalarType, path: Path) -> None:
    if isinstance(value, str):
        check_text(value, _render(path))
    elif scalar.name == "JSON":
        json_text(value, _render(path))


def _walk(value: object, type_: GraphQLInputType, path: Path, skip: frozenset[str]) -> None:
    """Raise ``ValidationFailed`` for the first problem in ``value``."""
    if value is None:
        return
    if isinstance(value, Invalid):
        raise ValidationFailed(_render(path), value.message, code=value.code)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        if len(items) > LIST_MAX:
            raise ValidationFailed(
                _render(path), f"must have at most {LIST_MAX:,} items", code="too_many"
            )
        for index, item in enumerate(items):
            _walk(item, type_.of_type, (*path, index), skip)
    elif isinstance(type_, GraphQLInputObjectType):
        if type_.name in skip or not isinstance(value, dict):
            return
        for name, field in type_.fields.items():
            if name in value:
                _walk(value[name], field.type, (*path, name), skip)
    elif isinstance(type_, GraphQLScalarType):
        _scalar(value, type_, path)


def check_arguments(
    arguments: dict[str, GraphQLArgument], values: dict[str, Any], skip: frozenset[str]
) -> None:
    """Raise ``ValidationFailed`` for the first problem among a field's argument values."""
    for name, value in values.items():
        argument = arguments.get(name)
        if argument is not None and not isinstance(value, (int, bool)):
            _walk(value, argument.type, (name,), skip)


def _has_validation_error(info: GraphQLResolveInfo[Any]) -> bool:
    returned = info.return_type
    if isinstance(returned, GraphQLNonNull):
        returned = returned.of_type
    return isinstance(returned, GraphQLUnionType) and any(
        member.name == "ValidationError" for member in returned.types
    )


class EdgeChecks(SchemaExtension):
    def __init__(self, *, checked_later: Iterable[str] = ()) -> None:
        self.checked_later = frozenset(checked_later)

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        if kwargs:
            arguments = info.parent_type.fields[info.field_name].args
            try:
                check_arguments(arguments, kwargs, self.checked_later)
            except ValidationFailed as problem:
                return _refuse(info, problem)
        return _next(root, info, *args, **kwargs)


def _refuse(info: GraphQLResolveInfo[Any], problem: ValidationFailed) -> ValidationError:
    if _has_validation_error(info):
        return ValidationError(code=problem.code, message=problem.message, field=problem.field)
    raise InputError(
        f"{problem.field} {problem.message}",
        extensions={"code": problem.code, "field": problem.field},
    )
