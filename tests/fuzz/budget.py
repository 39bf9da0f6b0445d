"""How many operations each fuzz test sends, and how its examples are chosen. The default is
the CI run (≥ 5,000 GraphQL operations over the three credentials, the same examples every
run); ``TALLY_FUZZ_OPERATIONS`` scales it for a longer run and ``TALLY_FUZZ_SEED`` picks other
examples (a number, or ``random``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT = 5_400
SHARES = {  # of the GraphQL operations; the admin key reaches the most code
    ("admin", "query"): 0.20,
    ("admin", "mutation"): 0.26,
    ("read", "query"): 0.14,
    ("read", "mutation"): 0.08,
    ("customer", "query"): 0.14,
    ("customer", "mutation"): 0.18,
}


def total() -> int:
    return int(os.environ.get("TALLY_FUZZ_OPERATIONS", DEFAULT))


def examples(share: float) -> int:
    return max(1, round(total() * share))


def fuzzing(max_examples: int) -> Callable[[F], F]:
    """Hypothesis settings for one fuzz test: no example database (a run depends on its seed
    only), no deadline (a shared machine), no shrinking (the first failing request is reported
    as it was sent); derandomized unless ``TALLY_FUZZ_SEED`` says otherwise. A run longer than
    the default has no test timeout."""
    chosen = os.environ.get("TALLY_FUZZ_SEED", "")

    def decorate(test: F) -> F:
        test = hypothesis.settings(
            max_examples=max_examples,
            database=None,
            deadline=None,
            derandomize=not chosen,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )(test)
        if chosen.isdigit():
            test = hypothesis.seed(int(chosen))(test)
        # A hang still fails the default run, late: on a busy shared machine the largest share
        # (admin mutations, 1,404) took 168 s of the suite's usual 180 s per test.
        return pytest.mark.timeout(0 if total() > DEFAULT else 600)(test)

    return decorate
