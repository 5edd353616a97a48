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
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from understudy.agents.resolve import AgentFactory, AgentInfo, resolve_agent
from understudy.batch import (
    BatchConversation,
    BatchResult,
    SimulatorFactory,
    registered_simulators,
    run_batch,
)
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.clock import Clock, SystemClock
from understudy.errors import ConfigError
from understudy.metrics.bands import Bands, load_bands
from understudy.metrics.batch import BatchMetrics
from understudy.storage.store import FAILED, FINISHED, INTERRUPTED, RunSpec, Store
from understudy.testing import FakeClock


def model_hash(*models: BaseModel) -> str:
    """Return the sha256 hex digest of models dumped as canonical JSON (sorted keys)."""
    data = [m.model_dump(mode="json") for m in models]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        persona: persona id or YAML path; the first scenario's persona when None.
        scenarios: scenario files; the agent's default or a generic scenario when empty.
        n: conversations (>= 1).
        seed: batch seed.
        concurrency: conversations in flight at most (>= 1).
        simulator: user simulator kind.
        config: a configuration file whose ``bands`` override the user's.
        agent_options: passed to ``resolve_agent``.
        simulator_options: passed to the simulator factory.

    Raises:
        ConfigError: ``n`` or ``concurrency`` below 1.
        ContentError: an invalid flow, scenario, persona or configuration file.
        NotFoundError: unknown persona id or simulator kind.
    """
    if n < 1:
        raise ConfigError(f"-n must be a positive number of conversations, got {n}")
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1, got {concurrency}")
    bands = load_bands(config)
    factory, info = resolve_agent(target, **(agent_options or {}))
    if scenarios:
        chosen = [load_model(Scenario, Path(p)) for p in scenarios]
    elif info.default_scenario is not None:
        chosen = [load_model(Scenario, info.default_scenario)]
    elif info.generic_scenario is not None:
        chosen = [info.generic_scenario]
    else:
        raise ConfigError(f"{target} names no default scenario: give one with --scenario FILE")
    who = resolve_persona(persona or chosen[0].persona)
    sims = registered_simulators(simulator, who, **(simulator_options or {}))
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
    )


@dataclass
class StressOutcome:
    """A played stress test.

    Attributes:
        run_id: the stored run's id (None when played without a store).
        result: every conversation, by index.
        metrics: the batch metrics.
    """

    run_id: str | None
    result: BatchResult
    metrics: BatchMetrics

    def __repr__(self) -> str:
        return f"StressOutcome(run_id={self.run_id!r}, {self.result!r})"


class UsageSource(Protocol):
    """Token usage of LLM calls made during a run (``understudy.llm.LLMRun`` is one)."""

    def conversation_usage(self, conversation_id: str) -> dict[str, int] | None: ...

    def run_usage(self) -> dict[str, int] | None: ...


async def play(
    plan: StressPlan,
    store: Store | None,
    *,
    on_conversation_end: Callable[[BatchConversation], None] | None = None,
    on_start: Callable[[str | None], None] | None = None,
    usage: UsageSource | None = None,
) -> StressOutcome:
    """Play a planned stress test, storing the run and each conversation as it ends.

    Args:
        plan: from ``plan_stress_test``.
        store: where to record it; None plays without storing (benchmarks).
        on_conversation_end: called after each conversation is stored (progress display).
        on_start: called with the run id once the run row exists.
        usage: where LLM token usage is read from, stored per conversation and per run.

    Raises:
        asyncio.CancelledError: the batch was stopped; the run is then marked ``interrupted``
            with its stored conversations and their metrics.
        Exception: anything else that stops the batch (e.g. the store failing); the run is then
            marked ``failed`` with the error, if the store still answers.
    """
    run_id = store.create_run(plan.run_spec()) if store is not None else None
    if on_start is not None:
        on_start(run_id)

    def ended(done: BatchConversation) -> None:
        if store is not None and run_id is not None:
            store.save_conversation(
                run_id,
                done.index,
                done.result,
                scenario_id=done.scenario.id,
                seed=done.seed,
                usage=usage.conversation_usage(done.result.conversation_id) if usage else None,
            )
        if on_conversation_end is not None:
            on_conversation_end(done)

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
        )
    except (asyncio.CancelledError, KeyboardInterrupt):
        if store is not None and run_id is not None:
            store.finish_run(run_id, status=INTERRUPTED, error="stopped before the end")
        raise
    except Exception as exc:
        if store is not None and run_id is not None:
            with contextlib.suppress(Exception):  # the store itself may be what failed
                store.finish_run(run_id, status=FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    metrics = result.metrics(plan.bands)
    if store is not None and run_id is not None:
        store.finish_run(
            run_id,
            status=FINISHED,
            metrics=metrics,
            wall_s=result.wall_s,
            usage=usage.run_usage() if usage else None,
        )
    return StressOutcome(run_id, result, metrics)
