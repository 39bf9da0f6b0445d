"""The fuzz figures: operations sent per credential and what came back, summed over the xdist
workers and printed at the end of the session ("fuzz: 5,412 operations …"), so every run of the
suite measures the figure it is held to.

Registered from ``tests/conftest.py``; a worker hands its counts to the controller through
xdist's ``workeroutput``."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

COUNTS: Counter[str] = Counter()  # "admin ok", "read refused", "events batch", …
KEY = "tally_fuzz"


def count(credential: str, outcome: str) -> None:
    COUNTS[f"{credential} {outcome}"] += 1


def problems(credential: str, found: list[str]) -> None:
    """Server errors and masked errors, counted apart for the summary's headline."""
    for problem in found:
        if problem.startswith("HTTP 5"):
            count(credential, "server_error")
        elif problem == "a masked error":
            count(credential, "masked")


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[KEY] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    COUNTS.update(getattr(node, "workeroutput", {}).get(KEY, {}))


CREDENTIALS = ("admin", "read", "customer")  # GraphQL over HTTP; "events", "socket-…" apart
OUTCOMES = ("ok", "typed", "refused", "battery", "batch", "subscribe", "malformed")


def summary(counts: Counter[str]) -> list[str]:
    lines = []
    total = 0
    for name in sorted({key.split()[0] for key in counts}):
        outcomes = {k.split()[1]: v for k, v in counts.items() if k.split()[0] == name}
        sent = sum(v for outcome, v in outcomes.items() if outcome in OUTCOMES)
        total += sent if name in CREDENTIALS else 0
        detail = ", ".join(f"{outcome} {n:,}" for outcome, n in sorted(outcomes.items()))
        lines.append(f"  {name}: {sent:,} ({detail})")
    errors = sum(v for k, v in counts.items() if k.endswith(" server_error"))
    masked = sum(v for k, v in counts.items() if k.endswith(" masked"))
    head = f"fuzz: {total:,} GraphQL operations, {errors} server errors, {masked} masked errors"
    return [head, *lines]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS and not hasattr(terminalreporter.config, "workerinput"):
        for line in summary(COUNTS):
            terminalreporter.write_line(line)
