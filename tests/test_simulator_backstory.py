"""Backstory and personality shape what the offline customer says, over many seeds."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Behaviour, Knowledge, Persona, Personality
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, ConversationResult, Role, TerminationReason
from understudy.simulators import make_simulator
from understudy.simulators.offline.backstory import first_person, story_lines
from understudy.testing import ScriptedAgent, run_one

MAYA = resolve_persona("maya")
DUPLICATE = CustomerGoal(
    reason_for_call="You were charged twice for one order and want the duplicate charge refunded.",
    intent="get_refund",
)
AGENT = [
    "Hi, how can I help?",
    "I'm sorry to hear that. Can you tell me what happened?",
    "Sorry, I didn't get that.",
    "Let me check that for you.",
    "Is there anything else I can help with?",
]
SEEDS = range(40)


def play(persona: Persona, scenario: Scenario, lines: list[str], seed: int) -> ConversationResult:
    simulator = make_simulator("offline", persona, scenario, random.Random(seed))
    return asyncio.run(run_one(ScriptedAgent(lines), scenario=scenario, simulator=simulator))


def customer_text(result: ConversationResult) -> str:
    return " ".join(m.text for m in result.messages if m.role is Role.customer)


@pytest.mark.parametrize("mode", [ScenarioMode.chat, ScenarioMode.voice])
def test_maya_tells_her_duplicate_charge_and_that_she_has_called_twice(mode: ScenarioMode) -> None:
    scenario = Scenario(id="duplicate", persona="maya", mode=mode, goal=DUPLICATE)
    amount = "$42.99" if mode is ScenarioMode.chat else "forty two dollars and ninety nine cents"
    twice = 0
    for seed in SEEDS:
        text = customer_text(play(MAYA, scenario, AGENT, seed))
        assert amount in text, f"seed {seed}: the $42.99 charge is told: {text}"
        assert "charged" in text and "twice" in text, f"seed {seed}: {text}"
        twice += "called twice" in text
        assert not re.search(r"\b(She|she|Maya runs|escalates|busy)\b", text), (
            f"seed {seed}: only first-person facts are told, never the persona's description"
        )
    assert twice >= 0.85 * len(SEEDS), f"'I've already called twice' in {twice} of {len(SEEDS)}"


def test_the_story_comes_when_asked_what_happened_if_not_in_the_opening() -> None:
    scenario = Scenario(id="duplicate", persona="maya", goal=DUPLICATE)
    asked = {"chat opening": 0, "when asked": 0}
    for seed in SEEDS:
        result = play(MAYA, scenario, AGENT, seed)
        turns = [m.text for m in result.messages if m.role is Role.customer]
        if "$42.99" in turns[0]:
            asked["chat opening"] += 1
        else:
            assert any("$42.99" in t for t in turns[1:3]), f"seed {seed}: {turns}"
            asked["when asked"] += 1
    assert all(asked.values()), f"both moments occur over the seeds: {asked}"


def test_a_persona_s_old_grievance_stays_out_of_an_unrelated_scenario() -> None:
    flight = Scenario(
        id="flight",
        persona="someone-else",
        goal=CustomerGoal(reason_for_call="Your flight was cancelled and you want to rebook it."),
    )
    for seed in SEEDS:
        text = customer_text(play(MAYA, flight, AGENT, seed))
        for leaked in ("42.99", "espresso", "called twice", "flower shop"):
            assert leaked not in text, f"seed {seed}: {leaked!r} leaked into a flight call"


def test_a_backstory_value_the_customer_was_not_given_is_never_said() -> None:
    persona = Persona(
        id="ana",
        name="Ana Ruiz",
        backstory=(
            "Ana's card ending 9917 was charged $18.40 twice. She has phoned three times "
            "and was told to wait. She is a keen gardener."
        ),
        knowledge=Knowledge(knows={"name": "Ana Ruiz"}),
    )
    scenario = Scenario(id="dup", persona="ana", goal=DUPLICATE)
    lines = story_lines(persona, {"name": "Ana Ruiz"}, scenario)
    assert [line.text for line in lines] == ["I've phoned three times."]
    for seed in SEEDS:
        text = customer_text(play(persona, scenario, AGENT, seed))
        assert "9917" not in text and "18.40" not in text and "gardener" not in text


def test_sentences_about_the_customer_become_first_person() -> None:
    names = ("Maya", "Maya Chen")
    assert first_person("Her card was charged twice.", names) == "My card was charged twice."
    assert first_person("She has already called twice.", names) == "I've already called twice."
    assert first_person("Maya runs a flower shop.", names) == "I run a flower shop."
    assert first_person("He watches his bills closely.", names) == "I watch my bills closely."
    assert first_person("They told her to wait.", names) == "They told me to wait."


def impatient_or_friendly(trait: str) -> Persona:
    return Persona(
        id=trait.split()[0],
        name="Alex Doe",
        personality=Personality(trait=trait),
        behaviour=Behaviour(off_topic_tendency=0.5),
    )


def test_an_impatient_customer_wanders_off_topic_tersely_and_comes_straight_back() -> None:
    scenario = Scenario(id="refund", persona="x", goal=DUPLICATE)
    agent = ["Hi, how can I help?"] + ["Let me check that for you."] * 6
    impatient = impatient_or_friendly("impatient")
    friendly = impatient_or_friendly("friendly and warm")
    wandered = {"impatient": 0, "friendly": 0}
    for seed in SEEDS:
        for who, persona in (("impatient", impatient), ("friendly", friendly)):
            result = play(persona, scenario, agent, seed)
            for message in result.messages:
                kinds = {a.type for a in message.acts}
                if ActType.off_topic not in kinds:
                    continue
                wandered[who] += 1
                aside = message.text.split("?")[0]
                if who == "impatient":
                    assert len(aside.split()) <= 6, f"a terse aside: {message.text!r}"
                    assert ActType.return_to_goal in kinds, "and straight back to the goal"
                else:
                    assert len(aside.split()) > 6, f"a friendly aside is a full one: {message!r}"
    assert wandered["impatient"] >= 10 and wandered["friendly"] >= 10, wandered


def test_personality_words_fill_the_behaviour_the_persona_leaves_unset() -> None:
    scenario = Scenario(id="refund", persona="x", goal=DUPLICATE)
    fallback = ["Hi, how can I help?"] + ["Sorry, I didn't get that. Could you rephrase?"] * 12
    lengths: dict[str, list[int]] = {"impatient": [], "patient": []}
    for seed in range(20):
        for trait in lengths:
            persona = Persona(id=trait, name="Alex Doe", personality=Personality(trait=trait))
            result = play(persona, scenario, fallback, seed)
            assert result.termination_reason is TerminationReason.customer_left
            lengths[trait].append(result.customer_turns)
    assert max(lengths["impatient"]) < min(lengths["patient"]), lengths
    written = Persona(
        id="w",
        name="W",
        personality=Personality(trait="impatient"),
        behaviour=Behaviour(patience=0.9),
    )
    simulator = make_simulator("offline", written, scenario, random.Random(0))
    assert simulator.persona.behaviour.patience == 0.9, "a number in the persona file wins"


def test_a_sceptical_customer_asks_for_proof_once_when_told_it_is_resolved() -> None:
    scenario = Scenario(id="refund", persona="x", goal=DUPLICATE)
    agent = [
        "Hi, how can I help?",
        "Your refund has been issued.",
        "Your refund has been issued.",
        "Is there anything else?",
    ]
    for seed in range(20):
        sceptic = Persona(id="s", name="Sam", personality=Personality(trait="sceptical"))
        turns = [
            m for m in play(sceptic, scenario, agent, seed).messages if m.role is Role.customer
        ]
        proof = [m for m in turns if any(a.type is ActType.request for a in m.acts)]
        assert len(proof) == 1, f"seed {seed}: {[m.text for m in turns]}"
        assert re.search(r"confirm|writing|reference", proof[0].text, re.IGNORECASE)
        plain = Persona(id="p", name="Pat")
        others = [m.text for m in play(plain, scenario, agent, seed).messages]
        assert not any(re.search(r"in writing|confirmation of", t) for t in others)
