"""How the offline customer opens a call: the scripted line word for word, or varied first-person
openings from the goal and the phrasing bank."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from simulator_fixtures import NO_OPENING, OPENING, RETURN, acts, play
from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, Role
from understudy.engine.seams import ConversationState
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.reason import customer_reason

SECOND_PERSON = re.compile(r"\byou (want|were|are|bought|received|need)\b|\byour\b", re.I)


def _openings(persona_id: str, scenario: Scenario, seeds: int = 60) -> list[str]:
    persona = resolve_persona(persona_id)
    state = ConversationState("x", scenario)
    lines = []
    for seed in range(seeds):
        simulator = OfflineSimulator(persona, scenario, random.Random(seed))
        lines.append(asyncio.run(simulator.respond(state)).clean_text or "")
    return lines


def test_the_scripted_opening_line_is_said_word_for_word() -> None:
    for pid in ("calm", "elderly", "non-native", "impatient"):
        for seed in range(10):
            first = play(pid, ["How can I help?"], seed).messages[0]
            assert first.role is Role.customer
            assert (first.clean_text or first.text) == OPENING, (
                f"{pid}, seed {seed}: the opening should be the scenario's line verbatim, "
                f"got {first.clean_text!r}"
            )
            assert ActType.state_goal in acts(first), "the scripted line states the goal"


def test_a_typo_prone_customer_still_types_the_scripted_line_with_noise() -> None:
    firsts = [play("typo-prone", ["How can I help?"], seed).messages[0] for seed in range(20)]
    assert all(m.clean_text == OPENING for m in firsts), "the clean text is the scripted line"
    noisy = sum(m.text != OPENING for m in firsts)
    assert noisy >= 15, f"typing noise should still apply to the scripted line ({noisy}/20)"


def test_the_scripted_line_also_opens_when_the_agent_speaks_first() -> None:
    scenario = RETURN.model_copy(update={"first_speaker": "agent"})
    result = play("calm", ["Hello! How can I help you today?"], 3, scenario=scenario)
    assert result.messages[0].role is Role.agent
    assert result.messages[1].clean_text == OPENING, "the customer's first line is the script"


def test_without_an_opening_line_openings_are_generated_and_varied() -> None:
    openings = {
        play("calm", ["How can I help?"], seed, NO_OPENING).messages[0].text for seed in range(30)
    }
    assert OPENING not in openings
    assert len(openings) >= 10, f"generated openings should vary, got {len(openings)}"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("You want to return the kettle.", "I want to return the kettle."),
        (
            "You were charged twice and want the extra charge refunded to your card.",
            "I was charged twice and want the extra charge refunded to my card.",
        ),
        (
            "You bought jeans in the wrong size and you want a refund, sent to you on a gift card.",
            "I bought jeans in the wrong size and I want a refund, sent to me on a gift card.",
        ),
        (
            "Return the air purifier because it does not work well. At the end, ask whether the "
            "vacuum cleaner could be returned as well.",
            "I want to return the air purifier because it does not work well.",
        ),
        (
            "The bicycle you received was damaged. Be polite but firm. If the agent offers store "
            "credit, refuse it.",
            "The bicycle I received was damaged.",
        ),
        ("My card was charged twice.", "My card was charged twice."),
        ("Order 1234 arrived broken.", "Order 1234 arrived broken."),
    ],
)
def test_reason_for_call_becomes_first_person_customer_speech(reason: str, expected: str) -> None:
    assert customer_reason(reason) == expected


def test_goal_statements_hold_no_instructions_second_person_or_odd_capitals() -> None:
    scenario = NO_OPENING.model_copy(
        update={"goal": NO_OPENING.goal.model_copy(update={"intent": None})}
    )
    for pid in ("calm", "elderly", "non-native"):
        for seed in range(20):
            result = play(pid, ["How can I help?", "Sorry, I didn't get that."], seed, scenario)
            goals = [
                m
                for m in result.messages
                if m.role is Role.customer and ActType.state_goal in acts(m)
            ]
            assert goals, "the customer states its goal"
            for message in goals:
                text = message.clean_text or message.text
                assert "At the end" not in text and "ask whether" not in text, text
                assert not SECOND_PERSON.search(text), f"second person in the goal: {text!r}"
                assert ": Return" not in text and "because Return" not in text, text
                assert "air purifier" in text, f"the goal keeps the task: {text!r}"


def test_the_phrasing_bank_is_preferred_for_a_known_intent() -> None:
    scenario = NO_OPENING.model_copy(
        update={"goal": NO_OPENING.goal.model_copy(update={"intent": "get_refund"})}
    )
    openings = [
        play("calm", ["How can I help?"], seed, scenario).messages[0].text for seed in range(50)
    ]
    from_reason = sum("air purifier" in t for t in openings)
    assert from_reason <= 10, (
        f"four in five openings should come from the bank ({from_reason}/50 did not)"
    )


def test_non_native_speakers_reach_for_learner_words_where_calm_customers_do_not() -> None:
    scenario = Scenario(
        id="refund",
        persona="calm",
        goal=CustomerGoal(reason_for_call="I want a refund for my order.", intent="get_refund"),
    )
    learner = re.compile(
        r"return of money|give back my money|repayment|pay back|buying|thing I bought"
    )
    non_native = sum(bool(learner.search(line)) for line in _openings("non-native", scenario))
    calm = sum(bool(learner.search(line)) for line in _openings("calm", scenario))
    assert non_native >= 10, f"non-native openings should often paraphrase, got {non_native}/60"
    assert calm == 0, f"calm openings should keep the usual words, got {calm}/60"
