"""The scenario's scripted beats are performed at their moment, over many seeds."""

from __future__ import annotations

import asyncio

import pytest

from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, Role
from understudy.simulators.offline.beats import scenario_beats
from understudy.testing import ScriptedAgent, run_one

SCENARIO = Scenario(
    id="purifier",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want to return the air purifier because it does not clean the air. "
        "At the end, ask whether the vacuum cleaner could be returned as well.",
        task_instructions="Mention that you have already called twice. Be polite.",
        known_info={"order_id": "W-1020"},
    ),
    max_turns=10,
)
SCRIPT = [
    "Hello, how can I help?",
    "What is your order number?",
    "Let me check that for you.",
    "The return is set up. Is there anything else I can help with?",
    "Sure, I will note that. Anything else?",
    "Thanks for calling, goodbye!",
]
PERSONAS = ("calm", "impatient", "elderly", "non-native", "typo-prone", "maya")


def test_beats_are_read_from_the_scenario_in_the_first_person() -> None:
    beats = scenario_beats(SCENARIO)
    assert [b.moment for b in beats] == ["end", "soon"]
    assert beats[0].line.startswith("I also wanted to ask whether the vacuum cleaner")
    assert beats[1].line == "I should mention that I have already called twice."


@pytest.mark.slow
def test_every_task_instruction_is_performed_at_its_moment_over_many_seeds() -> None:
    for mode in (ScenarioMode.chat, ScenarioMode.voice):
        scenario = SCENARIO.model_copy(update={"mode": mode})
        for persona in PERSONAS:
            for seed in range(15):
                result = asyncio.run(
                    run_one(
                        ScriptedAgent(list(SCRIPT)),
                        scenario=scenario,
                        persona=resolve_persona(persona),
                        seed=seed,
                    )
                )
                turns = [m for m in result.messages if m.role is Role.customer]
                if any(a.type is ActType.leave for m in turns for a in m.acts):
                    continue  # an impatient customer may hang up first
                said = [(m.clean_text or m.text).lower() for m in turns]
                vacuum = [i for i, t in enumerate(said) if "vacuum" in t]
                twice = [i for i, t in enumerate(said) if "called twice" in t]
                assert vacuum, f"{persona}/{seed}/{mode}: never asked about the vacuum: {said}"
                assert twice, f"{persona}/{seed}/{mode}: never mentioned calling twice: {said}"
                assert vacuum[0] > 1, f"{persona}/{seed}: the end beat came too early"
                assert len(vacuum) == 1 and len(twice) == 1, "each beat is said once"
