"""Finish an interrupted run: play only its missing conversations, exactly as they would have been.

A run stops before its end when its process is stopped (Ctrl-C, SIGTERM), killed (SIGKILL, a
lost machine: ``Store.reap_stale`` then marks it ``interrupted``) or fails. Every conversation
that finished is stored, so ``plan_resume`` rebuilds the batch from what the run stored, never
from files that may have changed since: the flow from the run's flow snapshot, the persona and
scenarios from their snapshots, the simulator kind, seed, n and concurrency from its row. Then
``play(plan, store, resume=run.id)`` plays only the missing indices (conversations stored as
``interrupted`` are played again), each with its own seed, into the same run, and closes it
with metrics over all of its conversations: the resumed run equals the uninterrupted one,
metric for metric and transcript for transcript.

Agents other than flows are resolved again from the run's reference (a webhook URL,
``module:function``, an agent persona at the run's version): what answers there is not
recorded, so only a flow's resumption is guaranteed to be the same agent.
"""

from __future__ import annotations

from pathlib import Path

from understudy.agents.resolve import AgentFactory, AgentInfo, FlowAgents, resolve_agent
from understudy.content.flows import parse_flow
from understudy.content.hashing import content_hash
from understudy.content.loader import load_yaml_with_lines
from understudy.errors import ConfigError, UnderstudyError
from understudy.metrics.bands import Bands, load_bands
from understudy.runs.batch import registered_simulators
from understudy.runs.plan import StressPlan, simulator_content
from understudy.runs.rerun import agent_kind, rerun_version, stored_persona, stored_scenarios
from understudy.storage.store import FINISHED, RUNNING
from understudy.storage.tables import RunRow


def plan_resume(
    run: RunRow,
    *,
    bands: Bands | None = None,
    agent_options: dict[str, object] | None = None,
    simulator_options: dict[str, object] | None = None,
) -> StressPlan:
    """Plan the rest of ``run`` from what it stored (see the module docstring).

    Args:
        run: the stored run, ``interrupted`` or ``failed``.
        bands: thresholds in force; the user's configuration when None.
        agent_options: passed to ``resolve_agent`` for agents other than flows.
        simulator_options: passed to the simulator factory (the LLM simulator's model...).

    Raises:
        ConfigError: the run is still running or already finished, or a snapshot is unusable.
        ContentError: the stored flow snapshot no longer loads (names the field).
        NotFoundError: the simulator kind no longer exists.
    """
    if run.status == RUNNING:
        raise ConfigError(
            f"run {run.id} is still running (process {run.pid} on {run.host}); stop it first"
        )
    if run.status == FINISHED:
        raise ConfigError(f"run {run.id} finished: there is nothing to resume")
    factory: AgentFactory
    if run.agent_kind == "flow":
        factory, info = _stored_flow(run)
    else:
        options = dict(agent_options or {})
        kind = agent_kind(run)
        if kind is not None and kind.versioned:
            options["version"] = rerun_version(run)
        factory, info = resolve_agent(run.agent_ref, **options)
    persona = stored_persona(run)
    scenarios = stored_scenarios(run)
    sim_options, simulator_info = simulator_content(run.simulator_kind, simulator_options)
    return StressPlan(
        agent_factory=factory,
        agent=info,
        persona=persona,
        scenarios=scenarios,
        simulator_kind=run.simulator_kind,
        simulator_factory=registered_simulators(run.simulator_kind, persona, **sim_options),
        n=run.n,
        seed=run.seed,
        concurrency=max(1, run.concurrency),
        bands=bands if bands is not None else load_bands(),
        simulator_info=simulator_info,
    )


def bank_changed(run: RunRow, plan: StressPlan) -> bool:
    """True when the phrasing banks installed now differ from those the run recorded.

    The offline customers word their turns from these banks, so the resumed conversations
    would not be the ones the run would have played.
    """
    then, now = run.simulator_info, plan.simulator_info
    if then is None or now is None:
        return False
    return bool(then.get("phrasing_hash") != now.get("phrasing_hash"))


def _stored_flow(run: RunRow) -> tuple[FlowAgents, AgentInfo]:
    """The run's flow, loaded from its snapshot (not from the file, which may have changed)."""
    if not run.agent_snapshot:
        raise ConfigError(f"run {run.id} stored no flow snapshot; it cannot be resumed")
    path = Path(run.agent_ref)
    try:
        data, lines = load_yaml_with_lines(run.agent_snapshot, path)
        flow = parse_flow(data, lines, path)
    except UnderstudyError as exc:
        raise ConfigError(f"run {run.id}'s stored flow no longer loads: {exc}") from exc
    if run.agent_hash and content_hash(flow) != run.agent_hash:
        raise ConfigError(
            f"run {run.id}'s stored flow reads differently today (content hash "
            f"{content_hash(flow)[:12]}, stored {run.agent_hash[:12]}); it cannot be resumed "
            "as the same agent"
        )
    info = AgentInfo(
        kind="flow",
        ref=run.agent_ref,
        name=run.agent_name,
        version=run.agent_version,
        snapshot=run.agent_snapshot,
        content_hash=run.agent_hash,
    )
    return FlowAgents(flow), info
