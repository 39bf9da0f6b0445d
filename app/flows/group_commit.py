"""Group commit: concurrent small requests of events share one transaction.

A request of a few events costs the database a transaction — its round trips (the lookup, the
insert, the usage upsert, the debits, the reactions, the commit), a ``NOTIFY`` and a WAL flush —
whatever its size; and PostgreSQL serialises the commits of notifying transactions, each
holding the notify queue's lock across its own WAL flush. So requests that arrive while
others are being stored wait in a queue, and the next free *lane* takes every request waiting
(of the same source, up to ``MAX_BATCH`` events) and stores them as ONE batch through the
ordinary hot path (``app.flows.ingest``): one transaction, one ``NOTIFY``, one relay drain.
No request waits for a timer: a request that finds a lane free is stored at once, alone; the
groups grow with the load, since every request arriving during a transaction joins the next.

Each request still gets its own answer: its events' results (re-numbered from 0) and the
balance, after the commit, of every wallet its events were charged to. Its events are checked
one by one as in any batch, so a bad event is rejected alone; a transaction id sent twice in
one group is a duplicate the second time, as if the requests had come one after the other.
The balance reactions (alerts, recharges, thresholds, live updates) run once per transaction,
over every wallet the group changed, so each crossing is acted on once. When a group fails
with an error that is not the database asking to try again later (``Busy``), each of its
requests is stored again alone, so only the request whose events cause the error fails.

A lane is a task of its own: a client that goes away (its request task cancelled) takes
nothing with it. Its events are stored with the group if the group already took them, and
not at all otherwise; either way sending them again is safe (idempotent by transaction id).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from app.db.retry import Busy
from app.flows.ingest import MAX_BATCH
from app.metering import Outcome, Source

log = logging.getLogger("tally.ingest")

# Requests of at most this many events join groups; a bigger one is a group on its own.
GROUPED = 100
# Groups stored at once. Two keep the cores busy (one group's transaction in PostgreSQL while
# the next one is checked); more make smaller groups that wait on each other's row locks.
LANES = 2

Store = Callable[[Sequence[object], Source], Awaitable[Outcome]]


@dataclass(eq=False)
class Waiting:
    """One request's events, waiting for a lane, and its answer."""

    events: Sequence[object]
    source: Source
    answer: asyncio.Future[Outcome]


class GroupCommit:
    """The queue of one process (one event loop). ``store`` stores one batch in one
    transaction, running it again as ``app.db.retry`` says."""

    def __init__(self, store: Store, *, lanes: int = LANES, limit: int = MAX_BATCH) -> None:
        self.store, self.lanes, self.limit = store, lanes, limit
        self.waiting: deque[Waiting] = deque()
        self.running: set[asyncio.Task[None]] = set()

    async def submit(self, events: Sequence[object], source: Source) -> Outcome:
        """Store the events with whatever else is waiting; their own outcome."""
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.waiting.append(Waiting(events, source, answer))
        if len(self.running) < self.lanes:
            lane = asyncio.create_task(self._lane())
            self.running.add(lane)
            lane.add_done_callback(self.running.discard)
        return await answer

    async def _lane(self) -> None:
        while self.waiting:
            group = self._take()
            try:
                if group:
                    await self._run(group)
            finally:
                for waiting in group:  # only when the lane itself is cancelled (shutdown)
                    waiting.answer.cancel()

    def _take(self) -> list[Waiting]:
        """The first waiting request and every later one that fits with it, in arrival order;
        requests whose client went away before are dropped (nothing of them is stored)."""
        group: list[Waiting] = []
        rest: deque[Waiting] = deque()
        size = 0
        for waiting in self.waiting:
            if waiting.answer.done():
                continue
            fits = not group or (
                waiting.source == group[0].source and size + len(waiting.events) <= self.limit
            )
            if fits:
                group.append(waiting)
                size += len(waiting.events)
            else:
                rest.append(waiting)
        self.waiting = rest
        return group

    async def _run(self, group: list[Waiting]) -> None:
        events = [event for waiting in group for event in waiting.events]
        try:
            outcome = await self.store(events, group[0].source)
        except Busy as busy:
            for waiting in group:
                _fail(waiting, busy)
            return
        except Exception as error:  # noqa: BLE001 - handed to the requests that wait for it
            if len(group) == 1:
                _fail(group[0], error)
                return
            log.warning("a group of %d requests failed (%r); storing each alone", len(group), error)
            for waiting in group:
                await self._run([waiting])
            return
        start = 0
        for waiting in group:
            stop = start + len(waiting.events)
            if not waiting.answer.done():
                waiting.answer.set_result(outcome.part(start, stop))
            start = stop


def _fail(waiting: Waiting, error: Exception) -> None:
    if not waiting.answer.done():
        waiting.answer.set_exception(error)
