"""Choose the parts of a run by registry name and options, for every front end.

The command line, the web app and a user's own script name a user simulator, an agent and a
grader the same way: a registry name (``understudy.registry``) plus options. This module turns
those names, and an optional model (``provider:model``), into ready options, deciding from each
entry's capabilities (``needs_model``) rather than from its name:

- ``stress_options(simulator, model, run, version)``: the agent and simulator options of a
  stress test;
- ``practice_parts(persona, scenario, seed, simulator, grader, model, make_run)``: the customer,
  grader options and LLM access of a practice call;
- ``needs_model(registry, name)`` and ``model_options(registry, name, model, run)`` for any
  other choice (a regrade's grader...).

An LLM-backed entry gets ``model`` and ``run`` (the run's ``understudy.llm.run.LLMRun``), and
the model is checked before the first conversation (a missing key or package fails at once). A
run that uses no LLM-backed entry builds no ``LLMRun`` and reads no ``llm`` settings.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.seams import UserSimulator
from understudy.errors import ConfigError, UnderstudyError
from understudy.registry import PluginRegistry

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun

DEFAULT_SIMULATOR = "offline"
"""The user simulator used when none is named."""

DEFAULT_GRADER = "offline"
"""The grader used when none is named."""


def needs_model(registry: PluginRegistry[Any], name: str) -> bool:
    """Return True when the entry ``name`` is LLM-backed (its ``needs_model`` capability).

    An unknown or broken name returns False: the error is raised where the entry is built,
    with the list of known names.
    """
    try:
        return bool(registry.get(name).needs_model)
    except UnderstudyError:
        return False


def model_options(
    registry: PluginRegistry[Any], name: str, model: str | None, run: LLMRun
) -> dict[str, Any]:
    """Return the options that give an LLM-backed entry its model, checking the model now.

    Args:
        registry: the entry's registry.
        name: the entry's name.
        model: ``provider:model``; the ``llm.model`` setting when None.
        run: the run's LLM access.

    Returns:
        ``{"model": model, "run": run}`` for an LLM-backed entry, ``{}`` for others.

    Raises:
        ConfigError: the model cannot be set up (missing API key or package).
    """
    if not needs_model(registry, name):
        return {}
    run.check_model(model)  # a missing key fails here, before any conversation
    return {"model": model, "run": run}


def stress_options(
    simulator: str, model: str | None, run: LLMRun, version: str = "draft"
) -> tuple[dict[str, object], dict[str, object]]:
    """Return ``(agent_options, simulator_options)`` of a stress test.

    Args:
        simulator: the user simulator's registry name.
        model: ``provider:model`` of an LLM-backed simulator (None: the ``llm.model`` setting).
        run: the run's LLM access, shared by LLM-backed agents and simulators.
        version: the agent version to play (``draft``, ``production``, a number).

    Raises:
        ConfigError: ``model`` for a simulator that takes none; the ``llm`` extra is missing or
            the model cannot be set up (found here, before the first conversation).
    """
    from understudy.llm import require_llm
    from understudy.simulators import SIMULATORS

    agent_options: dict[str, object] = {"version": version, "llm_run": run}
    if needs_model(SIMULATORS, simulator):
        require_llm(f"the LLM user simulator (--simulator {simulator})")
        return agent_options, model_options(SIMULATORS, simulator, model, run)
    if model is not None:
        raise ConfigError("--model applies to the LLM user simulator: add --simulator llm")
    return agent_options, {}


@dataclass
class PracticeParts:
    """The parts of a practice call chosen by name.

    Attributes:
        simulator: the user simulator, or None for the default (offline) one.
        grader_options: options for ``make_grader`` (model and run for an LLM-backed grader).
        run: the call's LLM access, None when nothing is LLM-backed.
    """

    simulator: UserSimulator | None
    grader_options: dict[str, Any] = field(default_factory=dict)
    run: LLMRun | None = None


def practice_parts(
    persona: Persona,
    scenario: Scenario,
    seed: int | str,
    simulator: str,
    grader: str,
    model: str | None,
    make_run: Callable[[], LLMRun],
) -> PracticeParts:
    """Build the user simulator and the grader options of a practice call.

    Args:
        persona: the customer.
        scenario: the scenario practised.
        seed: seeds the simulator's random generator.
        simulator: the user simulator's registry name.
        grader: the grader's registry name.
        model: ``provider:model`` for the LLM-backed parts (None: the ``llm.model`` setting).
        make_run: builds the call's LLM access; called only when something is LLM-backed.

    Raises:
        NotFoundError: unknown simulator.
        ConfigError: ``model`` with nothing LLM-backed; the ``llm`` extra is missing or the
            model cannot be set up (missing API key or package); an invalid option; a persona
            language the simulator does not speak.
    """
    from understudy.graders.base import GRADERS
    from understudy.simulators import SIMULATORS, make_simulator
    from understudy.simulators.languages import require_language

    require_language(simulator, persona)  # before anything is set up or played
    llm_parts = needs_model(SIMULATORS, simulator) or needs_model(GRADERS, grader)
    run = make_run() if llm_parts else None
    if run is None and model is not None:
        raise ConfigError("--model applies to --simulator llm or --grader llm")
    customer = None
    if simulator != DEFAULT_SIMULATOR:
        options = {} if run is None else model_options(SIMULATORS, simulator, model, run)
        customer = make_simulator(simulator, persona, scenario, random.Random(seed), options)
    grader_options = {} if run is None else model_options(GRADERS, grader, model, run)
    return PracticeParts(customer, grader_options, run)
