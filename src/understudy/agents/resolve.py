"""Turn what the user names as the agent under test into a factory of fresh agents.

``resolve_agent(target)`` returns ``(factory, AgentInfo)``: the factory makes one agent per
conversation; ``AgentInfo`` is what a stored run records about the agent (kind, reference,
version label, a snapshot of its content and the content's hash).

Agent kinds are ``AgentKind`` classes registered in ``AGENTS`` (entry-point group
``understudy.agents``, see ``understudy.registry``); ``resolve_agent`` tries them by priority
and the first whose ``matches`` accepts the target resolves it. Built in, all registered the
way plugins are: ``http`` (an ``http(s)://`` webhook URL), ``flow`` (an assistant flow file,
``*.yaml`` / ``*.yml`` / ``*.json``), ``callable`` (``module:function``), ``agent-persona``
(the id of a stored agent persona) and ``voice`` (a ``ws(s)://`` voice bot, the voice extra).
Capabilities (realtime, versioned, rerunnable) are class attributes of the kinds, and the options
of each kind a pydantic model that forbids unknown keys.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from understudy.content.flows import load_flow
from understudy.content.hashing import content_hash
from understudy.content.ids import slugify
from understudy.content.loader import read_text
from understudy.domain.flow import CollectNode, Flow
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.seams import Agent
from understudy.errors import ConfigError
from understudy.registry import Plugin, PluginOptions, PluginRegistry, plugin_class

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
            ``resolve_agent`` sets it from the kind (``AgentKind.realtime``).
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


class AgentOptions(PluginOptions):
    """Options every agent kind takes.

    Attributes:
        version: which version to play (``draft``, ``production``, a number); kinds without
            versions accept only ``draft``.
        llm_run: the run's LLM access (an ``understudy.llm.run.LLMRun``) for LLM-backed agents.
    """

    version: str = "draft"
    llm_run: Any = None


class AgentKind(Plugin):
    """One kind of agent target (a flow file, a webhook URL...): recognises and resolves it.

    Registered in ``AGENTS`` (entry-point group ``understudy.agents``), as built-ins are.
    ``resolve_agent`` tries kinds by ``priority`` (lower first; registration order among equal
    ones) and resolves the target with the first whose ``matches`` accepts it.

    Attributes:
        name: registry name, recorded on stored runs as the agent kind (``flow``, ``http``...).
        label: the accepted form, for messages (``flow file (.yaml)``).
        priority: order of trial; built-ins use 10 (URLs), 20 (flow files), 90
            (``module:function``) and 95 (agent persona ids), plugins default to 50.
        realtime: its turns take real time (network, model): a batch then runs on the system
            clock.
        versioned: targets have versions (the ``version`` option).
        rerunnable: a stored run of it can be played again (``understudy rerun``): its target
            still resolves to the content the run recorded, or to a newer version of it.
        Options: the kind's options (``AgentOptions`` or a subclass).
    """

    label: ClassVar[str] = "agent"
    priority: ClassVar[int] = 50
    realtime: ClassVar[bool] = False
    versioned: ClassVar[bool] = False
    rerunnable: ClassVar[bool] = False
    Options: ClassVar[type[PluginOptions]] = AgentOptions

    @classmethod
    @abstractmethod
    def matches(cls, target: str) -> bool:
        """Return True for targets this kind handles (cheap: no network, no model)."""

    @classmethod
    @abstractmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve ``target`` into a factory of fresh agents and what a run records.

        Args:
            target: what the user gave.
            options: the validated ``Options`` of the kind.

        Raises:
            UnderstudyError: a subclass naming what is wrong with the target.
        """


AGENTS: PluginRegistry[AgentKind] = PluginRegistry(
    "agent kind", "understudy.agents", plugin_class(AgentKind)
)
AGENTS.add("http", "understudy.agents.targets:WebhookKind")
AGENTS.add("flow", "understudy.agents.resolve:FlowKind")
AGENTS.add("callable", "understudy.agents.targets:CallableKind")
AGENTS.add("agent-persona", "understudy.agents.targets:AgentPersonaKind")
AGENTS.add("voice", "understudy.agents.targets:VoiceBotKind")


def agent_kinds() -> list[type[AgentKind]]:
    """Return the agent kinds that load, in the order ``resolve_agent`` tries them."""
    loaded = list(AGENTS.load_all().values())
    order = {name: i for i, name in enumerate(AGENTS.names())}
    return sorted(loaded, key=lambda k: (k.priority, order.get(k.name, 0)))


def resolve_agent(target: str, **options: object) -> tuple[AgentFactory, AgentInfo]:
    """Resolve ``target`` into a factory of fresh agents and what a run records about it.

    The first agent kind (by priority) whose ``matches`` accepts the target resolves it.

    Args:
        target: a flow file path, or any target a registered agent kind accepts.
        **options: the kind's options (e.g. ``version="production"`` for agent personas),
            validated by its ``Options`` before anything is built.

    Raises:
        ContentError: the file is invalid (names file, line and field).
        ConfigError: no kind accepts the target (the message lists the accepted forms); a
            ``version`` other than ``draft`` for a kind without versions; an unknown option.
    """
    kinds = agent_kinds()
    found = next((k for k in kinds if k.matches(target)), None)
    if found is None:
        accepted = ", ".join(k.label for k in kinds)
        raise ConfigError(f"cannot use {target!r} as an agent; accepted kinds: {accepted}")
    return resolve_agent_as(found.name, target, **options)


def resolve_agent_as(kind: str, target: str, **options: object) -> tuple[AgentFactory, AgentInfo]:
    """Resolve ``target`` with the agent kind named ``kind`` (see ``resolve_agent``).

    Raises:
        NotFoundError: an unknown kind (the message lists the known ones).
        ContentError, ConfigError: see ``resolve_agent``.
    """
    chosen = AGENTS.get(kind)
    valid = AGENTS.options(kind, options)
    version = str(dict(valid).get("version") or "draft")
    if version != "draft" and not chosen.versioned:
        raise ConfigError(
            f"--version {version} applies to agent personas only; {target!r} is a "
            f"{chosen.label}, which has no versions (drop --version)"
        )
    factory, info = chosen.resolve(target, valid)
    return factory, replace(info, kind=chosen.name, realtime=chosen.realtime)


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


class FlowKind(AgentKind):
    """Assistant flow files (``*.yaml`` / ``*.yml`` / ``*.json``): a ``FlowAgent`` each time."""

    name = "flow"
    label = "flow file (.yaml)"
    priority = 20
    rerunnable = True

    @classmethod
    def matches(cls, target: str) -> bool:
        """True for a path ending in ``.yaml``, ``.yml`` or ``.json``."""
        return _is_flow_path(target)

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve a flow file (see ``resolve_flow``)."""
        return resolve_flow(target)


def resolve_flow(target: str, **_options: object) -> tuple[AgentFactory, AgentInfo]:
    """Resolve an assistant flow file (see ``resolve_agent``).

    Raises:
        ContentError: unreadable or invalid flow file.
    """
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
    return FlowAgents(flow), info


@dataclass(frozen=True)
class FlowAgents:
    """Makes a fresh ``FlowAgent`` of one flow per conversation.

    A class rather than a closure so a batch's plan can be sent to worker processes (it
    pickles: the flow is a pydantic model).

    Attributes:
        flow: the loaded flow.
    """

    flow: Flow

    def __call__(self) -> Agent:
        """Return a fresh agent playing ``flow``."""
        from understudy.agents.flow import FlowAgent

        return FlowAgent(self.flow)
