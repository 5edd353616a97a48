"""Stress tests as a library: plan a batch run against an agent, play it, store every result.

``plan_stress_test`` resolves everything a run needs before any conversation starts (agent,
scenarios, persona, simulator, thresholds), so a bad file or an unknown persona fails at once
with an ``UnderstudyError``. ``play`` runs the batch (``understudy.batch.run_batch``), committing
each conversation to the store as it ends and closing the run as ``finished``, or
``interrupted`` when the batch is cancelled (Ctrl-C, SIGTERM).

Scenario choice, in order: the given scenario files (several are played round-robin), the
agent's default scenario (a flow's ``default_scenario``), or a generic scenario built from the
agent. Persona choice: the given id or path, else the first scenario's persona.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from understudy.agents.resolve import AgentFactory, AgentInfo, resolve_agent
from understudy.batch import (
    BatchConversation,
    BatchResult,
    SimulatorFactory,
    registered_simulators,
    run_batch,
)
from understudy.content.hashing import model_hash
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import TerminationReason
from understudy.engine.clock import Clock, SystemClock
from understudy.errors import ConfigError
from understudy.metrics.bands import Bands, load_bands
from understudy.metrics.batch import BatchMetrics
from understudy.storage.store import FAILED, FINISHED, INTERRUPTED, RunSpec, Store
from understudy.testing import FakeClock


@dataclass
class StressPlan:
    """Everything a batch run needs, resolved.

    Attributes:
        agent_factory: makes a fresh agent per conversation.
        agent: what the run records about the agent.
        persona: the customer every conversation plays.
        scenarios: scenarios, round-robin by conversation index.
        simulator_kind: registry name of the user simulator.
        simulator_factory: makes a fresh simulator per conversation.
        n: conversations.
        seed: batch seed.
        concurrency: conversations in flight at most.
        bands: metric thresholds in force.
        simulator_info: what the run records about the simulator's content (the offline
            simulator's phrasing banks: ``bank.phrasing_snapshot``), None when nothing.
    """

    agent_factory: AgentFactory
    agent: AgentInfo
    persona: Persona
    scenarios: list[Scenario]
    simulator_kind: str
    simulator_factory: SimulatorFactory
    n: int
    seed: str
    concurrency: int
    bands: Bands
    simulator_info: dict[str, Any] | None = None

    @property
    def reproducible(self) -> bool:
        """True when the run uses simulated time (offline simulator, non-realtime agent)."""
        return not self.agent.realtime and self.simulator_kind == "offline"

    def clock_factory(self) -> Callable[[], Clock]:
        """Simulated time for reproducible runs, the system clock otherwise."""
        return FakeClock if self.reproducible else SystemClock

    def run_spec(self) -> RunSpec:
        """What the store records about this run before it starts."""
        return RunSpec(
            agent_kind=self.agent.kind,
            agent_ref=self.agent.ref,
            agent_name=self.agent.name,
            agent_version=self.agent.version,
            agent_snapshot=self.agent.snapshot,
            agent_hash=self.agent.content_hash,
            persona_id=self.persona.id,
            persona_snapshot=self.persona.model_dump_json(),
            persona_hash=model_hash(self.persona),
            scenario_ids=[s.id for s in self.scenarios],
            scenario_snapshot=json.dumps([s.model_dump(mode="json") for s in self.scenarios]),
            scenario_hash=model_hash(*self.scenarios),
            simulator_kind=self.simulator_kind,
            seed=self.seed,
            n=self.n,
            concurrency=self.concurrency,
            simulator_info=self.simulator_info,
        )


def plan_stress_test(
    target: str,
    *,
    persona: str | None = None,
    scenarios: Sequence[Path | str] = (),
    n: int = 25,
    seed: int | str = 0,
    concurrency: int = 8,
    simulator: str = "offline",
    config: Path | str | None = None,
    agent_options: dict[str, object] | None = None,
    simulator_options: dict[str, object] | None = None,
) -> StressPlan:
    """Resolve a stress test (see the module docstring for the defaults).

    Args:
        target: the agent: a flow file, or any target ``resolve_agent`` accepts.
        persona: persona id or YAML path; the first scenario's persona when None (a relative
            path there is resolved against that scenario's folder).
        scenarios: scenario files or ids of scenarios in ``$UNDERSTUDY_HOME/scenarios``; the
            agent's default or a generic scenario when empty.
        n: conversations (>= 1).
        seed: batch seed.
        concurrency: conversations in flight at most (>= 1).
        simulator: user simulator kind.
        config: a configuration file whose ``bands`` override the user's.
        agent_options: passed to ``resolve_agent``.
        simulator_options: passed to the simulator factory. For the offline simulator the
            phrasing bank is taken once here and passed to every conversation (installing a
            bank while the batch plays changes none of it); the run records which banks it used.

    Raises:
        ConfigError: ``n`` or ``concurrency`` below 1.
        ContentError: an invalid flow, scenario, persona or configuration file.
        NotFoundError: unknown persona id, scenario or simulator kind.
    """
    if n < 1:
        raise ConfigError(f"-n must be a positive number of conversations, got {n}")
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1, got {concurrency}")
    bands = load_bands(config)
    factory, info = resolve_agent(target, **(agent_options or {}))
    base: Path | None = None
    if scenarios:
        loaded = [load_scenario(p) for p in scenarios]
        chosen = [scenario for scenario, _ in loaded]
        base = loaded[0][1]
    elif info.default_scenario is not None:
        chosen, base = [load_model(Scenario, info.default_scenario)], info.default_scenario.parent
    elif info.generic_scenario is not None:
        chosen = [info.generic_scenario]
    else:
        raise ConfigError(f"{target} names no default scenario: give one with --scenario FILE")
    # A scenario's persona path is relative to the scenario's folder; --persona to the user's.
    who = resolve_persona(persona) if persona else resolve_persona(chosen[0].persona, base)
    options, simulator_info = simulator_content(simulator, simulator_options)
    sims = registered_simulators(simulator, who, **options)
    return StressPlan(
        agent_factory=factory,
        agent=info,
        persona=who,
        scenarios=chosen,
        simulator_kind=simulator,
        simulator_factory=sims,
        n=n,
        seed=str(seed),
        concurrency=concurrency,
        bands=bands,
        simulator_info=simulator_info,
    )


def simulator_content(
    simulator: str, options: dict[str, object] | None
) -> tuple[dict[str, object], dict[str, Any] | None]:
    """Resolve once, for a whole batch, the content a simulator would read per conversation.

    For ``offline``: the phrasing bank (built-in plus installed banks) is taken now and added to
    the options as ``bank`` (unless the caller gave one).

    Args:
        simulator: the simulator kind.
        options: the simulator options given.

    Returns:
        ``(options, simulator_info)``: the options to pass to every simulator, and what the run
        records (``{"phrasing_banks": [...], "phrasing_hash": ...}``), None for other kinds.
    """
    resolved = dict(options or {})
    if simulator != "offline" or "bank" in resolved:
        return resolved, None
    from understudy.simulators.offline.bank import phrasing_snapshot

    bank, info = phrasing_snapshot()
    resolved["bank"] = bank
    return resolved, info


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


BUDGET_SPENT = "token budget spent"
"""Detail of conversations, and error of runs, cut short because the LLM token budget ran out."""


class _Writer:
    """One background thread that does the store's writes, in order, off the event loop.

    Each conversation is still committed when it ends: ``save`` awaits its commit (shielded, so
    a cancelled batch never abandons a half-finished write), and ``close`` waits for every
    write before the run row is closed.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="understudy-store")

    async def run(self, call: Callable[[], object]) -> None:
        """Run ``call`` on the writer thread and wait for it (errors propagate)."""
        future = asyncio.wrap_future(self._pool.submit(call))
        await asyncio.shield(future)

    def close(self) -> None:
        """Wait for every submitted write, then stop the thread."""
        self._pool.shutdown(wait=True)


async def play(
    plan: StressPlan,
    store: Store | None,
    *,
    on_conversation_end: Callable[[BatchConversation], None] | None = None,
    on_start: Callable[[str | None], None] | None = None,
    usage: UsageSource | None = None,
    budget_spent: Callable[[], bool] | None = None,
) -> StressOutcome:
    """Play a planned stress test, storing the run and each conversation as it ends.

    Store writes run on one background thread (``_Writer``), so a commit never blocks the
    conversations in flight; each conversation is committed before ``on_conversation_end``
    is called for it.

    Token budget: once ``budget_spent()`` is True no further conversation starts; the
    conversations whose model call was refused by the budget (``BudgetExhausted``, a
    ``ConversationInterrupted``) are ended ``interrupted`` by the engine, not ``error``; the run is
    marked ``interrupted`` with ``"token budget spent"``, and its metrics cover the finished
    conversations only.

    Args:
        plan: from ``plan_stress_test``.
        store: where to record it; None plays without storing (benchmarks).
        on_conversation_end: called after each conversation is stored (progress display).
        on_start: called with the run id once the run row exists.
        usage: where LLM token usage is read from, stored per conversation and per run.
        budget_spent: True once the run's LLM token budget is spent (``LLMRun.exhausted``).

    Raises:
        asyncio.CancelledError: the batch was stopped; the run is then marked ``interrupted``
            with its stored conversations and their metrics.
        Exception: anything else that stops the batch (e.g. the store failing); the run is then
            marked ``failed`` with the error, if the store still answers.
    """
    run_id = store.create_run(plan.run_spec()) if store is not None else None
    if on_start is not None:
        on_start(run_id)
    writer = _Writer()

    async def ended(done: BatchConversation) -> None:
        result = done.result
        if store is not None and run_id is not None:
            conversation_usage = usage.conversation_usage(result.conversation_id) if usage else None
            await writer.run(
                partial(
                    store.save_conversation,
                    run_id,
                    done.index,
                    result,
                    scenario_id=done.scenario.id,
                    seed=done.seed,
                    usage=conversation_usage,
                )
            )
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
                on_conversation_end=ended,
                should_stop=budget_spent,
            )
        finally:
            await asyncio.to_thread(writer.close)
    except (asyncio.CancelledError, KeyboardInterrupt):
        if store is not None and run_id is not None:
            store.finish_run(run_id, status=INTERRUPTED, error="stopped before the end")
        raise
    except Exception as exc:
        if store is not None and run_id is not None:
            with contextlib.suppress(Exception):  # the store itself may be what failed
                store.finish_run(run_id, status=FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    cut = [
        c
        for c in result.conversations
        if c.result.termination_reason is TerminationReason.interrupted
    ]
    stopped = BUDGET_SPENT if cut or result.skipped else None
    finished = [c for c in result.conversations if c not in cut]
    metrics = BatchResult(finished, result.wall_s).metrics(plan.bands)
    if store is not None and run_id is not None:
        store.finish_run(
            run_id,
            status=INTERRUPTED if stopped else FINISHED,
            metrics=metrics,
            error=stopped,
            wall_s=result.wall_s,
            usage=usage.run_usage() if usage else None,
        )
    return StressOutcome(run_id, result, metrics, stopped)
