"""LLM-related command-line options shared by ``stress-test`` and ``practice``."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.engine.seams import UserSimulator
from understudy.errors import ConfigError
from understudy.llm import require_llm
from understudy.llm.run import LLMRun
from understudy.llm.settings import load_llm_settings


def make_llm_run(no_cache: bool = False, max_tokens: int | None = None) -> LLMRun:
    """Return the run's LLM access from the user's settings and the command-line overrides.

    Raises:
        ContentError: the config file's ``llm:`` section is invalid.
        ConfigError: an invalid override.
    """
    settings = load_llm_settings(max_tokens_per_run=max_tokens)
    return LLMRun(settings, cache=False if no_cache else None)


def llm_options(
    flow: str | None,
    agent: str | None,
    simulator: str,
    model: str | None,
    no_cache: bool,
    version: str,
    max_tokens: int | None,
) -> tuple[str, LLMRun, dict[str, object], dict[str, object]]:
    """Turn the stress-test options into ``(target, run, agent_options, simulator_options)``.

    Raises:
        ConfigError: neither or both of FLOW and ``--agent``; ``--model`` without an LLM
            simulator; the LLM simulator's model cannot be set up (missing API key or package),
            found here so the run fails before its first conversation.
    """
    if (flow is None) == (agent is None):
        raise ConfigError(
            "give the agent under test either as FLOW or with --agent (a flow file, an "
            "http(s):// webhook, module:function or an agent persona id)"
        )
    target = flow if flow is not None else agent
    assert target is not None
    run = make_llm_run(no_cache, max_tokens)
    agent_options: dict[str, object] = {"version": version, "llm_run": run}
    simulator_options: dict[str, object] = {}
    if simulator == "llm":
        require_llm("the LLM user simulator (--simulator llm)")
        run.check_model(model)  # a missing key fails here, before any conversation
        simulator_options = {"model": model, "run": run}
    elif model is not None:
        raise ConfigError("--model applies to the LLM user simulator: add --simulator llm")
    return target, run, agent_options, simulator_options


def usage_line(run: LLMRun) -> str:
    """Return a one-line summary of a run's LLM usage."""
    usage = run.usage
    line = (
        f"LLM: {usage.total_tokens} tokens in {usage.requests} calls, {usage.cached} from the "
        f"replay cache, {usage.retries} retries"
    )
    if usage.repairs:
        line += f", {usage.repairs} knowledge-boundary repairs"
    if run.exhausted:
        line += f"; token budget of {run.settings.max_tokens_per_run} spent"
    return line


@dataclass
class PracticeLLM:
    """The LLM parts of a practice call.

    Attributes:
        simulator: the LLM user simulator, or None for the default (offline) one.
        grader_options: options for ``make_grader`` (model and run for the LLM grader).
        run: the LLM access of the call.
    """

    simulator: UserSimulator | None
    grader_options: dict[str, Any]
    run: LLMRun | None


def practice_llm(
    persona: Persona,
    scenario: Scenario,
    seed: int,
    simulator: str,
    grader: str,
    model: str | None,
    no_cache: bool,
) -> PracticeLLM:
    """Build the LLM user simulator and grader options of ``practice``, when asked for.

    Raises:
        NotFoundError: unknown simulator kind.
        ConfigError: the ``llm`` extra is missing, ``--model`` without anything LLM-backed, or
            the model cannot be set up (missing API key or package).
    """
    if simulator == "offline" and grader != "llm":
        if model is not None:
            raise ConfigError("--model applies to --simulator llm or --grader llm")
        return PracticeLLM(None, {}, None)
    from understudy.simulators import make_simulator

    run = make_llm_run(no_cache)
    if simulator == "llm" or grader == "llm":
        run.check_model(model)  # a missing key fails before the call starts
    customer = None
    if simulator != "offline":
        options: dict[str, Any] = {"model": model, "run": run} if simulator == "llm" else {}
        customer = make_simulator(simulator, persona, scenario, random.Random(seed), **options)
    grader_options: dict[str, Any] = {"model": model, "run": run} if grader == "llm" else {}
    return PracticeLLM(customer, grader_options, run)


def generate_with_llm(description: str, seed: int | None, model: str | None) -> Persona:
    """Draft a persona from ``description`` with a model (``personas generate --llm``).

    Raises:
        ConfigError: the ``llm`` extra is missing, or an empty description.
        LLMError: the model call failed.
    """
    from understudy.llm.persona_generation import LLMPersonaGenerator

    generator = LLMPersonaGenerator(model=model, run=make_llm_run())
    try:
        return asyncio.run(generator.generate(description, seed=seed))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
