"""The operations schemathesis generates, over Tally's whole schema (built in-process and
introspected, so a new field is fuzzed from the day it is added), and the shapes a case is sent
in: the generated document as is (every argument an inline literal, read by the scalars'
``parse_literal``), or with the root field's arguments moved into variables (read by
``parse_value``, the way real clients send them). A mutation's root field always selects
``__typename``, so the check knows a typed error from a payload whatever else was selected."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

from graphql_schema.schema import build_schema
from tests.fuzz import fields, strategies

ROOTS = ("query", "mutation")


@cache
def schema() -> Any:
    strategies.register()
    introspection = graphql.introspection_from_schema(build_schema()._schema)
    config = SchemathesisConfig()
    return schemathesis.graphql.from_dict(dict(introspection), config=config)


@cache
def operations(root: str) -> list[APIOperation]:
    found = [result.ok() for result in schema().get_all_operations()]
    return [op for op in found if op.definition.root_type.name.lower() == root]


@dataclass(frozen=True)
class Request:
    label: str  # Query.customer, Mutation.grantCredits
    root: str
    mode: str  # "literals", "variables", "negative"
    query: str
    variables: dict[str, Any]

    def body(self) -> bytes:
        """JSON with every non-ASCII character escaped: a lone surrogate travels as ``\\ud800``,
        as a browser's JSON.stringify would send it."""
        return json.dumps({"query": self.query, "variables": self.variables}).encode()

    def describe(self) -> str:
        return f"{self.label} ({self.mode})\n{self.query}\nvariables: {self.variables!r}"[:4000]


def requests(root: str) -> st.SearchStrategy[Request]:
    """Positive cases (valid documents) as literals or variables, and a share of negative ones
    (arguments of the wrong type or missing), which validation must refuse with its own words."""
    ops = operations(root)
    positive = st.sampled_from(ops).flatmap(lambda op: op.as_strategy())
    negative = st.sampled_from(ops).flatmap(
        lambda op: op.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )
    mode = st.sampled_from(["literals", "variables", "variables", "negative"])
    repair = st.sampled_from([0.0, 0.5, 0.9, 0.9])
    return st.tuples(mode, repair, st.randoms(use_true_random=False)).flatmap(
        lambda drawn: (negative if drawn[0] == "negative" else positive).map(
            lambda case: _shape(case, *drawn)
        )
    )


def _shape(case: Any, mode: str, repair: float, rng: random.Random) -> Request:
    """The generated document as sent: ``__typename`` on a mutation's result, arguments made
    plausible (never a negative case's: it must stay invalid), literals or variables."""
    repair = 0.0 if mode == "negative" else repair
    try:
        document = graphql.parse(case.body, no_location=True)
    except graphql.GraphQLError:  # a literal the lexer refuses (a lone surrogate): sent as is
        root = case.operation.definition.root_type.name.lower()
        return Request(case.operation.label, root, "unparsable", case.body, {})
    operation = next(
        d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)
    )
    field = operation.selection_set.selections[0]
    assert isinstance(field, graphql.FieldNode)
    root = operation.operation.value
    if root == "mutation" and field.selection_set is not None:
        typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))
        selections = (typename, *field.selection_set.selections)
        field = replace(field, selection_set=replace(field.selection_set, selections=selections))
    if repair and field.arguments:
        field = fields.arguments(field, rng, repair)
    variables: dict[str, Any] = {}
    definitions = operation.variable_definitions
    if mode == "variables" and field.arguments:
        field, definitions, variables = _to_variables(field, root)
    operation = replace(
        operation,
        variable_definitions=definitions,
        selection_set=replace(operation.selection_set, selections=(field,)),
    )
    query = graphql.print_ast(graphql.DocumentNode(definitions=(operation,)))
    return Request(case.operation.label, root, mode, query, variables)


def _to_variables(
    field: graphql.FieldNode, root: str
) -> tuple[graphql.FieldNode, tuple[graphql.VariableDefinitionNode, ...], dict[str, Any]]:
    client = schema().client_schema
    parent = client.query_type if root == "query" else client.mutation_type
    definition = parent.fields[field.name.value]
    variables: dict[str, Any] = {}
    definitions = []
    arguments = []
    for argument in field.arguments:
        name = argument.name.value
        declared = definition.args.get(name)
        if declared is None or isinstance(argument.value, graphql.NullValueNode):
            arguments.append(argument)
            continue
        variables[name] = graphql.value_from_ast_untyped(argument.value)
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        definitions.append(
            graphql.VariableDefinitionNode(
                variable=variable, type=graphql.parse_type(str(declared.type))
            )
        )
        arguments.append(graphql.ArgumentNode(name=argument.name, value=variable))
    return replace(field, arguments=tuple(arguments)), tuple(definitions), variables
