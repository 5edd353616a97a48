"""The example flows against the offline user simulator: real procedures, simulated customers."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from understudy.agents.flow import FlowAgent
from understudy.agents.flow.compiled import compile_flow
from understudy.content.flows import load_flow
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.flow import Flow
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import (
    ActType,
    ConversationResult,
    Message,
    Role,
    TerminationReason,
)
from understudy.engine.seams import ConversationState
from understudy.simulators.offline import OfflineSimulator
from understudy.testing import run_one

SEEDS = range(20)


def default_scenario(path: Path) -> tuple[Flow, Scenario]:
    flow = load_flow(path)
    assert flow.default_scenario is not None
    return flow, load_model(Scenario, path.parent / flow.default_scenario)


async def batch(flow: Flow, scenario: Scenario, persona: str) -> list[ConversationResult]:
    return [
        await run_one(FlowAgent(flow), scenario=scenario, persona=persona, seed=seed)
        for seed in SEEDS
    ]


@pytest.mark.parametrize("name", ["refund", "recover_username", "change_shipping_address"])
async def test_calm_customers_mostly_complete_each_example_flow(examples: Path, name: str) -> None:
    flow, scenario = default_scenario(examples / "flows" / f"{name}.yaml")
    results = await batch(flow, scenario, "calm")
    completed = sum(r.termination_reason is TerminationReason.goal_met for r in results)
    assert completed >= 15, f"{name}: a calm customer should usually finish ({completed}/20)"


async def test_off_topic_questions_in_the_refund_flow_are_answered(examples: Path) -> None:
    flow, scenario = default_scenario(examples / "flows" / "refund.yaml")
    results = await batch(flow, scenario, "calm")
    digressions = [m for r in results for m in r.messages if m.meta.get("digression")]
    assert digressions, "the scenario's off-topic questions should meet the flow's FAQ intents"
    assert not any(m.fell_back for m in digressions), "an answered FAQ is not a fallback"


async def test_the_same_seed_gives_the_same_conversation(examples: Path) -> None:
    flow, scenario = default_scenario(examples / "flows" / "refund.yaml")
    first = await run_one(FlowAgent(flow), scenario=scenario, persona="typo-prone", seed=7)
    again = await run_one(FlowAgent(flow), scenario=scenario, persona="typo-prone", seed=7)
    assert first.model_dump() == again.model_dump(), "a seeded conversation should replay exactly"


NO_ANSWERS = [
    "No, nothing more",
    "no thanks that's all",
    "nope, that's it",
    "No, that's all.",
    "No, nothing more. Thank you very much. Bye bye.",
    "No. Ok. Bye.",
    "Nope, that's everything. Thanks a lot. Have a nice day.",
]
FLOWS = ["refund", "recover_username", "change_shipping_address"]


def simulator_no_answers(scenario: Scenario) -> list[str]:
    """The offline simulator's own answers to "anything else?" (negate, thank, bye), clean."""
    answers = []
    for persona in ("calm", "elderly", "non-native", "impatient", "happy-regular"):
        resolved = resolve_persona(persona)
        for seed in range(30):
            sim = OfflineSimulator(resolved, scenario, random.Random(seed))
            state = ConversationState(conversation_id="c", scenario=scenario)
            sim.step(state)
            ask = "Your refund has been issued. Is there anything else I can help you with?"
            state.messages.append(Message(index=1, role=Role.agent, text=ask))
            turn = sim.step(state)
            if ActType.negate in {a.type for a in turn.acts}:
                answers.append(turn.clean_text or turn.text)
    return answers


@pytest.mark.parametrize("name", FLOWS)
def test_usual_no_answers_end_the_flow_at_anything_else(examples: Path, name: str) -> None:
    flow, scenario = default_scenario(examples / "flows" / f"{name}.yaml")
    matcher = compile_flow(flow).matcher
    threshold = flow.nlu.confidence_threshold
    ending = {"no_more", "thanks_bye"}

    def is_no(text: str) -> bool:
        found = matcher.match(text)
        return found.intent in ending and found.confidence >= threshold

    for text in NO_ANSWERS:
        assert is_no(text), f"{name}: {text!r} should read as no at 'anything else?'"
    answers = simulator_no_answers(scenario)
    missed = [t for t in answers if not is_no(t)]
    assert len(answers) >= 100 and len(missed) <= len(answers) // 50, (
        f"{name}: the simulator's no-answers should match (missed {len(missed)} of "
        f"{len(answers)}, e.g. {missed[:3]})"
    )


@pytest.mark.parametrize("name", FLOWS)
async def test_calm_customers_complete_every_example_flow_over_fifty_seeds(
    examples: Path, name: str
) -> None:
    flow, scenario = default_scenario(examples / "flows" / f"{name}.yaml")
    results = [
        await run_one(FlowAgent(flow), scenario=scenario, persona="calm", seed=seed)
        for seed in range(50)
    ]
    reasons = Counter(r.termination_reason.value for r in results)
    assert reasons["goal_met"] == 50, f"{name}: a calm customer should always finish, {reasons}"
