"""LLM-related command-line options shared by ``stress-test`` and ``practice``."""

from __future__ import annotations

import asyncio

from understudy.components import PracticeParts, practice_parts, stress_options
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError
from understudy.llm.run import LLMRun


def make_llm_run(no_cache: bool = False, max_tokens: int | None = None) -> LLMRun:
    """Return the run's LLM access from the user's settings and the command-line overrides.

    The settings are read when a model is first needed, so an offline run ignores the config
    file's ``llm:`` section.

    Raises:
        ConfigError: an invalid ``max_tokens`` override.
    """
    from pydantic import ValidationError

    from understudy.llm.settings import LLMSettings, load_llm_settings

    if max_tokens is not None:  # a bad override fails now, whatever the run needs
        try:
            LLMSettings(max_tokens_per_run=max_tokens)
        except ValidationError as exc:
            raise ConfigError(f"invalid LLM option: {exc.errors()[0]['msg']}") from exc
    # Read on first use: a run that calls no model ignores the config's llm: section.
    return LLMRun(
        lambda: load_llm_settings(max_tokens_per_run=max_tokens),
        cache=False if no_cache else None,
    )


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
        ConfigError: neither or both of FLOW and ``--agent``; see also
            ``understudy.components.stress_options``.
    """

    if (flow is None) == (agent is None):
        raise ConfigError(
            "give the agent under test either as FLOW or with --agent (a flow file, an "
            "http(s):// webhook, module:function or an agent persona id)"
        )
    target = flow if flow is not None else agent
    assert target is not None
    run = make_llm_run(no_cache, max_tokens)
    agent_options, simulator_options = stress_options(simulator, model, run, version)
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


PracticeLLM = PracticeParts
"""The LLM parts of a practice call (``understudy.components.PracticeParts``)."""


def practice_llm(
    persona: Persona,
    scenario: Scenario,
    seed: int,
    simulator: str,
    grader: str,
    model: str | None,
    no_cache: bool,
) -> PracticeParts:
    """Build the user simulator and grader options of ``practice`` by name.

    Raises:
        NotFoundError: unknown simulator kind.
        ConfigError: see ``understudy.components.practice_parts``.
    """
    return practice_parts(
        persona, scenario, seed, simulator, grader, model, lambda: make_llm_run(no_cache)
    )


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
