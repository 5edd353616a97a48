"""Talk to an assistant flow as the customer, or replay a stored customer against it.

The fix-and-confirm loop's investigation step (``understudy chat``): a person types the
customer's lines and the flow answers through the same engine a stress test uses
(``HumanCustomer`` as the customer, the flow agent as the agent); or the customer lines of a
stored conversation are played against the flow as it is now, stopping at the first agent turn
that differs from the stored one (``ReplayCustomer``).

* ``chat_target(flow, scenario_file)`` -> ``ChatTarget``: the flow and the scenario to chat in
  (the given file, the flow's default scenario, or a generic one).
* ``chat(target, lines, observers=, on_wait=)`` -> ``ConversationResult``: the customer's lines
  come from the ``lines`` queue (a terminal, a WebSocket); ``/restart`` starts over with a
  fresh flow (``on_restart`` is told), ``/quit`` ends.
* ``plan_replay(store, run_ref, index, flow=, scenario_file=)`` -> ``ReplayPlan``, then
  ``replay(plan, observers=)`` -> ``Replay``: how far the stored customer got and where the
  flow diverged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from understudy.agents.resolve import AgentFactory, AgentInfo, resolve_agent
from understudy.content.loader import load_model
from understudy.content.scenarios import load_scenario
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult
from understudy.engine.clock import ManualClock
from understudy.engine.events import Observer
from understudy.engine.loop import run_conversation
from understudy.errors import ConfigError
from understudy.runs.rerun import stored_scenarios
from understudy.simulators.human import RESTART_DETAIL, HumanCustomer, ReplayCustomer
from understudy.storage.store import Store
from understudy.storage.tables import RunRow


@dataclass(frozen=True)
class ChatTarget:
    """A flow to chat with and the scenario to chat in.

    Attributes:
        factory: makes a fresh flow agent (one per start-over).
        info: what the flow is (name, version, content hash).
        scenario: the scenario (its goal and facts are what the person plays).
    """

    factory: AgentFactory
    info: AgentInfo
    scenario: Scenario


def resolve_flow(flow: str) -> tuple[AgentFactory, AgentInfo]:
    """Resolve a flow file for chatting.

    Raises:
        ConfigError: ``flow`` resolves to another kind of agent.
        ContentError: an invalid flow file.
    """
    factory, info = resolve_agent(flow)
    if info.kind != "flow":
        raise ConfigError(f"understudy chat plays assistant flows; {flow!r} is a {info.kind}")
    return factory, info


def chat_target(flow: str, scenario_file: Path | str | None = None) -> ChatTarget:
    """Resolve the flow and choose the scenario: the file given, the flow's default, or generic.

    Raises:
        ConfigError: not a flow, or no scenario can be chosen.
        ContentError: an invalid flow or scenario file.
    """
    factory, info = resolve_flow(flow)
    if scenario_file is not None:
        scenario = load_scenario(scenario_file)[0]
    elif info.default_scenario is not None:
        scenario = load_model(Scenario, info.default_scenario)
    elif info.generic_scenario is not None:
        scenario = info.generic_scenario
    else:
        raise ConfigError("the flow names no default scenario: give one with --scenario FILE")
    return ChatTarget(factory, info, scenario)


async def chat(
    target: ChatTarget,
    lines: asyncio.Queue[str],
    *,
    observers: Sequence[Observer] = (),
    on_wait: Callable[[], None] | None = None,
    on_restart: Callable[[], None] | None = None,
) -> ConversationResult:
    """Play the customer's lines from ``lines`` against the flow until ``/quit`` or an ending.

    Args:
        target: from ``chat_target``.
        lines: the customer's lines as they are typed (``/restart``, ``/quit`` included).
        observers: engine observers (a terminal display, a WebSocket push).
        on_wait: called each time the customer's next line is awaited (a prompt).
        on_restart: called when ``/restart`` starts the chat over with a fresh flow.

    Returns:
        The result of the last conversation (the one not restarted).
    """
    attempt = 1
    while True:
        customer = HumanCustomer(lines, on_wait=on_wait)
        result = await run_conversation(
            customer,
            target.factory(),
            target.scenario,
            conversation_id=f"chat-{attempt}",
            observers=observers,
        )
        if result.detail != RESTART_DETAIL:
            return result
        if on_restart is not None:
            on_restart()
        attempt += 1


def parse_conversation_ref(value: str) -> tuple[str, int]:
    """Parse ``RUN:K`` (a run id or prefix and a 0-based conversation number).

    Raises:
        ConfigError: malformed text.
    """
    run, sep, index = value.rpartition(":")
    if not sep or not run or not index.isdigit():
        raise ConfigError(
            f"--from expects RUN:K (a run id and a conversation number), got {value!r}"
        )
    return run, int(index)


@dataclass(frozen=True)
class ReplayPlan:
    """A stored conversation to replay, and the flow and scenario to replay it against.

    Attributes:
        run: the stored run.
        index: the conversation's number in the run.
        stored: the stored conversation.
        factory: makes the flow agent as it is now.
        info: the flow as it is now.
        scenario: the conversation's scenario (from the run's snapshot, or the file given).
    """

    run: RunRow
    index: int
    stored: ConversationResult
    factory: AgentFactory
    info: AgentInfo
    scenario: Scenario

    @property
    def changed(self) -> bool:
        """True when the flow's content hash differs from the run's."""
        return self.info.content_hash != self.run.agent_hash


def plan_replay(
    store: Store,
    run_ref: str,
    index: int,
    *,
    flow: Path | str | None = None,
    scenario_file: Path | str | None = None,
) -> ReplayPlan:
    """Find stored conversation ``index`` of run ``run_ref`` and the flow to replay it against.

    Args:
        store: where the run is stored.
        run_ref: run id, unique prefix or ``last``.
        index: the conversation's 0-based number.
        flow: a flow file to replay against; the run's flow when None.
        scenario_file: a scenario file; the conversation's stored scenario when None.

    Raises:
        NotFoundError: no such run or conversation.
        ConfigError: the run did not play a flow and no flow was given.
        ContentError: an invalid flow or scenario file.
    """
    run = store.get_run(run_ref)
    row, stored = store.get_conversation(run.id, index)
    if flow is None and run.agent_kind != "flow":
        raise ConfigError(f"run {run.id} did not play a flow: give the flow file as FLOW")
    factory, info = resolve_flow(str(flow) if flow is not None else run.agent_ref)
    if scenario_file is not None:
        scenario = load_scenario(scenario_file)[0]
    else:
        scenarios = stored_scenarios(run)
        scenario = next((s for s in scenarios if s.id == row.scenario_id), scenarios[0])
    return ReplayPlan(run, index, stored, factory, info, scenario)


@dataclass(frozen=True)
class Replay:
    """A replayed conversation.

    Attributes:
        customer: the replaying customer: ``sent`` of ``customer_lines`` played, and the
            ``divergence`` where the flow now asks something else (None when it never did).
        result: the new conversation.
    """

    customer: ReplayCustomer
    result: ConversationResult


async def replay(plan: ReplayPlan, *, observers: Sequence[Observer] = ()) -> Replay:
    """Play the stored customer lines against the flow as it is now, on simulated time."""
    customer = ReplayCustomer(plan.stored.messages)
    result = await run_conversation(
        customer,
        plan.factory(),
        plan.scenario,
        conversation_id="replay",
        clock=ManualClock(),
        observers=observers,
        seed=plan.stored.seed,
    )
    return Replay(customer, result)
