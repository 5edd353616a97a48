"""Resolvers for ``--agent`` targets beyond flow files: webhooks, callables, agent personas.

Registered on import (``understudy.agents.resolve`` imports this module), tried in this order
before the flow-file resolver:

- ``http://...`` / ``https://...``: a :class:`~understudy.agents.webhook.WebhookAgent`; options
  from the ``webhook:`` section of ``$UNDERSTUDY_HOME/config.yaml`` (any
  :class:`~understudy.agents.webhook.WebhookOptions` field but ``url``) and the ``webhook``
  resolver option;
- ``module:function``: a :class:`~understudy.agents.callable.CallableAgent`;
- the id of a stored agent persona: an :class:`~understudy.agents.llm_agent.LLMAgent` playing
  its draft, or the version given by ``version=`` (``production``, ``3``).

Resolver options understood here: ``version``, ``llm_run`` (an :class:`understudy.llm.run.LLMRun`
shared by the run), ``model`` (overrides the persona's model), ``llm_model`` (a ready pydantic-ai
model), ``channel``, ``locale``, ``webhook`` (a dict of webhook options).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from understudy.agents.resolve import (
    AgentFactory,
    AgentInfo,
    generic_scenario,
    register_resolver,
)
from understudy.content.hashing import content_hash
from understudy.engine.seams import Agent
from understudy.errors import ConfigError
from understudy.settings import load_config

_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _webhook_config() -> dict[str, Any]:
    section = load_config().get("webhook")
    return dict(section) if isinstance(section, dict) else {}


def resolve_webhook(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve an ``http(s)://`` URL into webhook agents.

    Raises:
        ConfigError: invalid webhook options (config file or ``webhook`` option).
    """
    from understudy.agents.webhook import WebhookAgent, WebhookOptions

    raw = {**_webhook_config(), **dict(options.get("webhook") or {}), "url": target}
    try:
        settings = WebhookOptions.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        raise ConfigError(f"invalid webhook option {field}: {problem['msg']}") from exc
    snapshot = settings.model_dump_json(exclude={"headers"})
    info = AgentInfo(
        kind="http",
        ref=target,
        name=target,
        snapshot=snapshot,
        content_hash=content_hash(json.loads(snapshot)),
        generic_scenario=generic_scenario(target, slug="webhook"),
        realtime=True,
    )

    def factory() -> Agent:
        return WebhookAgent(settings)

    return factory, info


def resolve_callable(target: str, **_options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve ``module:function`` into callable agents.

    Raises:
        ConfigError: the function cannot be imported.
    """
    from understudy.agents.callable import CallableAgent, load_callable

    function = load_callable(target)
    info = AgentInfo(
        kind="callable",
        ref=target,
        name=target,
        generic_scenario=generic_scenario(target, slug="callable"),
        realtime=True,
    )

    def factory() -> Agent:
        return CallableAgent(function, target)

    return factory, info


def _is_agent_persona(target: str) -> bool:
    from understudy.agents import persona_store

    return bool(re.match(r"^[a-z0-9][a-z0-9_-]*$", target)) and persona_store.exists(target)


def resolve_agent_persona(target: str, **options: Any) -> tuple[AgentFactory, AgentInfo]:
    """Resolve a stored agent persona id into LLM agents playing one of its versions.

    Raises:
        NotFoundError: unknown version (or ``production`` before the first publish).
        ConfigError: the ``llm`` extra is missing.
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

    def factory() -> Agent:
        return LLMAgent(
            persona,
            channel=channel,
            locale=locale,
            run=run,
            model=model if isinstance(model, str) else None,
            llm_model=llm_model,
        )

    return factory, info


register_resolver(
    "http(s) webhook URL",
    lambda t: t.startswith(("http://", "https://")),
    resolve_webhook,
    first=True,
)
register_resolver("module:function", lambda t: bool(_CALLABLE.match(t)), resolve_callable)
register_resolver("agent persona id", _is_agent_persona, resolve_agent_persona, versioned=True)
