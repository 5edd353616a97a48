"""A tiny seeded user simulator and agent for batch tests that need no flow or persona files."""

from __future__ import annotations

import asyncio
import random

from understudy.domain.persona import Mood
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, DialogueAct
from understudy.engine.seams import (
    Agent,
    AgentTurn,
    ConversationState,
    CustomerTurn,
    UserSimulator,
)


def scenario(scenario_id: str = "dice") -> Scenario:
    """A minimal scenario."""
    return Scenario(
        id=scenario_id, persona="calm", goal=CustomerGoal(reason_for_call="roll some dice")
    )


class DiceSimulator(UserSimulator):
    """Says random numbers; wanders off-topic sometimes; yields to the event loop randomly."""

    name = "dice"

    def __init__(self, scenario: Scenario, rng: random.Random) -> None:
        self.rng = rng
        self.scenario = scenario

    async def respond(self, state: ConversationState) -> CustomerTurn:
        for _ in range(self.rng.randint(0, 3)):
            await asyncio.sleep(0)  # interleave differently depending on concurrency
        number = self.rng.randint(0, 999)
        acts = [DialogueAct(type=ActType.inform, slot="number", value=str(number))]
        if self.rng.random() < 0.2:
            acts = [DialogueAct(type=ActType.off_topic)]
        noisy = f"numbr {number}" if self.rng.random() < 0.3 else None
        return CustomerTurn(
            text=noisy or f"number {number}",
            clean_text=f"number {number}",
            acts=acts,
            mood=self.rng.choice([Mood.calm, Mood.confused, Mood.frustrated]),
        )


def dice_simulators(scenario: Scenario, rng: random.Random) -> UserSimulator:
    """A ``SimulatorFactory`` of dice simulators."""
    return DiceSimulator(scenario, rng)


class DiceAgent(Agent):
    """Falls back on odd numbers; after three turns completes if the last number is < 700.

    Raises on its first turn when the conversation id is in ``explode``.
    """

    name = "dice-agent"

    def __init__(self, explode: frozenset[str] = frozenset()) -> None:
        self.turns = 0
        self.explode = explode

    async def respond(self, state: ConversationState) -> AgentTurn:
        if state.conversation_id in self.explode:
            raise RuntimeError("node 'boom' exploded")
        self.turns += 1
        last = state.last_customer_message
        number = int((last.clean_text or last.text).split()[-1]) if last else 0
        if self.turns >= 3:
            if number < 700:
                return AgentTurn(text="All done.", ended=True, outcome="completed")
            return AgentTurn(text="Passing you on.", ended=True, outcome="escalated")
        return AgentTurn(text=f"Got {number}.", fell_back=number % 2 == 1, meta={"node": "n"})
