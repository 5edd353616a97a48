"""The LLM customer cannot declare its own success: only an agent's resolution ends a call with
goal_met."""

from __future__ import annotations

import pytest

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.domain.persona import Knowledge, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import TerminationReason
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.simulators.llm import LLMSimulator
from understudy.testing import FakeModel, ScriptedAgent, run_one

PERSONA = Persona(id="maya", name="Maya", knowledge=Knowledge(knows={"email": "m@example.com"}))


SCENARIO = Scenario(
    id="refund", persona="maya", goal=CustomerGoal(reason_for_call="get a refund for a kettle")
)


def scripted(*lines: str) -> FakeModel:
    """Says ``lines`` in order, then the last one again."""
    return FakeModel(*lines, default=lines[-1])


def customer(model: FakeModel) -> LLMSimulator:
    import random

    run = LLMRun(LLMSettings(cache=False))
    return LLMSimulator(PERSONA, SCENARIO, random.Random(0), run=run, llm_model=model)


@pytest.mark.parametrize(
    ("agent_line", "end", "expected"),
    [
        ("Let me look into that.", "Bye. [END]", TerminationReason.customer_left),
        ("Let me look into that.", "Thanks! [END goal_met]", TerminationReason.customer_left),
        ("Your refund has been issued.", "Bye. [END]", TerminationReason.customer_left),
        ("Your refund has been issued.", "Thanks! [END goal_met]", TerminationReason.goal_met),
    ],
)
async def test_only_an_agent_resolution_lets_the_customer_end_with_goal_met(
    agent_line: str, end: str, expected: TerminationReason
) -> None:
    result = await run_one(
        ScriptedAgent([agent_line]),
        scenario=SCENARIO,
        simulator=customer(scripted("Hi, I need a refund.", end)),
    )
    assert result.termination_reason is expected, (
        f"after {agent_line!r}, {end!r} should end as {expected.value}"
    )


async def test_an_unbacked_success_claim_says_why_it_is_not_goal_met() -> None:
    result = await run_one(
        ScriptedAgent(["Hmm."]),
        scenario=SCENARIO,
        simulator=customer(scripted("Hi.", "Great. [END goal_met]")),
    )
    assert "never signalled a resolution" in result.detail
