"""Expected failures are part of the schema: each mutation returns a union of its payload and
these error types. Unexpected exceptions are masked ("Unexpected error.") and logged once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar, get_args

import strawberry
from graphql import GraphQLError
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.extensions import MaskErrors

from app.db.retry import retrying
from app.errors import Conflict, DomainError, InsufficientCredits, NotFound
from graphql_schema.context import Info

log = logging.getLogger("tally.graphql")
T = TypeVar("T")


@strawberry.interface(description="An expected failure: what went wrong and which input field.")
class Error:
    code: str
    message: str
    field: str | None


@strawberry.type(description="The input is malformed or out of range; nothing was written.")
class ValidationError(Error):
    pass


@strawberry.type(description="An id or external id matched nothing; nothing was written.")
class NotFoundError(Error):
    pass


@strawberry.type(description="A duplicate, or an idempotency key reused for another request.")
class ConflictError(Error):
    pass


@strawberry.type(description="Fewer credits remain than the operation needs.")
class InsufficientCreditsError(Error):
    pass


Failure: TypeAlias = ValidationError | NotFoundError | ConflictError | InsufficientCreditsError
"""What a mutation returns instead of its payload when it fails as expected. Each mutation's
result is the union of its payload and these, declared beside it:
``XResult: TypeAlias = Annotated[XPayload | Failure, strawberry.union("XResult")]``, so mypy
checks what every resolver returns."""

ERROR_TYPES: tuple[type[Error], ...] = get_args(Failure)


def to_error(error: DomainError) -> Failure:
    kind: type[Failure] = ValidationError
    if isinstance(error, NotFound):
        kind = NotFoundError
    elif isinstance(error, Conflict):
        kind = ConflictError
    elif isinstance(error, InsufficientCredits):
        kind = InsufficientCreditsError
    return kind(code=error.code, message=error.message, field=error.field)


async def attempt(
    info: Info,
    work: Callable[[AsyncSession], Awaitable[T]],
    again: type[Exception] | None = None,
) -> T | Failure:
    """Run a mutation's work in a savepoint: a typed failure writes nothing and is returned.
    A deadlock or serialization failure runs the work again in a new savepoint, as does
    ``again`` (an exception the work raises when it must start over); when the last try fails
    so, the result is a ``ConflictError`` (``busy``) — see ``app.db.retry``."""

    async def guarded(session: AsyncSession) -> T:
        async def once() -> T:
            async with session.begin_nested():
                return await work(session)

        return await retrying(once, () if again is None else (again,))

    try:
        return await info.context.run(guarded)
    except DomainError as error:
        return to_error(error)


FORBIDDEN = "FORBIDDEN"


class Forbidden(GraphQLError):
    """Raised by permission checks; shown to the caller (not masked), with the code
    ``FORBIDDEN``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": FORBIDDEN})


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, DomainError))


class MaskUnexpected(MaskErrors):
    """Strawberry's ``MaskErrors`` (unexpected errors masked, ``should_mask``), without its
    per-result ``isinstance`` against a runtime-checkable protocol: run on every live update
    sent to every subscriber, that check was about a third of the Python around a delivery
    (profiled at 500 subscribers)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]
            for error in result.errors:  # type: ignore[attr-defined]
                _name_domain_error(error)


def _name_domain_error(error: GraphQLError) -> None:
    """A domain error raised where no typed result holds it (a query's bad ``first``, an
    unknown external id) keeps its code and field in ``extensions``, as the mutations' typed
    errors do."""
    original = error.original_error
    extensions = error.extensions or {}
    if isinstance(original, DomainError) and "code" not in extensions:
        error.extensions = {"code": original.code, "field": original.field, **extensions}
