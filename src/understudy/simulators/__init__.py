"""The customer side: the offline agenda-based simulator and the LLM-backed one.

``make_simulator(kind, persona, scenario, rng, **options)`` builds one for a conversation; kinds
are registered in ``SIMULATORS`` (``offline`` built in; ``llm`` with the ``llm`` extra).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.seams import UserSimulator
from understudy.registry import Registry

SimulatorFactory = Callable[..., UserSimulator]

SIMULATORS: Registry[SimulatorFactory] = Registry("user simulator", "understudy.simulators")


@SIMULATORS.register("offline")
def _offline(
    persona: Persona, scenario: Scenario, rng: random.Random, **options: Any
) -> UserSimulator:
    from understudy.simulators.offline import OfflineSimulator

    return OfflineSimulator(persona, scenario, rng, **options)


@SIMULATORS.register("llm")
def _llm(persona: Persona, scenario: Scenario, rng: random.Random, **options: Any) -> UserSimulator:
    from understudy.simulators.llm import LLMSimulator

    return LLMSimulator(persona, scenario, rng, **options)


def make_simulator(
    kind: str, persona: Persona, scenario: Scenario, rng: random.Random, **options: Any
) -> UserSimulator:
    """Build a user simulator for one conversation.

    Args:
        kind: registry name (``offline``, ``llm``...).
        persona: who the customer is.
        scenario: what the call is about.
        rng: the conversation's seeded random generator (the only source of chance).
        **options: simulator-specific options.

    Raises:
        NotFoundError: unknown kind.
    """
    return SIMULATORS.get(kind)(persona, scenario, rng, **options)
