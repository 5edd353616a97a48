"""Shared test material for the offline customer's tests: a tau2-style return scenario, and
helpers that play a scripted agent against a persona or step the simulator one turn at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

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


def reply_to(result: ConversationResult, agent_text: str) -> Message:
    for i, message in enumerate(result.messages[:-1]):
        if message.role is Role.agent and message.text == agent_text:
            return result.messages[i + 1]
    raise AssertionError(f"the agent never said {agent_text!r}")


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
