"""The order to measure a document's fragments in: each after the fragments it spreads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import FragmentDefinitionNode, FragmentSpreadNode, SelectionSetNode


def dependencies_first(fragments: Mapping[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names, each after the fragments it spreads: a depth-first walk without
    recursion (a chain of fragments as long as the token limit allows cannot exhaust the
    interpreter's stack); a spread that closes a cycle is skipped."""
    spreads = {
        name: list(dict.fromkeys(_spreads(f.selection_set))) for name, f in fragments.items()
    }
    order: list[str] = []
    done: set[str] = set()
    for root in fragments:
        if root in done:
            continue
        path = [(root, iter(spreads[root]))]
        on_path = {root}
        while path:
            name, pending = path[-1]
            for spread in pending:
                if spread in spreads and spread not in done and spread not in on_path:
                    path.append((spread, iter(spreads[spread])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
    return order


def _spreads(node: SelectionSetNode) -> Iterator[str]:
    """The fragments a selection set spreads, at any depth (without recursion)."""
    stack = [node]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif selection.selection_set is not None:  # type: ignore[attr-defined]
                stack.append(selection.selection_set)  # type: ignore[attr-defined]
