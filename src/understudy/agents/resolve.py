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

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from understudy.content.flows import load_flow
from understudy.content.hashing import content_hash
from understudy.content.ids import slugify
from understudy.content.loader import read_text
from understudy.domain.flow import CollectNode, Flow
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.seams import Agent
from understudy.errors import ConfigError

AgentFactory = Callable[[], Agent]


@dataclass(frozen=True)
class AgentInfo:
    """What a run records about the agent under test.

    Attributes:
        kind: ``flow`` (built in), ``http``, ``callable``, ``agent-persona``...
        ref: what the user gave (a URL, ``module:function`` or id); for a file, its absolute
            path, so runs of the same file compare whatever folder they were started from.
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
    versioned: bool = False


AGENT_RESOLVERS: list[_Entry] = []
"""Resolvers tried in order by ``resolve_agent``."""


def register_resolver(
    name: str,
    matches: Callable[[str], bool],
    resolve: Resolver,
    *,
    first: bool = False,
    versioned: bool = False,
) -> None:
    """Add a way to resolve agent targets.

    Args:
        name: short kind name shown in error messages (``http``, ``callable``...).
        matches: returns True for targets this resolver handles.
        resolve: ``resolve(target, **options) -> (factory, AgentInfo)``; raises
            ``UnderstudyError`` subclasses for targets it cannot use.
        first: try it before the resolvers already registered.
        versioned: the targets have versions (the ``version`` option); ``resolve_agent``
            rejects a version other than ``draft`` for the others.
    """
    entry = _Entry(name, matches, resolve, versioned)
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
        ConfigError: no resolver accepts the target (the message lists the accepted forms);
            a ``version`` other than ``draft`` for a target without versions.
    """
    for entry in AGENT_RESOLVERS:
        if entry.matches(target):
            version = str(options.get("version") or "draft")
            if version != "draft" and not entry.versioned:
                raise ConfigError(
                    f"--version {version} applies to agent personas only; {target!r} is a "
                    f"{entry.name}, which has no versions (drop --version)"
                )
            return entry.resolve(target, **options)
    kinds = ", ".join(e.name for e in AGENT_RESOLVERS)
    raise ConfigError(f"cannot use {target!r} as an agent; accepted kinds: {kinds}")


GENERIC_REASON = "I have a question about my order."
"""The customer's reason for calling in a generic scenario of an agent without a flow."""


def generic_scenario(
    flow: Flow | str, persona: str = "calm", *, slug: str | None = None
) -> Scenario:
    """Build a scenario from the agent alone, for agents without a default scenario.

    For a flow, the customer opens with the first example of the flow's first intent without an
    FAQ answer (the request the flow is built for). Its known facts are the first choice of
    every collect node with choices; values checked by patterns (IDs, emails) are unknown,
    because the simulated customer must never state a value it was not given. For an agent
    known only by name (a webhook, a callable, an agent persona), the customer has a question
    about an order (``GENERIC_REASON``).

    Args:
        flow: the flow, or the display name of an agent without one.
        persona: persona id recorded on the scenario (the batch usually overrides it).
        slug: the id prefix (``SLUG-generic``); made from the name when None.
    """
    if isinstance(flow, str):
        return Scenario(
            id=f"{slug or slugify(flow, 'agent')}-generic",
            name=f"{flow} (generic)",
            persona=persona,
            goal=CustomerGoal(reason_for_call=GENERIC_REASON),
        )
    task = next((i for i in flow.intents if i.answer is None and i.next is None), None)
    reason = task.examples[0] if task else (flow.description or flow.name)
    known: dict[str, str] = {}
    for node in flow.nodes.values():
        if isinstance(node, CollectNode) and node.choices:
            known.setdefault(node.slot, node.choices[0].value)
    return Scenario(
        id=f"{slug or slugify(flow.name, 'flow')}-generic",
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


def flow_snapshot(flow: Flow, text: str) -> str:
    """Return what a run stores as its flow: everything the flow's content hash covers.

    A flow without ``intents_from`` is stored as its file's text (comments and layout kept). A
    flow with ``intents_from`` is stored as the merged flow in YAML: the included intents
    inlined after the flow's own and ``intents_from`` emptied, with a comment naming the files,
    so the snapshot alone holds every intent the run played (a later edit of an included file
    does not change it) and loads as a flow file.

    Args:
        flow: the loaded flow (included intents already merged in, ``load_flow``).
        text: the flow file's text.
    """
    if not flow.intents_from:
        return text
    from understudy.content.importers.common import to_yaml

    header = "Snapshot of a flow with its intents_from files merged in: " + ", ".join(
        flow.intents_from
    )
    return to_yaml(flow.model_copy(update={"intents_from": []}), header=header, exact=True)


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
        ref=str(path.resolve()),
        name=flow.name,
        version=flow.version.value,
        snapshot=flow_snapshot(flow, text),
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
