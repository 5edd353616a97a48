"""Importing ABCD subflows: 55 flows that validate and survive a 10-conversation stress test."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.agents.flow import FlowAgent
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.content.importers.abcd import import_abcd
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.flow import CollectNode, EndNode, Flow
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import TerminationReason
from understudy.errors import NotFoundError
from understudy.runs.batch import registered_simulators, run_batch
from understudy.testing import FakeClock


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = shared_data / "abcd"
    out = tmp_path_factory.mktemp("abcd")
    report = import_abcd(data / "guidelines.json", out)
    assert not report.skipped, report.skipped
    return out


@pytest.fixture(scope="module")
def flows(imported: Path) -> list[tuple[Path, Flow]]:
    return [(p, load_flow(p)) for p in sorted((imported / "flows").glob("*.yaml"))]


def test_every_subflow_becomes_a_valid_flow(flows: list[tuple[Path, Flow]]) -> None:
    assert len(flows) == 55, f"expected 55 flows, got {len(flows)}"
    for path, flow in flows:
        kinds = [node.kind for node in flow.nodes.values()]
        assert "end" in kinds, f"{path.name} should end with an end node"
        for node in flow.nodes.values():
            if isinstance(node, CollectNode):
                assert node.fallback.reprompt, f"{path.name}: every collect node has a fallback"


def test_initiate_refund_collects_the_slots_its_steps_name(imported: Path) -> None:
    flow = load_flow(imported / "flows" / "abcd-product_defect-refund_initiate.yaml")
    slots = [n.slot for n in flow.nodes.values() if isinstance(n, CollectNode)]
    assert slots[:4] == ["name", "username", "email", "order_id"], slots
    refund = next(
        n for n in flow.nodes.values() if isinstance(n, CollectNode) and n.slot == "refund_method"
    )
    assert [c.value for c in refund.choices or []] == [
        "add value",
        "credit card",
        "gift card",
        "paper check",
    ]
    amount = next(
        n for n in flow.nodes.values() if isinstance(n, CollectNode) and n.slot == "amount"
    )
    assert amount.default == "50", "the guidelines' default refund amount is $50"
    assert isinstance(flow.nodes["done"], EndNode)


async def test_every_flow_runs_ten_conversations_without_an_engine_error(
    flows: list[tuple[Path, Flow]],
) -> None:
    persona = resolve_persona("calm")
    reasons: set[TerminationReason] = set()
    for path, flow in flows:
        assert flow.default_scenario, f"{path.name} names its scenario"
        scenario = load_model(Scenario, path.parent / flow.default_scenario)

        def agent(flow: Flow = flow) -> FlowAgent:
            return FlowAgent(flow)

        batch = await run_batch(
            agent,
            registered_simulators("offline", persona),
            [scenario],
            n=10,
            seed=4,
            clock_factory=FakeClock,
        )
        errors = [
            c.result.error
            for c in batch.conversations
            if c.result.termination_reason is TerminationReason.error
        ]
        assert not errors, f"{path.name}: engine error {errors[0]}"
        reasons.update(c.result.termination_reason for c in batch.conversations)
    assert TerminationReason.goal_met in reasons, "some conversations should finish a flow"


def test_sample_chats_become_scenarios_with_their_facts(imported: Path) -> None:
    scenario = load_model(Scenario, imported / "scenarios" / "abcd-sample-3592.yaml")
    assert scenario.goal.intent == "return_size"
    assert scenario.goal.known_info["name"] == "Crystal Minh"
    assert scenario.goal.known_info["order_id"] == "3348917502"
    assert scenario.opening_line == "Hi! I need to return an item, can you help me with that?"


def test_one_subflow_by_name(shared_data: Path, tmp_path: Path) -> None:
    report = import_abcd(
        shared_data / "abcd" / "guidelines.json", tmp_path, subflow="Recover Password"
    )
    assert report.counts == {"flow": 1, "scenario": 1}
    flow = load_flow(tmp_path / "flows" / "abcd-account_access-recover_password.yaml")
    assert flow.intents[0].name == "recover_password"


def test_unknown_subflow_lists_the_subflows(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="Initiate Refund"):
        import_abcd(shared_data / "abcd" / "guidelines.json", tmp_path, subflow="Teleport")


def test_cli_imports_one_subflow(shared_data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "import",
            "abcd",
            str(shared_data / "abcd" / "guidelines.json"),
            "--subflow",
            "refund_initiate",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 1 flow, 1 scenario" in result.output


def test_understudy_validate_accepts_every_imported_file(imported: Path) -> None:
    flows = sorted((imported / "flows").glob("*.yaml"))
    scenarios = sorted((imported / "scenarios").glob("*.yaml"))
    assert len(flows) == 55 and scenarios, "the import should write 55 flows and their scenarios"
    result = CliRunner().invoke(
        app, ["validate", *map(str, flows + scenarios)], env={"COLUMNS": "1000"}
    )
    assert result.exit_code == 0, f"validate should accept the ABCD import:\n{result.stderr}"
    assert result.stdout.count("(flow)") == len(flows), "one ok line per flow"
    assert result.stdout.count("(scenario)") == len(scenarios), "one ok line per scenario"
