"""One rendering of a live update per query, shared by the subscribers of this process.

A live message reaches every local subscriber of its channel as one object
(``app.live.hub.Delivered``); a subscription resolver builds its payload from it once
(``Delivered.derive``) and marks it ``shareable``. graphql-core then executes the
subscription's selection set once per (payload, document, operation, variables): the first
subscriber renders it, the others reuse that result. Under load this is what keeps the cost of
a subscriber to a websocket write.

Only payloads whose fields do not depend on who asks may be marked: ``walletUpdated`` carries
a wallet's state and ledger entry, the same for everyone allowed to watch the wallet (access
is checked once, when the subscription starts). Results with errors are never reused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.live.hub import Delivered, Message

T = TypeVar("T")
RENDERS = "_tally_renders"


def shareable(payload: T) -> T:
    """Mark ``payload`` (a strawberry object built once per delivered message) as shareable."""
    if getattr(payload, RENDERS, None) is None:
        object.__setattr__(payload, RENDERS, {})
    return payload


class _Replay:
    """Stands in for graphql-core's per-event executor when the event was rendered already."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> Any:
        return self.result


class _Memo:
    """Stands in for graphql-core's per-event executor: renders, and keeps the rendering."""

    def __init__(self, executor: Any, renders: dict[Hashable, Any], key: Hashable) -> None:
        self.executor, self.renders, self.key = executor, renders, key

    def execute_operation(self, serially: bool | None = None) -> Any:
        result = self.executor.execute_operation(serially)
        if isinstance(result, Awaitable):
            return self._remember(result)
        self._keep(result)
        return result

    async def _remember(self, pending: Awaitable[Any]) -> Any:
        result = await pending
        self._keep(result)
        return result

    def _keep(self, result: Any) -> None:
        if isinstance(result, ExecutionResult) and not result.errors:
            self.renders[self.key] = result


class SharingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, reusing a shareable event's rendering."""

    def build_per_event_executor(self, payload: Any) -> Any:
        renders = getattr(payload, RENDERS, None)
        if renders is None:
            return super().build_per_event_executor(payload)
        key = self._document_key()
        known = renders.get(key)
        if known is not None:
            return _Replay(known)
        return _Memo(super().build_per_event_executor(payload), renders, key)

    def _document_key(self) -> Hashable:
        """What identifies the rendering: the document, operation and variables (computed
        once per subscription: this executor is the subscription's own)."""
        key: Hashable | None = getattr(self, "_tally_document_key", None)
        if key is None:
            key = self._tally_document_key = self._describe()
        return key

    def _describe(self) -> Hashable:
        operation = self.operation
        source = operation.loc.source.body if operation.loc is not None else id(operation)
        name = operation.name.value if operation.name is not None else None
        variables = repr(sorted(self.variable_values.coerced.items()))
        return (source, name, variables)


def shared(message: Message, build: Callable[[Message], T]) -> T:
    """The payload of a delivered ``message``: built and marked shareable once per delivery
    (a message not from the hub, e.g. the current state read at start, is built as is)."""
    if isinstance(message, Delivered):
        return shareable(message.derive(build))
    return build(message)
