"""Bounded GraphQL cost: every operation is measured and refused over a limit before any
resolver runs (README, "Security")."""

from graphql_schema.limits.config import Limits
from graphql_schema.limits.extension import Memo, OperationLimits

__all__ = ["Limits", "Memo", "OperationLimits"]
