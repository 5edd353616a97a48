"""The example flows against the offline user simulator: real procedures, simulated customers."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.agents.flow import FlowAgent
from understudy.content.loader import load_model
from understudy.domain.flow import Flow, load_flow
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.testing import run_one

pytest.importorskip("understudy.simulators.offline")

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
