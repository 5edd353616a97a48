"""A tiny seeded customer and agent for batch tests that need no flow or persona files.

Both are the fakes shipped in ``understudy.testing`` (``ScriptedSimulator``,
``ScriptedAgent``) with a script that rolls dice.
"""

from __future__ import annotations

import asyncio
import random

from understudy.domain.persona import Mood
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, DialogueAct
from understudy.engine.seams import AgentTurn, ConversationState, CustomerTurn, UserSimulator
from understudy.testing import ScriptedAgent, ScriptedSimulator


def scenario(scenario_id: str = "dice") -> Scenario:
    """A minimal scenario."""
    return Scenario(
        id=scenario_id, persona="calm", goal=CustomerGoal(reason_for_call="roll some dice")
    )


def dice_simulators(scenario: Scenario, rng: random.Random) -> UserSimulator:
    """A ``SimulatorFactory`` of customers who say random numbers and wander off-topic sometimes.

    They yield to the event loop a random number of times per turn, so conversations interleave
    differently depending on concurrency.
    """

    async def roll(state: ConversationState) -> CustomerTurn:
        for _ in range(rng.randint(0, 3)):
            await asyncio.sleep(0)
        number = rng.randint(0, 999)
        acts = [DialogueAct(type=ActType.inform, slot="number", value=str(number))]
        if rng.random() < 0.2:
            acts = [DialogueAct(type=ActType.off_topic)]
        noisy = f"numbr {number}" if rng.random() < 0.3 else None
        return CustomerTurn(
            text=noisy or f"number {number}",
            clean_text=f"number {number}",
            acts=acts,
            mood=rng.choice([Mood.calm, Mood.confused, Mood.frustrated]),
        )

    return ScriptedSimulator(roll)


class DiceAgent(ScriptedAgent):
    """Falls back on odd numbers; after three turns completes if the last number is < 700.

    Raises on its first turn when the conversation id is in ``explode``.
    """

    name = "dice-agent"

    def __init__(self, explode: frozenset[str] = frozenset()) -> None:
        super().__init__(self.reply)
        self.turns = 0
        self.explode = explode

    def reply(self, state: ConversationState) -> AgentTurn:
        """The dice rules (see the class docstring)."""
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
