"""The phone register: spoken requests are heard, answers are short and values said aloud."""

from __future__ import annotations

import random

from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import ActType, Message, Role
from understudy.engine.seams import ConversationState
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.spoken import number_words, spoken
from understudy.simulators.offline.understanding import read_agent_turn

TRANSFER = Scenario(
    id="transfer",
    persona="calm",
    first_speaker=Role.agent,
    mode=ScenarioMode.voice,
    goal=CustomerGoal(
        reason_for_call="You want to transfer money from your savings account to your checking "
        "account.",
        known_info={
            "name": "Robert Johnson",
            "amount": "135",
            "source_account": "savings",
            "destination_account": "checking",
        },
    ),
)
SEEDS = range(40)


def reply(simulator: OfflineSimulator, state: ConversationState, agent: str) -> str:
    state.messages.append(Message(index=len(state.messages) + 1, role=Role.agent, text=agent))
    turn = simulator.step(state)
    state.messages.append(
        Message(index=len(state.messages) + 1, role=Role.customer, text=turn.text)
    )
    return turn.text


def test_numbers_are_said_as_callers_say_them() -> None:
    assert number_words(135) == "one hundred and thirty five"
    assert spoken("135", "amount") == "one hundred and thirty five dollars"
    assert (
        spoken("570-448-0374", "phone") == "five seven zero four four eight zero three seven four"
    )
    assert spoken("11:00 AM", "time") == "eleven a m"
    assert spoken("savings", "source_account") == "savings"


def test_requests_without_punctuation_anywhere_in_the_turn_are_heard() -> None:
    keys = ("amount", "source_account", "destination_account", "name")
    turn = "oh sure i can help you with that uh what is the transfer amount"
    assert read_agent_turn(turn, keys).requested == ("amount",)
    assert read_agent_turn("okay what is the source of the account", keys).requested == (
        "source_account",
    )
    assert read_agent_turn("alright which one would you like to check", keys).open_request


def test_a_caller_introduces_itself_states_a_short_goal_and_answers_only_what_is_asked() -> None:
    calm = resolve_persona("calm")
    persona = calm.model_copy(
        update={"behaviour": calm.behaviour.model_copy(update={"off_topic_tendency": 0.0})}
    )
    for seed in SEEDS:
        sim = OfflineSimulator(persona, TRANSFER, random.Random(seed))
        state = ConversationState(conversation_id="c", scenario=TRANSFER)
        opening = reply(sim, state, "hello this is the bank how can i help you today").lower()
        assert "robert johnson" in opening, f"seed {seed}: a caller says who it is: {opening!r}"
        assert "transfer money" in opening, f"seed {seed}: and what it wants: {opening!r}"
        assert "thirty five" not in opening and "135" not in opening, "details wait until asked"
        amount = reply(sim, state, "oh sure i can help with that uh what is the transfer amount")
        assert "one hundred and thirty five dollars" in amount.lower(), f"seed {seed}: {amount!r}"
        assert "savings" not in amount.lower(), f"seed {seed}: only what was asked: {amount!r}"
        source = reply(sim, state, "okay what is the source of the account").lower()
        assert "savings" in source and "checking" not in source, f"seed {seed}: {source!r}"
        closing = reply(sim, state, "that has been transferred is there anything else")
        assert ActType.negate in [a.type for a in sim.last_acts], f"seed {seed}: {closing!r}"
