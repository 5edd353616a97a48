"""The LLM user simulator, run with pydantic-ai's own test models."""

from __future__ import annotations

import random

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    UserPromptPart,
)
from pydantic_ai.models.function import FunctionModel
from pydantic_ai.models.test import TestModel

from understudy.domain.persona import Behaviour, Knowledge, Mood, MoodDrift, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, Role, TerminationReason
from understudy.engine.seams import AgentTurn
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.simulators import SIMULATORS, make_simulator
from understudy.simulators.llm import LLMSimulator
from understudy.testing import FakeModel, ScriptedAgent, run_one

PERSONA = Persona(
    id="maya",
    name="Maya Ortiz",
    backstory="Bought a kettle that broke after two days.",
    knowledge=Knowledge(knows={"email": "maya@example.com"}),
)
SCENARIO = Scenario(
    id="refund",
    persona="maya",
    goal=CustomerGoal(
        reason_for_call="get a refund for a broken kettle",
        known_info={"order_id": "ORD-7711"},
        unknown_info=["account number"],
    ),
)


def simulator(
    model: FunctionModel | TestModel,
    persona: Persona = PERSONA,
    scenario: Scenario = SCENARIO,
    seed: int = 1,
) -> LLMSimulator:
    run = LLMRun(LLMSettings(cache=False))
    return LLMSimulator(persona, scenario, random.Random(seed), run=run, llm_model=model)


def prompts(messages: list[ModelMessage]) -> str:
    out = []
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, SystemPromptPart | UserPromptPart):
                    out.append(str(part.content))
    return "\n".join(out)


def test_llm_is_a_registered_user_simulator() -> None:
    assert "llm" in SIMULATORS.names()
    sim = make_simulator("llm", PERSONA, SCENARIO, random.Random(0), llm_model=TestModel())
    assert isinstance(sim, LLMSimulator)


async def test_a_conversation_with_the_library_test_model_runs_to_a_limit() -> None:
    scenario = SCENARIO.model_copy(update={"max_turns": 3})
    result = await run_one(
        ScriptedAgent(["How can I help?"] * 5),
        scenario=scenario,
        simulator=simulator(TestModel(), scenario=scenario),
    )
    assert result.termination_reason is TerminationReason.max_turns
    assert result.customer_turns == 3
    assert all(m.text for m in result.messages), "every customer line should have text"


async def test_the_prompt_carries_persona_goal_knowledge_and_mood_with_roles_reversed() -> None:
    model = FakeModel("I want a refund, order ORD-7711.", default="Thanks. [END goal_met]")
    seen = model.requests
    await run_one(
        ScriptedAgent(["Sure, what is your order number?"]),
        scenario=SCENARIO,
        simulator=simulator(model),
    )
    text = prompts(seen[-1])
    for expected in (
        "Maya Ortiz",
        "broken kettle",
        "order_id: ORD-7711",
        "email: maya@example.com",
        "account number",
        "You are calm",
        "CUSTOMER",
    ):
        assert expected in text, f"the prompt should mention {expected!r}"
    history = seen[-1]
    assert isinstance(history[1], ModelResponse), "the customer's own lines are model answers"
    assert "what is your order number" in prompts([history[-1]]), (
        "the agent's lines are the user prompts"
    )


async def test_an_end_signal_maps_to_a_termination_reason_and_is_removed() -> None:
    model = FakeModel("Hi, I need a refund.", default="Great, thank you! [END goal_met]")
    result = await run_one(
        ScriptedAgent(["Your refund has been issued."]),
        scenario=SCENARIO,
        simulator=simulator(model),
    )
    assert result.termination_reason is TerminationReason.goal_met
    assert result.messages[-1].text == "Great, thank you!"
    escalate = FakeModel("Hi.", default="Get me a manager. [END escalated]")
    result = await run_one(ScriptedAgent(["Hm?"]), scenario=SCENARIO, simulator=simulator(escalate))
    assert result.termination_reason is TerminationReason.escalated


async def test_a_reply_stating_an_unknown_info_value_is_caught_and_regenerated() -> None:
    model = FakeModel(
        "Hi, I want a refund for ORD-7711.",
        "Sure, my account number is 55512345.",
        "I don't have my account number, sorry.",
        default="Thanks. [END goal_met]",
    )
    seen = model.requests
    sim = simulator(model)
    result = await run_one(
        ScriptedAgent(["What is your account number?", "No problem, refund issued."]),
        scenario=SCENARIO,
        simulator=sim,
    )
    customer = [m.text for m in result.messages if m.role is Role.customer]
    assert "55512345" not in " ".join(customer), "an unknown value must never reach the agent"
    assert customer[1] == "I don't have my account number, sorry."
    assert sim.boundary_repairs == 1, "the regenerated line should be counted"
    assert sim.run.usage.repairs == 1
    assert "55512345" in prompts(seen[2]), "the regeneration should be told what was wrong"


async def test_an_invented_value_that_survives_regeneration_is_repaired() -> None:
    model = FakeModel("Hi, refund please.", default="My email is someone@else.org. Please hurry.")
    sim = simulator(model)
    sim.max_regenerations = 1
    scenario = SCENARIO.model_copy(update={"max_turns": 2})
    result = await run_one(
        ScriptedAgent(["Which email do you use?"] * 2), scenario=scenario, simulator=sim
    )
    line = result.messages[2].text
    assert "someone@else.org" not in line
    assert "I don't have that information" in line and "Please hurry." in line
    assert sim.boundary_repairs == 1


async def test_a_known_value_is_informed_and_never_noised() -> None:
    persona = PERSONA.model_copy(update={"behaviour": Behaviour(typo_rate=0.9)})
    model = FakeModel(default="My order number is ORD-7711 and I want a refund now please.")
    scenario = SCENARIO.model_copy(update={"max_turns": 1})
    result = await run_one(
        ScriptedAgent(["Hi"]), scenario=scenario, simulator=simulator(model, persona=persona)
    )
    first = result.messages[0]
    assert "ORD-7711" in first.text, "slot values must survive the noise layer"
    assert first.text != first.clean_text, "a typo-prone persona's line should be noisy"
    assert any(a.type is ActType.inform and a.value == "ORD-7711" for a in first.acts)


async def test_a_fallback_agent_wears_out_an_impatient_persona_who_leaves() -> None:
    persona = PERSONA.model_copy(
        update={
            "mood": Mood.frustrated,
            "mood_drift": MoodDrift.fast,
            "behaviour": Behaviour(patience=0.0),
        }
    )
    model = FakeModel(default="Refund. Now.")
    agent = ScriptedAgent(lambda state: AgentTurn(text="Sorry, I didn't get that.", fell_back=True))
    result = await run_one(agent, scenario=SCENARIO, simulator=simulator(model, persona=persona))
    assert result.termination_reason is TerminationReason.customer_left
    assert result.customer_turns <= 5, "an impatient customer should not hold on for long"
    assert result.moods[-1] in (Mood.angry, Mood.frustrated)


async def test_the_scripted_opening_line_is_used_verbatim() -> None:
    scenario = SCENARIO.model_copy(update={"opening_line": "My kettle broke!", "max_turns": 1})
    result = await run_one(
        ScriptedAgent(["Hi"]),
        scenario=scenario,
        simulator=simulator(model := FakeModel(default="x"), scenario=scenario),
    )
    assert result.messages[0].text == "My kettle broke!"
    assert model.requests == [], "the opening line needs no model call"


async def test_the_agent_may_speak_first() -> None:
    scenario = SCENARIO.model_copy(update={"first_speaker": Role.agent, "max_turns": 1})
    await run_one(
        ScriptedAgent(["Welcome to Acme!"]),
        scenario=scenario,
        simulator=simulator(model := FakeModel(default="Hi, refund please."), scenario=scenario),
    )
    assert "Welcome to Acme!" in prompts(model.requests[0])


def test_the_boundary_check_knows_values_from_noise() -> None:
    from understudy.llm.boundary import boundary_violations

    known = ["(977) 625-2661", "ORD-7711", "maya@example.com"]
    fine = "Call me on 977-625-2661 about ord 7711, maya@example.com, on 2024-05-03 at 10:30."
    assert boundary_violations(fine, known, ["account number"]) == []
    assert boundary_violations("It cost $94.00 in 2023.", known, []) == []
    invented = boundary_violations("Try 555 123 4567 or bob@x.org.", known, [])
    assert [v.value for v in invented] == ["555 123 4567", "bob@x.org"]
    heard = boundary_violations("Is it REF-2231?", known, [], heard=["Your ref is REF-2231."])
    assert heard == [], "a value the agent said may be repeated back"


async def test_the_llm_customer_never_agrees_with_blame_and_hears_the_offer_rule() -> None:
    for seed in range(10):
        model = FakeModel("Hi, my kettle broke.", default="Yes, you're right, my bad.")
        seen = model.requests
        scenario = SCENARIO.model_copy(update={"max_turns": 2})
        result = await run_one(
            ScriptedAgent(["You are probably using it wrong."]),
            scenario=scenario,
            simulator=simulator(model, scenario=scenario, seed=seed),
        )
        answer = result.messages[2].text
        assert answer.startswith("No"), f"seed {seed}: blame was agreed with: {answer!r}"
        assert "do not agree" in prompts(seen[-1]), "the model is told the rule too"
    scenario = SCENARIO.model_copy(update={"max_turns": 2})
    offered = FakeModel("Hi.", default="Okay.")
    await run_one(
        ScriptedAgent(["Would you like store credit instead of a refund? It's a special offer."]),
        scenario=scenario,
        simulator=simulator(offered, scenario=scenario),
    )
    assert "refuse it" in prompts(offered.requests[-1]), "store credit is not the refund called for"
