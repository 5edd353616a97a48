"""The fakes shipped in ``understudy.testing``: a scripted customer, a fake model, a driver."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from understudy.agents.flow import FlowAgent
from understudy.content.flows import load_flow
from understudy.domain.flow import Flow
from understudy.domain.persona import Mood
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Role, TerminationReason
from understudy.engine.seams import AgentTurn, CustomerTurn
from understudy.testing import (
    Driver,
    ExpectationFailed,
    FakeModel,
    FakeModelExhausted,
    ScriptedAgent,
    ScriptedSimulator,
    run_one,
)

ANSWERS = [
    "Hi, I want a refund for my jeans",
    "Crystal Minh",
    "my username is cminh730",
    "cminh730@email.com",
    "The order ID is 3348917502",
    "they are the wrong size",
    "a gift card please",
    "6821 1st Ave, San Mateo, NY 75227",
    "$94",
    "no thanks, that's all",
]

SCENARIO = Scenario(
    id="refund-driver",
    persona="calm",
    goal=CustomerGoal(reason_for_call="a refund"),
    max_turns=40,
)


@pytest.fixture
def refund(examples: Path) -> Flow:
    return load_flow(examples / "flows" / "refund.yaml")


# --- ScriptedSimulator -------------------------------------------------------------------------


async def test_a_scripted_customer_says_its_lines_then_ends_with_the_given_reason() -> None:
    customer = ScriptedSimulator(
        ["hello", CustomerTurn(text="cross now", mood=Mood.angry)],
        then="I'm off.",
        end="customer_left",
    )
    result = await run_one(
        ScriptedAgent(["Hi.", "Sorry?", "Hm."]), scenario=SCENARIO, simulator=customer
    )
    customer_lines = [(m.text, m.mood) for m in result.messages if m.role is Role.customer]
    assert customer_lines == [
        ("hello", Mood.calm),
        ("cross now", Mood.angry),
        ("I'm off.", Mood.calm),
    ]
    assert result.termination_reason is TerminationReason.customer_left


async def test_a_scripted_customer_can_answer_from_the_conversation() -> None:
    async def echo(state: object) -> str:
        last = getattr(state, "last_agent_message", None)
        return f"you said {last.text}" if last else "hi"

    result = await run_one(
        ScriptedAgent(["one", "two", AgentTurn(text="bye", ended=True)]),
        scenario=SCENARIO,
        simulator=ScriptedSimulator(echo),
    )
    said = [m.text for m in result.messages if m.role is Role.customer]
    assert said == ["hi", "you said one", "you said two"]


# --- FakeModel ---------------------------------------------------------------------------------


async def test_the_fake_model_plays_queued_lines_through_the_llm_simulator() -> None:
    from understudy.content.personas import resolve_persona
    from understudy.simulators import make_simulator

    model = FakeModel("Hi, I need a refund.")
    model.enqueue("Thanks, that's all. [END goal_met]")
    customer = make_simulator(
        "llm", resolve_persona("calm"), SCENARIO, random.Random(0), llm_model=model
    )
    result = await run_one(
        ScriptedAgent(["Your refund has been issued."]), scenario=SCENARIO, simulator=customer
    )
    said = [m.text for m in result.messages if m.role is Role.customer]
    assert said[0] == "Hi, I need a refund."
    assert result.termination_reason is TerminationReason.goal_met
    assert model.calls == 2, "one request per customer turn"
    assert "Your refund has been issued." in str(model.requests[1]), (
        "the model saw the agent's reply"
    )


async def test_the_fake_model_answers_structured_output_with_a_mapping() -> None:
    from pydantic_ai import Agent

    model = FakeModel({"city": "Lyon", "people": 3})

    from pydantic import BaseModel

    class Trip(BaseModel):
        city: str
        people: int

    out = await Agent(model, output_type=Trip).run("plan")
    assert out.output == Trip(city="Lyon", people=3)


async def test_an_empty_fake_model_says_how_many_replies_were_used() -> None:
    from pydantic_ai import Agent

    model = FakeModel("only one")
    agent = Agent(model)
    assert (await agent.run("a")).output == "only one"
    with pytest.raises(FakeModelExhausted, match="asked for reply 2 but only 1 were queued"):
        await agent.run("b")
    repeating = FakeModel(default="again")
    assert (await Agent(repeating).run("x")).output == "again"
    assert (await Agent(repeating).run("y")).output == "again"


# --- Driver ------------------------------------------------------------------------------------


async def test_the_driver_steps_a_flow_turn_by_turn(refund: Flow) -> None:
    async with Driver(
        FlowAgent(refund), scenario=SCENARIO, simulator=ScriptedSimulator(ANSWERS)
    ) as talk:
        first = await talk.step()
        assert first is not None and first.role is Role.customer
        assert [m.text for m in talk.messages] == [ANSWERS[0]], "nothing is played ahead"
        await talk.expect_agent(contains="full name or account ID")
        await talk.expect_customer(contains="Crystal")
        await talk.expect_agent(contains="username")
        result = await talk.expect_end("goal_met")
    assert result.messages[-1].text.startswith("Thank you for contacting us")


async def test_the_driver_sees_a_fallback(refund: Flow) -> None:
    answers = [ANSWERS[0], "purple elephants", "Crystal Minh"]
    async with Driver(
        FlowAgent(refund), scenario=SCENARIO, simulator=ScriptedSimulator(answers)
    ) as talk:
        await talk.expect_agent(contains="account ID")
        await talk.expect_agent(contains="username")
        message = await talk.expect_fallback()
        assert message.index == 6


async def test_a_failed_expectation_reads_as_a_spec_with_the_transcript(refund: Flow) -> None:
    async with Driver(
        FlowAgent(refund), scenario=SCENARIO, simulator=ScriptedSimulator(ANSWERS)
    ) as talk:
        with pytest.raises(ExpectationFailed) as caught:
            await talk.expect_agent(contains="zebra")
    message = str(caught.value)
    assert message.startswith("expected the agent's next turn to contain 'zebra',\nbut turn 2 said")
    assert "transcript so far:\n  1 customer: Hi, I want a refund for my jeans\n  2 agent: Hi" in (
        message
    )


async def test_expect_end_names_the_reason_it_got(refund: Flow) -> None:
    async with Driver(
        FlowAgent(refund),
        scenario=SCENARIO,
        simulator=ScriptedSimulator(ANSWERS[:2], then="bye", end="customer_left"),
    ) as talk:
        with pytest.raises(ExpectationFailed) as caught:
            await talk.expect_end("goal_met")
    text = str(caught.value)
    assert (
        "expected the conversation to end with goal_met,\nbut it ended with customer_left" in text
    )
    assert "5 customer: bye" in text
    assert "ended: customer_left" in text


async def test_expect_end_within_a_number_of_turns(refund: Flow) -> None:
    async with Driver(
        FlowAgent(refund), scenario=SCENARIO, simulator=ScriptedSimulator(ANSWERS)
    ) as talk:
        with pytest.raises(ExpectationFailed, match="still running after 3 turn"):
            await talk.expect_end(within=3)


async def test_an_expectation_after_the_end_fails_clearly() -> None:
    async with Driver(
        ScriptedAgent([AgentTurn(text="Bye now.", ended=True)]),
        scenario=SCENARIO,
        simulator=ScriptedSimulator(["hi"]),
    ) as talk:
        await talk.expect_end("agent_ended")
        with pytest.raises(ExpectationFailed, match="ended \\(agent_ended\\) before that"):
            await talk.expect_agent()


async def test_the_driver_plays_the_offline_customer_by_default(refund: Flow) -> None:
    scenario = Scenario(
        id="refund-offline",
        persona="calm",
        goal=CustomerGoal(reason_for_call="I want a refund for my jeans"),
        max_turns=30,
    )
    async with Driver(FlowAgent(refund), scenario=scenario, seed=4) as talk:
        stepped = await talk.finish()
    whole = await run_one(FlowAgent(refund), scenario=scenario, seed=4)
    assert [m.text for m in stepped.messages] == [m.text for m in whole.messages], (
        "stepping a conversation changes nothing in it"
    )
    assert stepped.termination_reason is whole.termination_reason
