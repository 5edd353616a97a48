"""Record a stress test as it plays: the run row, each conversation as it ends, the closing row.

``RunRecorder`` is the store side of ``understudy.runs.player``, and every write it makes runs off
the event loop: it creates the run on a worker thread, commits each conversation on one
background thread (so a commit never blocks the conversations in flight, and a cancelled batch
never abandons a half-finished write), and closes the run as ``finished``, ``interrupted``
(stopped, or token budget spent) or ``failed``.

Group commit: the conversations that end while a commit runs are committed together in the next
one (``Store.save_conversations``, at most ``GROUP_MAX``). A batch played by worker processes
hands back hundreds of conversations a second, and one transaction each took most of the
driver's core (docs/scale.md); a slow batch still commits each conversation alone, at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Protocol

from understudy.runs.batch import BatchConversation
from understudy.storage.store import FAILED, FINISHED, INTERRUPTED, FinishedConversation, Store

if TYPE_CHECKING:
    from understudy.metrics.batch import BatchMetrics
    from understudy.runs.plan import StressPlan


class UsageSource(Protocol):
    """Token usage of LLM calls made during a run (``understudy.llm.LLMRun`` is one)."""

    def conversation_usage(self, conversation_id: str) -> dict[str, int] | None:
        """Return the usage of one conversation's LLM calls, or None when it made none.

        Args:
            conversation_id: the conversation's id (``c0``, ``c1``... in a batch).

        Returns:
            Counters keyed ``requests`` (calls sent to a model), ``cached`` (answered from the
            replay cache), ``input_tokens``, ``output_tokens``, ``total_tokens``, ``retries``
            and ``repairs`` (knowledge-boundary repairs), all integers; see
            ``understudy.llm.usage.Usage.as_dict``.
        """
        ...

    def run_usage(self) -> dict[str, int] | None:
        """Return the usage of the whole run, or None when no LLM call was made.

        Returns:
            The same keys as ``conversation_usage``, summed over the run.
        """
        ...


class _Writer:
    """One background thread that does the store's writes, in order, off the event loop.

    Each conversation is still committed when it ends: ``run`` awaits its commit (shielded, so
    a cancelled batch never abandons a half-finished write), and ``close`` waits for every
    write before the run row is closed.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="understudy-store")

    async def run(self, call: Callable[[], object]) -> None:
        """Run ``call`` on the writer thread and wait for it (errors propagate)."""
        future = asyncio.wrap_future(self._pool.submit(call))
        # A cancelled batch stops waiting; the write's own error (a full disk) is then seen
        # through the batch's first failure, not printed again as "never retrieved".
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        await asyncio.shield(future)

    def close(self) -> None:
        """Wait for every submitted write, then stop the thread."""
        self._pool.shutdown(wait=True)


GROUP_MAX = 256
"""Most conversations committed in one transaction (a group of 256 conversations of 20 to 30
messages is a few thousand rows)."""


class RunRecorder:
    """Stores one stress test in ``store`` as it plays.

    Args:
        store: where the run goes.
        usage: where LLM token usage is read from, stored per conversation and per run.
    """

    def __init__(self, store: Store, usage: UsageSource | None = None) -> None:
        self.store = store
        self.usage = usage
        self.skip_stored = False
        """Set when worker processes store too: a conversation recorded as lost with its worker
        may have been committed by that worker just before it died, and is then left out."""
        self.run_id: str | None = None
        self._writer = _Writer()
        self._waiting: list[tuple[FinishedConversation, asyncio.Future[None]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def start(self, plan: StressPlan) -> str:
        """Create the run row (status ``running``, on a worker thread) and return its id."""
        self.run_id = await asyncio.to_thread(self.store.create_run, plan.run_spec())
        return self.run_id

    async def reopen(self, run_id: str) -> str:
        """Take over a stored run to finish it (``runs resume``): it is ``running`` again."""
        await asyncio.to_thread(self.store.reopen_run, run_id)
        self.run_id = run_id
        return run_id

    async def conversation_ended(self, done: BatchConversation) -> None:
        """Commit one finished conversation (on the writer thread, with any others that ended
        meanwhile) and wait for the commit.

        Raises:
            Exception: the store's error, when the commit failed (the batch then stops).
        """
        assert self.run_id is not None, "start() creates the run before any conversation"
        result = done.result
        usage = self.usage.conversation_usage(result.conversation_id) if self.usage else None
        stored = asyncio.get_running_loop().create_future()
        # A batch that stops no longer waits; the commit's own error (a full disk) is then
        # seen through the batch's first failure, not printed again as "never retrieved".
        stored.add_done_callback(lambda future: future.cancelled() or future.exception())
        finished = FinishedConversation(done.index, result, done.scenario.id, done.seed, usage)
        self._waiting.append((finished, stored))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.ensure_future(self._commit_waiting())
        await asyncio.shield(stored)  # a cancelled batch never abandons a half-finished write

    async def _commit_waiting(self) -> None:
        """Commit the waiting conversations, a group at a time, until none is left."""
        assert self.run_id is not None
        while self._waiting:
            group = self._waiting[:GROUP_MAX]
            del self._waiting[:GROUP_MAX]
            try:
                await self._writer.run(
                    partial(
                        self.store.save_conversations,
                        self.run_id,
                        [f for f, _ in group],
                        skip_stored=self.skip_stored,
                    )
                )
            except Exception as exc:
                for _, stored in group:
                    if not stored.done():
                        stored.set_exception(exc)
            else:
                for _, stored in group:
                    if not stored.done():
                        stored.set_result(None)

    async def drain(self) -> None:
        """Wait for every pending write and stop the writer thread."""
        if self._committing is not None:
            await asyncio.shield(self._committing)
        await asyncio.to_thread(self._writer.close)

    async def stopped(self) -> None:
        """Close the run as ``interrupted``: it was stopped before the end."""
        if self.run_id is not None:
            await asyncio.to_thread(
                self.store.finish_run,
                self.run_id,
                status=INTERRUPTED,
                error="stopped before the end",
            )

    async def failed(self, exc: BaseException) -> None:
        """Close the run as ``failed`` with ``exc``, if the store still answers."""
        if self.run_id is not None:
            error = f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(Exception):  # the store itself may be what failed
                await asyncio.to_thread(
                    self.store.finish_run, self.run_id, status=FAILED, error=error
                )

    async def finished(self, metrics: BatchMetrics, wall_s: float, stopped: str | None) -> None:
        """Close the run with its metrics: ``finished``, or ``interrupted`` with ``stopped``."""
        if self.run_id is not None:
            await asyncio.to_thread(
                self.store.finish_run,
                self.run_id,
                status=INTERRUPTED if stopped else FINISHED,
                metrics=metrics,
                error=stopped,
                wall_s=wall_s,
                usage=self.usage.run_usage() if self.usage else None,
            )
