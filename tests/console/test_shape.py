"""The console stays readable: no function over 40 lines, no closure more than two deep (a
page's function inside ``register`` is the second level; its handlers are methods or module
functions, never closures of closures). Lambdas count as functions."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import console

ROOT = Path(console.__file__).parent
MAX_LINES = 40
MAX_DEPTH = 2
Functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def functions(node: ast.AST, depth: int = 0) -> Iterator[tuple[ast.AST, int]]:
    """Every function under ``node`` with its depth: 1 for a module's functions and a class's
    methods, 2 for a function defined inside one, and so on."""
    for child in ast.iter_child_nodes(node):
        inner = depth + 1 if isinstance(child, Functions) else depth
        if isinstance(child, Functions):
            yield child, inner
        yield from functions(child, inner)


def measured() -> list[tuple[str, int, int]]:
    """(where, lines, depth) of every function in console/."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node, depth in functions(ast.parse(path.read_text())):
            assert isinstance(node, Functions)
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            name = getattr(node, "name", "<lambda>")
            found.append((f"{path.relative_to(ROOT.parent)}:{node.lineno} {name}", lines, depth))
    return found


def test_no_console_function_is_over_40_lines() -> None:
    assert [(where, lines) for where, lines, _ in measured() if lines > MAX_LINES] == []


def test_no_console_closure_is_more_than_two_deep() -> None:
    assert [(where, depth) for where, _, depth in measured() if depth > MAX_DEPTH] == []


def test_the_measure_sees_what_it_should() -> None:
    source = "def a():\n    def b():\n        f = lambda: 1\n        return f\n    return b\n"
    depths = [depth for _, depth in functions(ast.parse(source))]
    assert depths == [1, 2, 3]
    assert len(measured()) > 300  # every module was read
