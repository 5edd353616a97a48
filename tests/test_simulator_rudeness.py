"""Rudeness sours the offline customer's mood, line by line and over a call."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

import pytest

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, ConversationResult, Message, Role
from understudy.engine.seams import AgentTurn, ConversationState, CustomerTurn
from understudy.simulators.offline import OfflineSimulator
from understudy.testing import ScriptedAgent, run_one

OPENING = "Hi, I got an air purifier from you and it doesn't work well. I'd like to return it."


RETURN = Scenario(
    id="return",
    persona="calm",
    opening_line=OPENING,
    goal=CustomerGoal(
        reason_for_call=(
            "Return the air purifier received in a recent order because it does not work well, "
            "with the refund going to the original payment method. At the end, ask whether the "
            "vacuum cleaner could be returned as well, without processing anything for it."
        ),
        intent="return_item",
        known_info={
            "name": "Daiki Johnson",
            "zip_code": "80273",
            "refund_method": "original payment method",
            "date_of_birth": "1985-03-14",
            "card": "4422",
            "address": "12 Elm Street, Denver, CO 80203",
        },
        unknown_info=["email"],
    ),
    max_turns=12,
)
"""A tau2-style scenario: a scripted opening line, a reason written as instructions."""


NO_OPENING = RETURN.model_copy(update={"opening_line": "", "id": "return-generated"})


_PERSONAS: dict[str, Persona] = {}


def persona(pid: str) -> Persona:
    if pid not in _PERSONAS:
        _PERSONAS[pid] = resolve_persona(pid)
    return _PERSONAS[pid]


def play(
    pid: str,
    script: Sequence[str | AgentTurn],
    seed: int,
    scenario: Scenario = RETURN,
    then: str = "Okay.",
) -> ConversationResult:
    agent = ScriptedAgent(list(script), then=then)
    return asyncio.run(run_one(agent, scenario=scenario, persona=persona(pid), seed=seed))


def acts(message: Message) -> set[ActType]:
    return {a.type for a in message.acts}


def step(sim: OfflineSimulator, messages: list[Message], agent: str | None) -> CustomerTurn:
    """Feed one agent line (or none, for the opening) and return the customer's turn."""
    if agent is not None:
        messages.append(Message(index=len(messages) + 1, role=Role.agent, text=agent))
    state = ConversationState(conversation_id="c", scenario=sim.scenario, messages=list(messages))
    turn = sim.step(state)
    messages.append(
        Message(
            index=len(messages) + 1,
            role=Role.customer,
            text=turn.text,
            clean_text=turn.clean_text,
            acts=turn.acts,
        )
    )
    return turn


@pytest.mark.parametrize(
    "line",
    [
        "Calm down.",
        "You should have read the reviews before buying it.",
        "Well, that's not my problem.",
        "As I already said, we can't do that.",
    ],
)
def test_rude_agent_lines_lower_the_mood(line: str) -> None:
    sim = OfflineSimulator(persona("calm"), NO_OPENING, random.Random(2))
    messages: list[Message] = []
    step(sim, messages, None)
    before = sim.mood.valence
    step(sim, messages, line)
    assert sim.mood.valence < before, f"{line!r} should lower the customer's mood"


def test_a_rude_trainee_sours_the_customer_over_a_call() -> None:
    script = [
        "What do you want?",
        "Calm down.",
        "You should have read the reviews before buying it.",
    ]
    result = play("calm", script, 4)
    assert result.moods[-1].value in ("frustrated", "angry"), (
        f"three rude lines should sour a calm customer, mood went {[m.value for m in result.moods]}"
    )
