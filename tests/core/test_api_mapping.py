"""The API maps the domain once: its enums are the domain's own, no field has a resolver that only
reads an attribute of the object it is given (Strawberry reads those by itself), and every plain
field of a type read from domain objects is an attribute of them."""

from __future__ import annotations

import ast
import inspect
import textwrap

from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.enum import StrawberryEnumDefinition

from graphql_schema.fields import Reads
from graphql_schema.schema import build_schema

# The domain keeps these as text (a rejected event's source, a payment provider's name).
API_OWN_ENUMS = {"EventSource", "PaymentProvider"}
# Read from a join row (``app.metering.repository.EventRow``): the event's own fields are one
# level down, ``row.event.timestamp``.
JOIN_ROWS = {"UsageEvent"}


def _definitions() -> list[object]:
    converter = build_schema().schema_converter
    return [concrete.definition for concrete in converter.type_map.values()]


def test_every_graphql_enum_is_a_domain_enum() -> None:
    enums = {
        d.name: d.wrapped_cls for d in _definitions() if isinstance(d, StrawberryEnumDefinition)
    }
    copied = {
        name: f"{cls.__module__}.{cls.__qualname__}"
        for name, cls in enums.items()
        if name not in API_OWN_ENUMS and not cls.__module__.startswith("app.")
    }
    assert copied == {}, "declare the domain's enum with strawberry.enum(...), do not copy it"
    assert enums.keys() >= API_OWN_ENUMS


def _only_reads(function: object) -> bool:
    """``return parent.x`` (or ``self.model.x``): the one statement reads an attribute of the
    first parameter, as Strawberry's default resolver does for a plain field."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef)
    body = [
        s
        for s in definition.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    first = definition.args.args[0].arg if definition.args.args else None
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    value = body[0].value
    if not isinstance(value, ast.Attribute):
        return False
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id == first


def test_no_resolver_only_reads_an_attribute() -> None:
    found = [
        f"{d.name}.{f.python_name}"
        for d in _definitions()
        if isinstance(d, StrawberryObjectDefinition) and d.name not in JOIN_ROWS
        for f in d.fields
        if f.base_resolver is not None and _only_reads(f.base_resolver.wrapped_func)
    ]
    assert found == [], "declare a plain field (`name: Type`): Strawberry reads the attribute"


def _has(model: type, name: str) -> bool:
    return hasattr(model, name) or name in getattr(model, "__dataclass_fields__", {})


def test_plain_fields_are_attributes_of_the_models_read() -> None:
    read = [
        d
        for d in _definitions()
        if isinstance(d, StrawberryObjectDefinition) and isinstance(d.is_type_of, Reads)
    ]
    missing = [
        f"{d.name}.{f.python_name} on {model.__name__}"
        for d in read
        for f in d.fields
        if f.base_resolver is None
        for model in d.is_type_of.models  # type: ignore[union-attr]
        if not _has(model, f.python_name)
    ]
    assert {"Customer", "Wallet", "LedgerEntry", "Invoice"} <= {d.name for d in read}
    assert missing == [], "a model attribute was renamed: keep the API name with name=..."
