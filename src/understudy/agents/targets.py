"""Resolvers for ``--agent`` targets beyond flow files: webhooks, callables, agent personas.

Registered in ``understudy.agents.resolve.AGENTS`` as the kinds ``http`` (tried first, before
flow files), ``callable`` and ``agent-persona`` (tried last):

- ``http://...`` / ``https://...``: a :class:`~understudy.agents.webhook.WebhookAgent`; options
  from the ``webhook:`` section of ``$UNDERSTUDY_HOME/config.yaml`` (any
  :class:`~understudy.agents.webhook.WebhookOptions` field but ``url``) and the ``webhook``
  resolver option;
- ``module:function``: a :class:`~understudy.agents.callable.CallableAgent`, run in a worker
  process (killed at the turn timeout) unless the ``callable:`` section of config.yaml, or the
  ``callable`` resolver option, says ``isolation: thread``; ``memory_mb`` caps a worker (see
  :class:`CallableSettings`). The function must import in a worker before the run starts;
- the id of a stored agent persona: an :class:`~understudy.agents.llm_agent.LLMAgent` playing
  its draft, or the version given by ``version=`` (``production``, ``3``);
- ``ws://...`` / ``wss://...`` (kind ``voice``, the voice extra): a voice bot speaking pipecat's
  WebSocket protocol, a :class:`~understudy.voice.bot_client.VoiceBotAgent`; options from the
  ``voice_bot:`` section of config.yaml (any ``VoiceBotOptions`` field but ``url``) and the
  ``voice_bot`` resolver option. The customer speaks in the persona's voice.

Options (validated per kind, unknown ones are errors): every kind takes ``version`` and ``llm_run``
(an :class:`understudy.llm.run.LLMRun` shared by the run); ``http`` takes ``webhook`` (a dict of
webhook options); ``callable`` takes ``callable`` (a dict of ``CallableSettings`` fields);
``voice`` takes ``voice_bot`` (a dict of voice bot options); ``agent-persona`` takes ``model``
(overrides the persona's model), ``llm_model``
(a ready pydantic-ai model), ``channel`` and ``locale``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from understudy.agents.bot_process import DEFAULT_MAX_REPLY_BYTES, DEFAULT_MEMORY_MB
from understudy.agents.resolve import (
    AgentFactory,
    AgentInfo,
    AgentKind,
    AgentOptions,
    generic_scenario,
)
from understudy.content.hashing import content_hash
from understudy.domain.persona import Persona
from understudy.engine.seams import Agent
from understudy.errors import ConfigError
from understudy.settings import config_path, load_config, load_config_with_lines

if TYPE_CHECKING:
    from understudy.domain.agent_persona import AgentPersona


class WebhookResolveOptions(AgentOptions):
    """Options of the ``http`` kind.

    Attributes:
        webhook: webhook options (any ``understudy.agents.webhook.WebhookOptions`` field but
            ``url``), over those of the config file's ``webhook:`` section.
    """

    webhook: dict[str, Any] = Field(default_factory=dict)


class CallableSettings(BaseModel):
    """How a ``module:function`` bot is run (config.yaml's ``callable:`` section).

    Attributes:
        isolation: ``process`` (default: a worker process per conversation at a time, killed at
            the turn timeout; survives exits, aborts, segfaults and memory leaks) or ``thread``
            (in this process: no start-up cost, but an endless loop keeps spinning and a crash in
            C code ends the run). See ``understudy.agents.callable``.
        memory_mb: address-space cap of a worker in MiB (``RLIMIT_AS``), None for none.
        max_reply_bytes: the largest reply a worker may send back, in bytes (its pickled size;
            1 MB by default); a larger one ends the conversation with an error naming the limit.
    """

    model_config = ConfigDict(extra="forbid")

    isolation: Literal["process", "thread"] = "process"
    memory_mb: int | None = Field(default=DEFAULT_MEMORY_MB, ge=64)
    max_reply_bytes: int = Field(default=DEFAULT_MAX_REPLY_BYTES, gt=0)


class CallableResolveOptions(AgentOptions):
    """Options of the ``callable`` kind.

    Attributes:
        callable: ``CallableSettings`` fields, over those of the config file's ``callable:``
            section.
    """

    callable: dict[str, Any] = Field(default_factory=dict)


class VoiceBotResolveOptions(AgentOptions):
    """Options of the ``voice`` kind.

    Attributes:
        voice_bot: ``understudy.voice.bot_client.VoiceBotOptions`` fields but ``url``, over
            those of the config file's ``voice_bot:`` section.
    """

    voice_bot: dict[str, Any] = Field(default_factory=dict)


class AgentPersonaOptions(AgentOptions):
    """Options of the ``agent-persona`` kind (see ``resolve_agent_persona``)."""

    model: str | None = None
    llm_model: Any = None
    channel: str = "chat"
    locale: str = "en-US"


_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _config_section(name: str) -> dict[str, Any]:
    section = load_config().get(name)
    return dict(section) if isinstance(section, dict) else {}


def _option_error(section: str, configured: dict[str, Any], exc: ValidationError) -> ConfigError:
    """A ``ConfigError`` for invalid options, naming config.yaml's line when they came from it."""
    problem = exc.errors()[0]
    field = ".".join(str(p) for p in problem["loc"])
    message = problem["msg"].removeprefix("Value error, ")
    key = str(problem["loc"][0]) if problem["loc"] else ""
    if key in configured:  # name the config file's line, as validate does
        path = config_path()
        line = load_config_with_lines()[1].get((section, key))
        where = f"{path}:{line}" if line else str(path)
        return ConfigError(f"{where}: {section}.{field}: {message}")
    return ConfigError(f"invalid {section} option {field}: {message}")


def resolve_webhook(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve an ``http(s)://`` URL into webhook agents.

    Raises:
        ConfigError: invalid webhook options (config file or ``webhook`` option).
    """
    from understudy.agents.webhook import WebhookAgent, WebhookOptions
    from understudy.redaction import redact_url

    configured = _config_section("webhook")
    raw = {**configured, **dict(options.get("webhook") or {}), "url": target}
    try:
        settings = WebhookOptions.model_validate(raw)
    except ValidationError as exc:
        raise _option_error("webhook", configured, exc) from exc
    shown = redact_url(target)  # credentials in the URL are never printed or stored
    snapshot = settings.model_copy(update={"url": shown}).model_dump_json(exclude={"headers"})
    info = AgentInfo(
        kind="http",
        ref=shown,
        name=shown,
        snapshot=snapshot,
        content_hash=content_hash(json.loads(snapshot)),
        generic_scenario=generic_scenario(shown, slug="webhook"),
        realtime=True,
    )

    # A partial of the class, not a closure: a batch of webhook conversations can be sent to
    # worker processes (``--workers``).
    return partial(WebhookAgent, settings), info


def resolve_callable(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve ``module:function`` into callable agents.

    With process isolation, one worker is started and imports the function before this returns,
    so a bot that cannot run in a worker is refused before the first conversation.

    Raises:
        ConfigError: the function cannot be imported (here or in a worker), or invalid
            ``callable`` options (config file line named).
    """
    from understudy.agents import bot_process
    from understudy.agents.callable import CallableAgent, load_callable

    configured = _config_section("callable")
    try:
        settings = CallableSettings.model_validate(
            {**configured, **dict(options.get("callable") or {})}
        )
    except ValidationError as exc:
        raise _option_error("callable", configured, exc) from exc
    function = load_callable(target)
    if settings.isolation == "process":
        bot_process.prepare(target, settings.memory_mb)
    info = AgentInfo(
        kind="callable",
        ref=target,
        name=target,
        generic_scenario=generic_scenario(target, slug="callable"),
        realtime=True,
    )

    def factory() -> Agent:
        return CallableAgent(
            function,
            target,
            isolation=settings.isolation,
            memory_mb=settings.memory_mb,
            max_reply_bytes=settings.max_reply_bytes,
            reference=target,
        )

    return factory, info


@dataclass(frozen=True)
class VoiceBotAgents:
    """Makes a fresh ``VoiceBotAgent`` per conversation, the customer speaking in ``voice``.

    Attributes:
        options: the bot's address and timings.
        voice: the customer's voice when ``options.voice`` names none.
        engines: the speech engines (``voice.services.VoiceSettings``), None for the offline
            ones.
    """

    options: Any
    voice: str = "en-us"
    engines: Any = None

    def __call__(self) -> Agent:
        """Return a fresh agent for one conversation (one connection to the bot)."""
        from understudy.voice.bot_client import VoiceBotAgent

        return VoiceBotAgent(self.options, voice=self.voice, engines=self.engines)

    def for_persona(self, persona: Persona) -> VoiceBotAgents:
        """The same bot, the customer speaking in ``persona``'s voice (``check_voice``).

        Raises:
            VoiceSetupError: the persona's voice is not installed (the message lists those that
                are).
        """
        from understudy.voice.engines import check_voice

        if self.engines is not None and self.engines.tts.engine != "espeak":
            return replace(self, voice=persona.voice or "")
        return replace(self, voice=check_voice(persona.voice))


def resolve_voice_bot(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve a ``ws(s)://`` URL into voice bot agents.

    Raises:
        VoiceUnavailable: the voice extra or eSpeak NG is missing (the message has the command
            that installs it).
        ConfigError: invalid voice bot options or ``voice:`` engines, or an engine's key
            variable not set (config file line named).
        VoiceSetupError: ``voice`` names a voice that is not installed.
    """
    from understudy.redaction import redact_url
    from understudy.voice import require_voice

    require_voice()
    from understudy.voice.bot_client import VoiceBotOptions
    from understudy.voice.engines import check_voice
    from understudy.voice.services import load_voice_settings

    engines = load_voice_settings()
    configured = _config_section("voice_bot")
    raw = {**configured, **dict(options.get("voice_bot") or {}), "url": target}
    try:
        settings = VoiceBotOptions.model_validate(raw)
    except ValidationError as exc:
        raise _option_error("voice_bot", configured, exc) from exc
    if settings.voice and engines.tts.engine == "espeak":
        settings = settings.model_copy(update={"voice": check_voice(settings.voice)})
    shown = redact_url(target)
    snapshot = settings.model_copy(update={"url": shown}).model_dump_json()
    info = AgentInfo(
        kind="voice",
        ref=shown,
        name=shown,
        snapshot=snapshot,
        content_hash=content_hash(json.loads(snapshot)),
        generic_scenario=generic_scenario(shown, slug="voice-bot"),
        realtime=True,
    )
    return VoiceBotAgents(settings, engines=engines), info


def _is_agent_persona(target: str) -> bool:
    from understudy.agents import persona_store

    return bool(re.match(r"^[a-z0-9][a-z0-9_-]*$", target)) and persona_store.exists(target)


def resolve_agent_persona(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve a stored agent persona id into LLM agents playing one of its versions.

    Raises:
        NotFoundError: unknown version (or ``production`` before the first publish).
        ConfigError: the ``llm`` extra is missing, or the model cannot be used (missing key, a
            model its server does not serve: see ``LLMRun.check_model``).
    """
    from understudy.agents import persona_store
    from understudy.agents.llm_agent import LLMAgent
    from understudy.llm import require_llm

    require_llm(f"the agent persona {target!r}")
    version = persona_store.load_version(target, str(options.get("version") or "draft"))
    run = options.get("llm_run")
    if run is None:
        from understudy.llm.run import LLMRun

        run = LLMRun()
    persona = version.persona
    info = AgentInfo(
        kind="agent-persona",
        ref=target,
        name=persona.name,
        version=version.label,
        snapshot=version.snapshot,
        content_hash=version.content_hash,
        generic_scenario=generic_scenario(persona.name, slug=persona.id),
        realtime=True,
        extra={"production": json.dumps(version.production)},
    )
    model = options.get("model")
    llm_model = options.get("llm_model")
    channel = str(options.get("channel") or "chat")
    locale = str(options.get("locale") or "en-US")

    factory = PersonaAgents(
        persona, channel, locale, run, model if isinstance(model, str) else None, llm_model
    )
    if llm_model is None:  # a wrong model name or key is refused before the first conversation
        chosen = LLMAgent(persona, channel=channel, locale=locale, run=run, model=None)
        run.check_model(
            model if isinstance(model, str) else chosen.model_name,
            given_as="--model"
            if isinstance(model, str)
            else f"the model of agent persona {target!r} (understudy agents edit {target})",
        )
    return factory, info


@dataclass(frozen=True)
class PersonaAgents:
    """Makes a fresh LLM agent of an agent persona per conversation.

    A class rather than a closure so an LLM-backed batch can be sent to worker processes (the
    run pickles once its limits are shared: ``understudy.runs.limits``).

    Attributes:
        persona: the agent persona (one version).
        channel: ``chat`` or ``voice``.
        locale: locale of the voice configuration.
        run: the batch's LLM run.
        model: overrides the configuration's model; None: the persona's.
        llm_model: a ready pydantic-ai model (tests), None to build from the name.
    """

    persona: AgentPersona
    channel: str
    locale: str
    run: Any
    model: str | None = None
    llm_model: Any = None

    def __call__(self) -> Agent:
        """Return a fresh agent for one conversation."""
        from understudy.agents.llm_agent import LLMAgent

        return LLMAgent(
            self.persona,
            channel=self.channel,
            locale=self.locale,
            run=self.run,
            model=self.model,
            llm_model=self.llm_model,
        )


class WebhookKind(AgentKind):
    """``http://...`` / ``https://...``: a webhook agent (see the module docstring)."""

    name = "http"
    label = "http(s) webhook URL"
    priority = 10
    realtime = True
    Options = WebhookResolveOptions

    @classmethod
    def matches(cls, target: str) -> bool:
        """True for an ``http://`` or ``https://`` URL."""
        return target.startswith(("http://", "https://"))

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve a webhook URL (see ``resolve_webhook``)."""
        return resolve_webhook(target, webhook=options.webhook)


class CallableKind(AgentKind):
    """``module:function``: a Python function as the agent (see the module docstring)."""

    name = "callable"
    label = "module:function"
    priority = 90
    realtime = True
    Options = CallableResolveOptions

    @classmethod
    def matches(cls, target: str) -> bool:
        """True for ``module.path:function``."""
        return bool(_CALLABLE.match(target))

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve a callable (see ``resolve_callable``)."""
        return resolve_callable(target, callable=options.callable)


class VoiceBotKind(AgentKind):
    """``ws://...`` / ``wss://...``: a voice bot over pipecat's WebSocket protocol."""

    name = "voice"
    label = "ws(s):// voice bot URL"
    priority = 10
    realtime = True
    Options = VoiceBotResolveOptions

    @classmethod
    def matches(cls, target: str) -> bool:
        """True for a ``ws://`` or ``wss://`` URL."""
        return target.startswith(("ws://", "wss://"))

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve a voice bot URL (see ``resolve_voice_bot``)."""
        return resolve_voice_bot(target, voice_bot=options.voice_bot)


class AgentPersonaKind(AgentKind):
    """The id of a stored agent persona: an LLM agent playing one of its versions."""

    name = "agent-persona"
    label = "agent persona id"
    priority = 95
    realtime = True
    versioned = True
    rerunnable = True
    needs_model = True
    Options = AgentPersonaOptions

    @classmethod
    def matches(cls, target: str) -> bool:
        """True for the id of an agent persona in the user's library."""
        return _is_agent_persona(target)

    @classmethod
    def resolve(cls, target: str, options: Any) -> tuple[AgentFactory, AgentInfo]:
        """Resolve an agent persona (see ``resolve_agent_persona``)."""
        return resolve_agent_persona(target, **dict(options))
