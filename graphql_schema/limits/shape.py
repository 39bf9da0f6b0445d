"""How big an operation is, read from its document before anything runs.

Every fragment is measured once, after the fragments it spreads, and a spread adds the
fragment's measures: the "fragment bomb" (fragments that each spread the next one twice,
doubling at every level) is measured in time linear in the document's length. Counts
saturate at 2**53, however far a document would expand. A spread that closes a cycle, or of
a fragment that does not exist, measures as nothing: graphql-core's validation refuses such
a document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from graphql_schema.limits.config import ASSUMED_SIZES, INTROSPECTION_COST, LIST_SIZE, MAX_PAGE
from graphql_schema.limits.fragments import dependencies_first

SATURATED = 2**53


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATED)


@dataclass(frozen=True)
class Shape:
    """A selection set's measures. ``depth``: how many levels below its own fields its
    deepest field is (a root field is at 0; what `__schema` selects is not counted);
    ``root_fields``: the fields at its own level; ``selections``: fields, spreads and inline
    fragments; ``aliases``: aliased fields (all three with fragments expanded); ``cost``: the
    estimated fields resolved, each field's selection counted once per item of its list;
    ``page``: the largest literal `first`; ``page_variables``: variables given as `first`."""

    depth: int = 0
    root_fields: int = 0
    selections: int = 0
    aliases: int = 0
    cost: int = 0
    page: int = 0
    page_variables: frozenset[str] = frozenset()

    def __add__(self, other: Shape) -> Shape:
        """Two selections side by side."""
        return Shape(
            depth=max(self.depth, other.depth),
            root_fields=_add(self.root_fields, other.root_fields),
            selections=_add(self.selections, other.selections),
            aliases=_add(self.aliases, other.aliases),
            cost=_add(self.cost, other.cost),
            page=max(self.page, other.page),
            page_variables=self.page_variables | other.page_variables,
        )


NOTHING = Shape()
ONE_SELECTION = Shape(selections=1)


class Measure:
    """Measures the operations of one document. ``pages``: the values of the variables given
    as `first` (a request's); a variable without one counts as its argument's default."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, pages: Mapping[str, int] = {}
    ) -> None:
        self.schema, self.pages = schema, pages
        fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        self.fragments: dict[str, Shape] = {}
        for name in dependencies_first(fragments):
            fragment = fragments[name]
            on = schema.get_type(fragment.type_condition.name.value)
            self.fragments[name] = self.selection_set(fragment.selection_set, on)

    def operation(self, operation: OperationDefinitionNode) -> Shape:
        root = self.schema.get_root_type(operation.operation)
        return self.selection_set(operation.selection_set, root)

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> Shape:
        total = NOTHING
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += ONE_SELECTION + self.selection_set(selection.selection_set, on)
            elif isinstance(selection, FragmentSpreadNode):
                total += ONE_SELECTION + self.fragments.get(selection.name.value, NOTHING)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Shape:
        own = Shape(root_fields=1, selections=1, aliases=1 if node.alias else 0, cost=1)
        if node.selection_set is None:
            return own
        definition = _field(parent, node.name.value)
        kind = get_named_type(definition.type) if definition else None
        inner = self.selection_set(node.selection_set, kind)
        page, variable = _page(node, definition)
        below = Shape(
            depth=1 + inner.depth,
            selections=inner.selections,
            aliases=inner.aliases,
            cost=min(self.length(node, definition, parent) * inner.cost, SATURATED),
            page=max(page, inner.page),
            page_variables=inner.page_variables | variable,
        )
        if node.name.value == "__schema":
            below = Shape(selections=below.selections, aliases=below.aliases)
            own = Shape(root_fields=1, selections=1, cost=INTROSPECTION_COST)
        return own + below

    def length(
        self, node: FieldNode, definition: GraphQLField | None, parent: GraphQLNamedType | None
    ) -> int:
        """How many times the field's selection is resolved: its `first`, a list's assumed
        length, or once. A connection's `edges` and `nodes` are as long as the connection's
        `first`, which counted already."""
        if definition is None or parent is None:
            return 1
        if "first" in definition.args:
            return min(max(self.first(node, definition), 0), MAX_PAGE)
        if _is_list(definition) and not parent.name.endswith("Connection"):
            return ASSUMED_SIZES.get(f"{parent.name}.{node.name.value}", LIST_SIZE)
        return 1

    def first(self, node: FieldNode, definition: GraphQLField) -> int:
        for argument in node.arguments or ():
            value = argument.value
            if argument.name.value != "first":
                continue
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode) and value.name.value in self.pages:
                return self.pages[value.name.value]
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else MAX_PAGE


def _page(node: FieldNode, definition: GraphQLField | None) -> tuple[int, frozenset[str]]:
    """The field's literal `first`, and the variable given as its `first`."""
    if definition is not None and "first" in definition.args:
        for argument in node.arguments or ():
            value = argument.value
            if argument.name.value == "first" and isinstance(value, IntValueNode):
                return int(value.value), frozenset()
            if argument.name.value == "first" and isinstance(value, VariableNode):
                return 0, frozenset((value.name.value,))
    return 0, frozenset()


def _field(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _is_list(definition: GraphQLField) -> bool:
    kind = definition.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)
