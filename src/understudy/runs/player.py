"""Play a planned stress test, recording it as it goes.

``play`` runs the batch (``understudy.runs.batch.run_batch``) with a ``RunRecorder`` committing
each conversation as it ends, and closes the run as ``finished``, or ``interrupted`` when the
batch is cancelled (Ctrl-C, SIGTERM, a web request that cancels the task) or its LLM token
budget ran out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from understudy.domain.transcript import TerminationReason
from understudy.engine.events import Observer
from understudy.metrics.batch import BatchMetrics
from understudy.runs.batch import BatchConversation, BatchResult, run_batch
from understudy.runs.plan import StressPlan
from understudy.runs.record import RunRecorder, UsageSource
from understudy.storage.store import Store

BUDGET_SPENT = "token budget spent"
"""Detail of conversations, and error of runs, cut short because the LLM token budget ran out."""


@dataclass
class StressOutcome:
    """A played stress test.

    Attributes:
        run_id: the stored run's id (None when played without a store).
        result: every conversation played, by index.
        metrics: the batch metrics, over the conversations that finished (those cut by the
            token budget are left out).
        stopped: why the run stopped before its end (``BUDGET_SPENT``), None when it finished.
    """

    run_id: str | None
    result: BatchResult
    metrics: BatchMetrics
    stopped: str | None = None

    @property
    def cut(self) -> list[BatchConversation]:
        """Conversations ended ``interrupted`` because the run stopped early."""
        return [
            c
            for c in self.result.conversations
            if c.result.termination_reason is TerminationReason.interrupted
        ]

    def __repr__(self) -> str:
        return f"StressOutcome(run_id={self.run_id!r}, {self.result!r})"


async def play(
    plan: StressPlan,
    store: Store | None,
    *,
    on_conversation_end: Callable[[BatchConversation], None] | None = None,
    on_start: Callable[[str | None], None] | None = None,
    usage: UsageSource | None = None,
    budget_spent: Callable[[], bool] | None = None,
    conversation_observers: Callable[[int], Sequence[Observer]] | None = None,
) -> StressOutcome:
    """Play a planned stress test, storing the run and each conversation as it ends.

    Store writes run on one background thread (``RunRecorder``), so a commit never blocks the
    conversations in flight; each conversation is committed before ``on_conversation_end``
    is called for it.

    Token budget: once ``budget_spent()`` is True no further conversation starts; the
    conversations whose model call was refused by the budget (``BudgetExhausted``, a
    ``ConversationInterrupted``) are ended ``interrupted`` by the engine, not ``error``; the run is
    marked ``interrupted`` with ``"token budget spent"``, and its metrics cover the finished
    conversations only.

    Args:
        plan: from ``plan_stress_test`` or ``plan_rerun``.
        store: where to record it; None plays without storing (benchmarks).
        on_conversation_end: called after each conversation is stored (progress display, a
            WebSocket push); conversations end in finishing order, not index order.
        on_start: called with the run id once the run row exists (None without a store).
        usage: where LLM token usage is read from, stored per conversation and per run.
        budget_spent: True once the run's LLM token budget is spent (``LLMRun.exhausted``).
        conversation_observers: engine observers of conversation ``k``'s events (each
            message, mood change and ending as it happens), for a live view.

    Raises:
        asyncio.CancelledError: the batch was stopped; the run is then marked ``interrupted``
            with its stored conversations and their metrics.
        Exception: anything else that stops the batch (e.g. the store failing); the run is then
            marked ``failed`` with the error, if the store still answers.
    """
    recorder = RunRecorder(store, usage) if store is not None else None
    run_id = await recorder.start(plan) if recorder is not None else None
    if on_start is not None:
        on_start(run_id)

    async def ended(done: BatchConversation) -> None:
        if recorder is not None:
            await recorder.conversation_ended(done)
        if on_conversation_end is not None:
            on_conversation_end(done)

    try:
        try:
            result = await run_batch(
                plan.agent_factory,
                plan.simulator_factory,
                plan.scenarios,
                n=plan.n,
                seed=plan.seed,
                concurrency=plan.concurrency,
                clock_factory=plan.clock_factory(),
                observers_factory=conversation_observers,
                on_conversation_end=ended,
                should_stop=budget_spent,
            )
        finally:
            if recorder is not None:
                await recorder.drain()
    except (asyncio.CancelledError, KeyboardInterrupt):
        if recorder is not None:
            await recorder.stopped()
        raise
    except Exception as exc:
        if recorder is not None:
            await recorder.failed(exc)
        raise
    cut = [
        c
        for c in result.conversations
        if c.result.termination_reason is TerminationReason.interrupted
    ]
    stopped = BUDGET_SPENT if cut or result.skipped else None
    finished = [c for c in result.conversations if c not in cut]
    metrics = BatchResult(finished, result.wall_s).metrics(plan.bands)
    if recorder is not None:
        await recorder.finished(metrics, result.wall_s, stopped)
    return StressOutcome(run_id, result, metrics, stopped)
