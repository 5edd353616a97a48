"""The customer side: the offline agenda-based simulator and the LLM-backed one.

``make_simulator(kind, persona, scenario, rng, **options)`` builds one for a conversation. Kinds
are ``UserSimulator`` subclasses registered in ``SIMULATORS`` (``offline`` built in; ``llm``
with the ``llm`` extra; plugins under the entry-point group ``understudy.simulators``, see
``understudy.registry``). Options are checked against the kind's ``Options`` model first.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.seams import UserSimulator
from understudy.registry import PluginOptions, PluginRegistry, plugin_class, set_options

SIMULATORS: PluginRegistry[UserSimulator] = PluginRegistry(
    "user simulator", "understudy.simulators", plugin_class(UserSimulator)
)
SIMULATORS.add("offline", "understudy.simulators.offline:OfflineSimulator")
SIMULATORS.add("llm", "understudy.simulators.llm:LLMSimulator")


def make_simulator(
    kind: str,
    persona: Persona,
    scenario: Scenario,
    rng: random.Random,
    options: Mapping[str, Any] | PluginOptions | None = None,
    /,
    **more: Any,
) -> UserSimulator:
    """Build a user simulator for one conversation.

    Args:
        kind: registry name (``offline``, ``llm``...).
        persona: who the customer is.
        scenario: what the call is about.
        rng: the conversation's seeded random generator (the only source of chance).
        options: the kind's options (validated by its ``Options`` model), or already validated.
        **more: further options, by keyword.

    Raises:
        NotFoundError: unknown kind (the message lists the known ones).
        ConfigError: an unknown or invalid option (the message lists the known ones).
    """
    persona = scenario.customer_persona(persona)
    cls = SIMULATORS.get(kind)
    given = SIMULATORS.keyword_options(kind, {**set_options(options), **more})
    return cls(persona, scenario, rng, **given)  # type: ignore[call-arg]
