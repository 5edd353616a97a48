"""The caller listens: openings are no goodbyes, repeats say the right thing, answers first."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from simulator_fixtures import NO_OPENING, persona, step
from understudy.content.importers.tau2 import convert_task
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, Message, Role
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.caller import goal_phrase
from understudy.simulators.offline.reason import customer_reason
from understudy.simulators.offline.rules import longest_shared_run
from understudy.simulators.offline.understanding import read_agent_turn

BILL = Scenario(
    id="bill",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want to pay a bill to Fossil Gas.",
        known_info={"name": "Mary Wilson", "company": "Fossil Gas", "amount": "$113"},
        unknown_info=["branch hours"],
    ),
    mode=ScenarioMode.voice,
    first_speaker=Role.agent,
    max_turns=30,
)


NO_INTENT = NO_OPENING.goal.model_copy(update={"intent": None})


def _caller(pid: str, seed: int) -> tuple[OfflineSimulator, list[Message]]:
    return OfflineSimulator(persona(pid), BILL, random.Random(seed)), []


def test_thank_you_for_calling_how_can_i_help_opens_the_call() -> None:
    for text in (
        "Thank you for calling Harper Valley, how can I help you today?",
        "hello thank you for calling how can i help you",
    ):
        assert not read_agent_turn(text).closing, text
    assert read_agent_turn("thank you for calling have a great day").closing


@pytest.mark.parametrize("seed", range(10))
def test_an_opening_with_thanks_for_calling_gets_the_goal_not_a_goodbye(seed: int) -> None:
    sim, messages = _caller("calm", seed)
    turn = step(sim, messages, "hello thank you for calling how can i help you")
    kinds = {a.type for a in turn.acts}
    assert ActType.state_goal in kinds and ActType.bye not in kinds, turn.text


@pytest.mark.parametrize("seed", range(10))
def test_asked_to_repeat_after_the_opening_the_caller_says_its_goal_again(seed: int) -> None:
    sim, messages = _caller("calm", seed)
    step(sim, messages, "hello this is the bank how can i help you")
    again = step(sim, messages, "um can you repeat that please")
    kinds = {a.type for a in again.acts}
    assert ActType.state_goal in kinds, f"restates the goal: {again.text}"
    reason = step(sim, messages, "sorry can you repeat the reason for your call")
    assert ActType.state_goal in {a.type for a in reason.acts}, reason.text


@pytest.mark.parametrize("seed", range(10))
def test_an_angry_caller_still_answers_the_question_asked(seed: int) -> None:
    sim, messages = _caller("impatient", seed)
    step(sim, messages, "hello this is the bank how can i help you")
    sim.mood.valence = 0.0  # angry, with patience left
    assert sim.mood.angry
    turn = step(sim, messages, "okay and what is the name of the company")
    kinds = {a.type for a in turn.acts}
    assert ActType.escalate not in kinds, f"answers before asking for a manager: {turn.text}"
    assert ActType.inform in kinds, turn.text


@pytest.mark.parametrize("seed", range(6))
def test_told_what_it_did_not_know_the_caller_thanks_instead_of_restating(seed: int) -> None:
    sim, messages = _caller("calm", seed)
    step(sim, messages, "hello this is the bank how can i help you")
    turn = step(sim, messages, "the branch hours are nine thirty am to five pm")
    kinds = {a.type for a in turn.acts}
    assert ActType.thank in kinds and ActType.state_goal not in kinds, turn.text


def test_the_spoken_goal_names_its_object_instead_of_it() -> None:
    reason = "I forgot my password and want to reset it; the reset goes to my phone."
    assert goal_phrase(reason) == "reset my password"
    assert goal_phrase("I want to order new checks, sent to my home address.") == "order new checks"


@pytest.mark.parametrize("pid", ["calm", "impatient", "elderly", "non-native", "typo-prone"])
def test_a_chat_opening_says_the_goal_in_its_own_words(pid: str) -> None:
    for scenario in (NO_OPENING, NO_OPENING.model_copy(update={"goal": NO_INTENT})):
        reason = scenario.goal.reason_for_call
        for seed in range(15):
            sim = OfflineSimulator(persona(pid), scenario, random.Random(seed))
            text = step(sim, [], None).clean_text
            run = max(
                longest_shared_run(text, reason), longest_shared_run(text, customer_reason(reason))
            )
            assert run < 6, f"{pid}/{seed}: the opening {text!r} recites the scenario"


def test_notes_to_the_simulator_in_tau2_tasks_are_never_spoken(shared_data: Path) -> None:
    tasks = json.loads((shared_data / "tau2" / "airline" / "tasks.json").read_text())
    noted = [t for t in tasks if "(" in json.dumps(t.get("user_scenario", {}))]
    assert noted, "airline tasks hold parenthesised notes such as '(HAT266, mention only...)'"
    script = ["Hi, how can I help?", "Could you tell me more?", "Okay.", "Anything else?"]
    for task in noted:
        scenario, _ = convert_task(task, "airline")
        words = customer_reason(scenario.goal.reason_for_call).lower()
        assert "mention" not in words and "unless" not in words, f"{scenario.id}: {words!r}"
        for pid in ("calm", "impatient"):
            for mode in (ScenarioMode.chat, ScenarioMode.voice):
                sim = OfflineSimulator(
                    persona(pid), scenario.model_copy(update={"mode": mode}), random.Random(3)
                )
                messages: list[Message] = []
                for line in [None, *script]:
                    text = step(sim, messages, line).clean_text.lower()
                    for word in ("mention", "unless", "(do not", "if the agent"):
                        assert word not in text, f"{scenario.id}: a note was spoken: {text!r}"
