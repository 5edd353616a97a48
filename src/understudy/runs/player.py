"""Play a planned stress test, recording it as it goes.

``play`` runs the batch (``understudy.runs.batch.run_batch``) with a ``RunRecorder`` committing
each conversation as it ends, and closes the run as ``finished``, or ``interrupted`` when the
batch is cancelled (Ctrl-C, SIGTERM, a web request that cancels the task) or its LLM token
budget ran out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from understudy.domain.transcript import TerminationReason
from understudy.engine.events import Observer
from understudy.errors import ConfigError
from understudy.llm.run import LLMRun
from understudy.metrics.batch import BatchMetrics, MetricsTally
from understudy.runs.batch import BatchConversation, BatchResult, run_batch
from understudy.runs.limits import ray_limits, served_limits
from understudy.runs.plan import StressPlan
from understudy.runs.ray_backend import connect, load_ray, run_on_ray, tasks_reach
from understudy.runs.record import RunRecorder, UsageSource
from understudy.runs.workers import Shard, StoreTarget, run_in_processes
from understudy.storage.store import Store

BACKENDS = ("local", "ray")
"""Where a batch can play: this machine, or a Ray cluster."""

BUDGET_SPENT = "token budget spent"
"""Detail of conversations, and error of runs, cut short because the LLM token budget ran out."""


@dataclass
class StressOutcome:
    """A played stress test.

    Attributes:
        run_id: the stored run's id (None when played without a store).
        result: every conversation played, by index (none kept when played with
            ``keep_conversations=False``: then read them from the store).
        metrics: the batch metrics, over the conversations that finished (those cut by the
            token budget are left out).
        stopped: why the run stopped before its end (``BUDGET_SPENT``), None when it finished.
        cut_indices: indices of the conversations ended ``interrupted`` because the run
            stopped early, ascending.
        errors: ``(index, error)`` of each conversation that ended with an error, ascending.
    """

    run_id: str | None
    result: BatchResult
    metrics: BatchMetrics
    stopped: str | None = None
    cut_indices: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def cut(self) -> list[BatchConversation]:
        """Conversations ended ``interrupted`` because the run stopped early (kept ones only)."""
        return [
            c
            for c in self.result.conversations
            if c.result.termination_reason is TerminationReason.interrupted
        ]

    @property
    def finished(self) -> int:
        """Conversations played to their end (played, less those cut short)."""
        return self.result.played - len(self.cut_indices)

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
    keep_conversations: bool = True,
    workers: int = 1,
    resume: str | None = None,
    backend: str = "local",
    address: str | None = None,
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
        keep_conversations: keep every conversation in ``outcome.result``; False keeps none
            (the metrics are tallied as each conversation ends: ``MetricsTally``), so memory
            stays flat however large the batch; the CLI plays this way.
        workers: local processes playing the batch (``understudy.runs.workers``): 1 plays in
            this process; more shard the conversations by index, each with its own seed, so
            every transcript is the same whatever the number. Live ``conversation_observers``
            need 1.
        backend: ``local`` (this machine: ``workers`` processes) or ``ray`` (tasks on a Ray
            cluster, ``understudy.runs.ray_backend``; the ``ray`` extra). An LLM-backed batch
            (``usage`` is its ``LLMRun``) shares one set of limits and one token budget over
            every process (``understudy.runs.limits``), and each process plays
            ``concurrency / workers`` of its conversations at once.
        address: the Ray cluster (``auto``, ``ray://host:10001``); None starts a local one.
        resume: the id of a stored run to finish instead of starting a new one: only its
            missing conversation indices are played (``understudy.runs.resume.plan_resume``
            makes the plan from the run's snapshots), and the metrics cover the stored and the
            new conversations together.

    Raises:
        asyncio.CancelledError: the batch was stopped; the run is then marked ``interrupted``
            with its stored conversations and their metrics.
        Exception: anything else that stops the batch (e.g. the store failing); the run is then
            marked ``failed`` with the error, if the store still answers.
    """
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "ray":
        load_ray()  # a missing extra fails now, with the install command
    sharded = workers > 1 or backend == "ray"
    if sharded and conversation_observers is not None:
        raise ConfigError("live conversation observers need the batch played in one process")
    llm_run = usage if isinstance(usage, LLMRun) and sharded and plan.uses_model else None
    async with contextlib.AsyncExitStack() as stack:
        if llm_run is not None and backend == "ray":
            await stack.enter_async_context(ray_limits(llm_run, connect(address)))
        elif llm_run is not None:
            await stack.enter_async_context(served_limits(llm_run))
        shard = None
        if sharded:
            shard = Shard(
                plan.agent_factory,
                plan.simulator_factory,
                plan.scenarios,
                plan.seed,
                plan.clock_factory(),
                llm_run=llm_run,
            )
            shard.payload()  # raises ConfigError now, before the run is recorded
        return await _play(
            plan,
            store,
            shard,
            on_conversation_end=on_conversation_end,
            on_start=on_start,
            usage=usage,
            budget_spent=budget_spent,
            conversation_observers=conversation_observers,
            keep_conversations=keep_conversations,
            workers=workers,
            resume=resume,
            backend=backend,
            address=address,
        )


async def _play(
    plan: StressPlan,
    store: Store | None,
    shard: Shard | None,
    *,
    on_conversation_end: Callable[[BatchConversation], None] | None,
    on_start: Callable[[str | None], None] | None,
    usage: UsageSource | None,
    budget_spent: Callable[[], bool] | None,
    conversation_observers: Callable[[int], Sequence[Observer]] | None,
    keep_conversations: bool,
    workers: int,
    resume: str | None,
    backend: str,
    address: str | None,
) -> StressOutcome:
    """``play``, once the batch's shard (None: this process plays it) is ready."""
    # A batch that waits on the network or a model (anything but simulated time) plays its
    # --concurrency across the workers, in hand-outs of concurrency / workers played at once;
    # a CPU-bound one hands out chunks (``workers.chunk_size``) played one after another.
    io_bound = shard is not None and (shard.llm_run is not None or not plan.reproducible)
    tally = MetricsTally()
    cut: list[int] = []
    errors: list[tuple[int, str]] = []
    indices: list[int] | None = None
    if resume is not None:
        if store is None:
            raise ConfigError("resuming a run needs its store")
        indices, stored = await asyncio.to_thread(store.resume_state, resume, plan.n)
        tally.merge(stored)
    recorder = RunRecorder(store, usage) if store is not None else None
    if recorder is None:
        run_id = None
    elif resume is not None:
        run_id = await recorder.reopen(resume)
    else:
        run_id = await recorder.start(plan)
    if on_start is not None:
        on_start(run_id)
    if (
        shard is not None
        and store is not None
        and run_id is not None
        and shard.llm_run is None  # an LLM run's usage is gathered in this process
        and not keep_conversations
        and store.shared
        and (backend == "local" or tasks_reach(store.url, address))
    ):
        # Each worker commits its own conversations: no transcript crosses to this process.
        shard = dataclasses.replace(shard, store=StoreTarget(store.url, run_id))
        if recorder is not None:
            recorder.skip_stored = True

    async def ended(done: BatchConversation) -> None:
        result = done.result
        if result.termination_reason is TerminationReason.interrupted:
            cut.append(done.index)
        else:
            tally.add(done.outcome)
        if result.error:
            errors.append((done.index, result.error))
        if recorder is not None and not done.stored:
            await recorder.conversation_ended(done)
        if on_conversation_end is not None:
            on_conversation_end(done)

    try:
        try:
            if shard is not None and backend == "ray":
                result = await run_on_ray(
                    shard,
                    n=plan.n,
                    address=address,
                    indices=indices,
                    on_conversation_end=ended,
                    should_stop=budget_spent,
                    keep=keep_conversations,
                    concurrency=plan.concurrency if io_bound else None,
                )
            elif shard is not None:
                result = await run_in_processes(
                    shard,
                    n=plan.n,
                    workers=workers,
                    indices=indices,
                    on_conversation_end=ended,
                    should_stop=budget_spent,
                    keep=keep_conversations,
                    per_task=-(-plan.concurrency // workers) if io_bound else None,
                )
            else:
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
                    indices=indices,
                    keep=keep_conversations,
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
    if shard is not None and shard.llm_run is not None:
        await shard.llm_run.settle()  # the calls of a worker that died count in the run's usage
    stopped = BUDGET_SPENT if cut or result.skipped else None
    metrics = tally.metrics(plan.bands)
    if recorder is not None:
        await recorder.finished(metrics, result.wall_s, stopped)
    return StressOutcome(run_id, result, metrics, stopped, sorted(cut), sorted(errors))
