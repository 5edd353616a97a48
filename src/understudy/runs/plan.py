"""Plan a stress test: resolve everything a batch run needs before any conversation starts.

``plan_stress_test`` resolves the agent, scenarios, persona, simulator and thresholds, so a bad
file or an unknown persona fails at once with an ``UnderstudyError``; ``understudy.runs.player``
then plays the plan.

Scenario choice, in order: the given scenario files (several are played round-robin), the
agent's default scenario (a flow's ``default_scenario``), or a generic scenario built from the
agent. Persona choice: the given id or path, else the first scenario's persona.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from understudy.agents.resolve import AgentFactory, AgentInfo, resolve_agent
from understudy.content.hashing import content_hash, snapshot
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.clock import Clock, ManualClock, SystemClock
from understudy.errors import ConfigError
from understudy.metrics.bands import Bands, load_bands
from understudy.runs.batch import SimulatorFactory, registered_simulators
from understudy.storage.store import RunSpec

DEFAULT_CONCURRENCY = 8
"""Conversations in flight of an offline batch (CPU-bound: more changes nothing in one process)."""

REALTIME_CONCURRENCY = 32
"""Conversations in flight at most, by default, against a webhook or callable bot."""


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
        """True when the run uses simulated time (a simulator and an agent that take no real time).

        The capabilities are class attributes: ``UserSimulator.simulated_time`` and
        ``AgentKind.realtime`` (recorded as ``AgentInfo.realtime``).
        """
        from understudy.simulators import SIMULATORS

        return not self.agent.realtime and SIMULATORS.get(self.simulator_kind).simulated_time

    @property
    def uses_model(self) -> bool:
        """True when the simulator or the agent calls an LLM (a ``needs_model`` capability)."""
        from understudy.agents.resolve import AGENTS
        from understudy.components import needs_model
        from understudy.simulators import SIMULATORS

        return needs_model(SIMULATORS, self.simulator_kind) or needs_model(AGENTS, self.agent.kind)

    def default_concurrency(self, model_concurrency: Callable[[], int]) -> int:
        """Conversations in flight when the user names none: enough to reach the critical path.

        An offline batch takes ``DEFAULT_CONCURRENCY`` (its work is CPU, not waiting). A batch
        that waits on a model plays every conversation at once up to the model's configured
        limit of calls in flight (``llm.concurrency``): each conversation has at most one call
        in flight per model (the customer's, then the agent's), so ``min(n, limit)``
        conversations keep every allowed call busy and the batch takes about its critical path
        (turns x calls per turn x latency) when ``n`` is within the limit. A webhook or callable
        bot takes ``min(n, REALTIME_CONCURRENCY)``.

        Args:
            model_concurrency: returns the configured calls in flight per model (read only
                when a model is used, so an offline run ignores the ``llm:`` settings).
        """
        if self.reproducible:
            return DEFAULT_CONCURRENCY
        if self.uses_model:
            return max(1, min(self.n, model_concurrency()))
        return max(1, min(self.n, REALTIME_CONCURRENCY))

    def clock_factory(self) -> Callable[[], Clock]:
        """Simulated time for reproducible runs, the system clock otherwise."""
        return ManualClock if self.reproducible else SystemClock

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
            persona_snapshot=snapshot(self.persona),
            persona_hash=content_hash(self.persona),
            scenario_ids=[s.id for s in self.scenarios],
            scenario_snapshot=snapshot(self.scenarios),
            scenario_hash=content_hash(*self.scenarios),
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
        PermissionDenied: the acting user may not run a stress-test.
        NotFoundError: unknown persona id, scenario or simulator kind.
    """
    from understudy.teams.permissions import Action, authorize

    authorize(Action.RUN_STRESS_TEST)
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
    speaking = getattr(factory, "for_persona", None)
    if callable(speaking):  # an agent the customer talks to (a voice bot) takes its voice
        factory = speaking(who)
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

    The simulator class decides (``UserSimulator.prepare_batch``): ``offline`` takes the
    phrasing bank (built-in plus installed banks) now and adds it to the options as ``bank``
    (unless the caller gave one).

    Args:
        simulator: the simulator kind.
        options: the simulator options given.

    Returns:
        ``(options, simulator_info)``: the options to pass to every simulator, and what the run
        records (``{"phrasing_banks": [...], "phrasing_hash": ...}``), None for other kinds.

    Raises:
        NotFoundError: unknown simulator kind.
        ConfigError: an unknown or invalid option (before any content is read).
    """
    from understudy.simulators import SIMULATORS

    resolved = SIMULATORS.keyword_options(simulator, options)
    return SIMULATORS.get(simulator).prepare_batch(resolved)
