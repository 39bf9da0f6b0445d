"""The limits an operation must stay within, read from the settings, and the cost model's
constants (README, "Security")."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from graphql_schema.pagination import MAX_PAGE

# A list field without a `first` argument (an invoice's lines, the results of ingestEvents)
# counts as this many items in the cost estimate, unless the domain keeps it shorter (the
# `assumedSize` of the GraphQL cost directives): a customer has a wallet per currency, and a
# ledger entry's allocations are the grants one debit drew from (usually one or two).
LIST_SIZE = 20
ASSUMED_SIZES = {"Customer.wallets": 3, "LedgerEntry.allocations": 3}
# `__schema` costs this much, whatever it selects: about the fields a whole introspection of
# this schema resolves (15,731 with every option of graphql-core's introspection query; a test
# keeps this above it as the schema grows). graphql-core's MaxIntrospectionDepthRule bounds
# how deep introspection may nest.
INTROSPECTION_COST = 17_000
__all__ = ["ASSUMED_SIZES", "INTROSPECTION_COST", "LIST_SIZE", "MAX_PAGE", "Limits"]


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int
    max_document_chars: int
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_root_fields: int
    max_selections: int
    max_cost: int
    max_socket_operations: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_body_bytes=settings.graphql_max_body_bytes,
            max_document_chars=settings.graphql_max_document_chars,
            max_tokens=settings.graphql_max_tokens,
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_root_fields=settings.graphql_max_root_fields,
            max_selections=settings.graphql_max_selections,
            max_cost=settings.graphql_max_cost,
            max_socket_operations=settings.graphql_max_socket_operations,
        )

    @classmethod
    def defaults(cls) -> Limits:
        """The documented defaults, whatever the environment says (the SDL export, tests)."""
        return cls.of(Settings.model_construct())
