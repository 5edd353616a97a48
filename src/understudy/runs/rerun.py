"""Plan a stress test again from a stored run: the fix-and-confirm loop.

A bot builder runs a batch, reads a failure, fixes the flow, and re-runs the *same* batch to see
whether the score moved. ``plan_rerun`` rebuilds that batch from the stored run: the persona and
the scenarios come from the run's snapshots (so a later edit of the persona or scenario file does
not change the rerun), the simulator kind, seed, n and concurrency from the run's row, and the
agent is resolved again from disk: a flow file as it is *now* (or another file given instead).
Same customers, new flow: any difference in the scores is the flow's doing.

Agents that can be resolved again are those whose kind is ``rerunnable``
(``understudy.agents.resolve.AgentKind``): flow files, and agent personas by id and version label
(a ``versioned`` kind; the stored version must still exist). Webhooks and callables are refused:
what answers at a URL or behind a function name is not recorded, so a rerun could not claim to
compare like with like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from understudy.agents.resolve import AGENTS, AgentKind, FlowKind, resolve_agent
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, UnderstudyError
from understudy.metrics.bands import Bands, load_bands
from understudy.runs.batch import registered_simulators
from understudy.runs.plan import StressPlan, simulator_content
from understudy.storage.tables import RunRow


def agent_kind(run: RunRow) -> type[AgentKind] | None:
    """Return the registered agent kind a stored run played, None when it is not registered."""
    try:
        return AGENTS.get(run.agent_kind)
    except UnderstudyError:
        return None


def rerun_version(run: RunRow) -> str:
    """Return the agent version a rerun of ``run`` plays: the run's own for a versioned kind."""
    kind = agent_kind(run)
    return (run.agent_version or "draft") if kind is not None and kind.versioned else "draft"


@dataclass(frozen=True)
class Rerun:
    """A planned rerun and how its agent relates to the original run's.

    Attributes:
        plan: the batch to play (``understudy.runs.player``).
        original: the stored run it repeats.
        target: what the agent was resolved from (a flow path, an agent persona id).
    """

    plan: StressPlan
    original: RunRow
    target: str

    @property
    def unchanged(self) -> bool:
        """True when the agent's content hash equals the original run's (same result expected)."""
        return bool(self.original.agent_hash) and (
            self.plan.agent.content_hash == self.original.agent_hash
        )

    @property
    def bank_warning(self) -> str | None:
        """Say how the phrasing banks now differ from the original run's, or None when they match.

        The offline simulator words turns from its phrasing bank (built-in lines plus the banks
        installed in ``$UNDERSTUDY_HOME/phrasing``), so different banks give different customers
        for the same seed, and score differences are no longer the flow's doing alone. Runs
        stored before banks were recorded are compared only when banks are installed now.
        """
        now = self.plan.simulator_info
        if now is None:
            return None
        then = self.original.simulator_info
        if then is None:
            if not now.get("phrasing_banks"):
                return None
            return (
                f"run {self.original.id} did not record its phrasing banks; installed now: "
                f"{_bank_names(now)}: the customers may word their turns differently"
            )
        if then.get("phrasing_hash") == now.get("phrasing_hash"):
            return None
        return (
            f"the phrasing banks differ from run {self.original.id}'s (then: "
            f"{_bank_names(then)}; now: {_bank_names(now)}): the customers may word their "
            "turns differently, so score differences are not the flow's alone"
        )


def _bank_names(info: dict[str, Any]) -> str:
    banks = info.get("phrasing_banks") or []
    names = [
        f"{b.get('file')} {str(b.get('sha256', ''))[:12]}" for b in banks if isinstance(b, dict)
    ]
    return ", ".join(names) if names else "built-in bank only"


def rerun_target(run: RunRow, flow: Path | str | None = None) -> str:
    """Return what to resolve the agent of a rerun from.

    Args:
        run: the stored run.
        flow: a flow file to play instead of the run's stored flow path.

    Raises:
        ConfigError: the run's agent kind cannot be resolved again, or ``flow`` was given for
            a run whose agent is not a flow.
    """
    kind = agent_kind(run)
    if kind is None or not kind.rerunnable:
        raise ConfigError(
            f"run {run.id} played a {run.agent_kind} agent ({run.agent_ref}); only flow files "
            "and agent personas can be re-run, since what answers a webhook or a callable is "
            "not recorded. Start a new batch with `understudy stress-test --agent ...` and "
            "compare it with `understudy runs compare`"
        )
    if flow is not None:
        if kind is not FlowKind:
            raise ConfigError(
                f"--flow applies to runs of a flow; run {run.id} played an agent "
                f"persona ({run.agent_ref})"
            )
        return str(flow)
    return run.agent_ref


def stored_persona(run: RunRow) -> Persona:
    """Return the persona snapshot stored with ``run``.

    Raises:
        ConfigError: the run has no usable persona snapshot.
    """
    try:
        return Persona.model_validate_json(run.persona_snapshot)
    except ValidationError as exc:
        raise ConfigError(
            f"run {run.id} has no usable persona snapshot ({exc.error_count()} problem(s)); "
            "it cannot be re-run"
        ) from exc


def stored_scenarios(run: RunRow) -> list[Scenario]:
    """Return the scenario snapshots stored with ``run``, in the run's order.

    Raises:
        ConfigError: the run has no usable scenario snapshot.
    """
    try:
        data = json.loads(run.scenario_snapshot or "[]")
        scenarios = [Scenario.model_validate(item) for item in data]
    except (ValueError, ValidationError) as exc:
        raise ConfigError(
            f"run {run.id} has no usable scenario snapshot; it cannot be re-run"
        ) from exc
    if not scenarios:
        raise ConfigError(f"run {run.id} stored no scenario; it cannot be re-run")
    return scenarios


def plan_rerun(
    run: RunRow,
    *,
    flow: Path | str | None = None,
    bands: Bands | None = None,
    agent_options: dict[str, object] | None = None,
    simulator_options: dict[str, object] | None = None,
) -> Rerun:
    """Plan the batch of ``run`` again against its agent as it is now.

    Args:
        run: the stored run to repeat.
        flow: a flow file to play instead of the run's stored flow path.
        bands: thresholds in force; the user's configuration when None.
        agent_options: passed to ``resolve_agent`` (an agent persona's ``version`` defaults to
            the run's version label).
        simulator_options: passed to the simulator factory (the LLM simulator's model...).

    Raises:
        ConfigError: the agent kind cannot be re-run, or a snapshot is unusable.
        ContentError: the flow file is now invalid (names file, line and field).
        NotFoundError: the simulator kind or the agent persona version no longer exists.
    """
    target = rerun_target(run, flow)
    options = dict(agent_options or {})
    kind = agent_kind(run)
    if kind is not None and kind.versioned:
        options["version"] = rerun_version(run)
    factory, info = resolve_agent(target, **options)
    persona = stored_persona(run)
    scenarios = stored_scenarios(run)
    sim_options, simulator_info = simulator_content(run.simulator_kind, simulator_options)
    simulators = registered_simulators(run.simulator_kind, persona, **sim_options)
    plan = StressPlan(
        agent_factory=factory,
        agent=info,
        persona=persona,
        scenarios=scenarios,
        simulator_kind=run.simulator_kind,
        simulator_factory=simulators,
        n=run.n,
        seed=run.seed,
        concurrency=max(1, run.concurrency),
        bands=bands if bands is not None else load_bands(),
        simulator_info=simulator_info,
    )
    return Rerun(plan=plan, original=run, target=target)
