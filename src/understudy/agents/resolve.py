"""Turn what the user names as the agent under test into a factory of fresh agents.

``resolve_agent(target)`` returns ``(factory, AgentInfo)``: the factory makes one agent per
conversation; ``AgentInfo`` is what a stored run records about the agent (kind, reference,
version label, a snapshot of its content and the content's hash).

Targets are tried against ``AGENT_RESOLVERS`` in order; the first whose ``matches`` accepts the
target resolves it. Built in: assistant flow files (``*.yaml`` / ``*.yml`` / ``*.json``).
Other kinds (an ``http://`` webhook, a ``module:function`` callable, an agent persona id) are
added with ``register_resolver``, exactly as the built-in is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from understudy.content.loader import read_text
from understudy.domain.flow import CollectNode, Flow, content_hash, load_flow
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.seams import Agent
from understudy.errors import ConfigError

AgentFactory = Callable[[], Agent]


@dataclass(frozen=True)
class AgentInfo:
    """What a run records about the agent under test.

    Attributes:
        kind: ``flow`` (built in), ``http``, ``callable``, ``agent-persona``...
        ref: what the user gave (a path, URL, ``module:function`` or id).
        name: display name (a flow's ``name``).
        version: version label (``draft``, ``published``, ``production``...), may be empty.
        snapshot: the agent's content at run time (a flow file's text), may be empty.
        content_hash: sha256 of the normalised content (empty when there is no content).
        default_scenario: a scenario file the agent names for stress tests, if any.
        generic_scenario: a scenario built from the agent itself, used when there is neither
            ``--scenario`` nor a default scenario.
        realtime: True when the agent's turns take real time (network, LLM): the batch then
            runs on the system clock; False (a flow) runs on simulated time, reproducibly.
    """

    kind: str
    ref: str
    name: str = ""
    version: str = ""
    snapshot: str = ""
    content_hash: str = ""
    default_scenario: Path | None = None
    generic_scenario: Scenario | None = None
    realtime: bool = False
    extra: dict[str, str] = field(default_factory=dict)


Resolver = Callable[..., tuple[AgentFactory, AgentInfo]]


@dataclass(frozen=True)
class _Entry:
    name: str
    matches: Callable[[str], bool]
    resolve: Resolver


AGENT_RESOLVERS: list[_Entry] = []
"""Resolvers tried in order by ``resolve_agent``."""


def register_resolver(
    name: str, matches: Callable[[str], bool], resolve: Resolver, *, first: bool = False
) -> None:
    """Add a way to resolve agent targets.

    Args:
        name: short kind name shown in error messages (``http``, ``callable``...).
        matches: returns True for targets this resolver handles.
        resolve: ``resolve(target, **options) -> (factory, AgentInfo)``; raises
            ``UnderstudyError`` subclasses for targets it cannot use.
        first: try it before the resolvers already registered.
    """
    entry = _Entry(name, matches, resolve)
    AGENT_RESOLVERS[:] = [e for e in AGENT_RESOLVERS if e.name != name]
    if first:
        AGENT_RESOLVERS.insert(0, entry)
    else:
        AGENT_RESOLVERS.append(entry)


def resolve_agent(target: str, **options: object) -> tuple[AgentFactory, AgentInfo]:
    """Resolve ``target`` into a factory of fresh agents and what a run records about it.

    Args:
        target: a flow file path, or any target a registered resolver accepts.
        **options: passed to the resolver (e.g. ``version="production"`` for agent personas).

    Raises:
        ContentError: the file is invalid (names file, line and field).
        ConfigError: no resolver accepts the target (the message lists the accepted forms).
    """
    for entry in AGENT_RESOLVERS:
        if entry.matches(target):
            return entry.resolve(target, **options)
    kinds = ", ".join(e.name for e in AGENT_RESOLVERS)
    raise ConfigError(f"cannot use {target!r} as an agent; accepted kinds: {kinds}")


_SLUG = re.compile(r"[^a-z0-9]+")


def generic_scenario(flow: Flow, persona: str = "calm") -> Scenario:
    """Build a scenario from a flow alone, for flows without a ``default_scenario``.

    The customer opens with the first example of the flow's first intent without an FAQ answer
    (the request the flow is built for). Its known facts are the first choice of every collect
    node with choices; values checked by patterns (IDs, emails) are unknown, because the
    simulated customer must never state a value it was not given.

    Args:
        flow: the flow.
        persona: persona id recorded on the scenario (the batch usually overrides it).
    """
    task = next((i for i in flow.intents if i.answer is None and i.next is None), None)
    reason = task.examples[0] if task else (flow.description or flow.name)
    known: dict[str, str] = {}
    for node in flow.nodes.values():
        if isinstance(node, CollectNode) and node.choices:
            known.setdefault(node.slot, node.choices[0].value)
    slug = _SLUG.sub("-", flow.name.lower()).strip("-") or "flow"
    return Scenario(
        id=f"{slug}-generic",
        name=f"{flow.name} (generic)",
        persona=persona,
        opening_line=reason,
        goal=CustomerGoal(
            reason_for_call=reason,
            intent=task.name if task else None,
            known_info=known,
        ),
    )


def _is_flow_path(target: str) -> bool:
    return target.lower().endswith((".yaml", ".yml", ".json"))


def resolve_flow(target: str, **_options: object) -> tuple[AgentFactory, AgentInfo]:
    """Resolve an assistant flow file (see ``resolve_agent``).

    Raises:
        ContentError: unreadable or invalid flow file.
    """
    from understudy.agents.flow import FlowAgent

    path = Path(target)
    text = read_text(path)
    flow = load_flow(path)
    default = (path.parent / flow.default_scenario) if flow.default_scenario else None
    info = AgentInfo(
        kind="flow",
        ref=target,
        name=flow.name,
        version=flow.version.value,
        snapshot=text,
        content_hash=content_hash(flow),
        default_scenario=default,
        generic_scenario=None if default else generic_scenario(flow),
    )

    def factory() -> Agent:
        return FlowAgent(flow)

    return factory, info


register_resolver("flow file (.yaml)", _is_flow_path, resolve_flow)

# Webhooks, callables and agent personas register themselves (``understudy.agents.targets``).
import understudy.agents.targets  # noqa: E402, F401
