"""Honest options and messages of the command line, and tables that stay readable at 80 columns."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from understudy.agents.resolve import resolve_agent
from understudy.cli.app import app
from understudy.cli.assign import sessions_table
from understudy.cli.personas import persona_table
from understudy.cli.practice import attempts_table
from understudy.content.personas import load_persona_library
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.errors import ConfigError
from understudy.runs import plan_stress_test
from understudy.storage.attempt_records import AttemptSummary, SessionSummary
from understudy.storage.store import RunSpec, Store

REPO = Path(__file__).resolve().parents[1]


REFUND_FLOW = REPO / "examples" / "flows" / "refund.yaml"


runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _store_run(store: Store, ref: str, name: str = "Refund") -> str:
    spec = RunSpec(
        agent_kind="flow",
        agent_ref=ref,
        agent_name=name,
        persona_id="calm",
        scenario_ids=["x"],
        simulator_kind="offline",
        seed="0",
        n=1,
        concurrency=1,
    )
    run_id = store.create_run(spec)
    result = ConversationResult(
        conversation_id="c0", termination_reason=TerminationReason.goal_met, seed=0
    )
    store.save_conversation(run_id, 0, result, scenario_id="x", seed=0)
    return run_id


def _render(table: object) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_practice_on_a_flow_file_says_it_is_a_flow() -> None:
    code, _, err = cli("practice", str(REFUND_FLOW))
    assert code == 2
    assert "this file is a flow, not a scenario" in err, err
    assert "unknown field" not in err, "no field-by-field noise for the wrong kind of file"


def test_version_is_rejected_for_a_flow() -> None:
    code, _, err = cli("stress-test", str(REFUND_FLOW), "--version", "production", "-n", "1")
    assert code == 2 and "--version production applies to agent personas only" in err, err
    with pytest.raises(ConfigError):
        resolve_agent(str(REFUND_FLOW), version="3")


def test_preview_rejects_an_unknown_intent_listing_known_ones() -> None:
    code, _, err = cli("personas", "preview", "maya", "--intent", "nosuch")
    assert code == 2 and "no intent 'nosuch'" in err and "get_refund" in err, err


def test_personas_list_rejects_a_missing_scenario_folder(tmp_path: Path) -> None:
    code, _, err = cli("personas", "list", "--scenarios", str(tmp_path / "missingdir"))
    assert code == 2 and "missingdir" in err, err


def test_runs_list_limit_must_be_positive_and_help_names_the_commands() -> None:
    for bad in ("0", "-1"):
        code, _, _ = cli("runs", "list", "--limit", bad)
        assert code == 2, f"--limit {bad} should be refused, not mean 'no limit'"
    _, out, _ = cli("personas", "--help")
    assert "list, show, preview, new, edit, generate" in out, out


def test_empty_filters_say_nothing_matches() -> None:
    Store()
    code, out, _ = cli("runs", "list", "--persona", "nosuch")
    assert code == 0 and "no runs match --persona nosuch" in out, out
    code, out, _ = cli("report", "--scenario", "nosuch")
    assert code == 0 and "No practice matches --scenario nosuch" in out, out


def test_runs_list_flow_matches_relative_and_absolute_paths_literally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    store = Store()
    plan = plan_stress_test("examples/flows/refund.yaml", n=1)
    assert plan.agent.ref == str(REFUND_FLOW), "flow runs store the absolute path"
    wanted = _store_run(store, plan.agent.ref)
    other = _store_run(store, "/tmp/flows/refundXyaml", name="Other")
    for given in ("examples/flows/refund.yaml", str(REFUND_FLOW), "refund.yaml"):
        _, out, _ = cli("runs", "list", "--flow", given)
        assert wanted[:8] in out and other[:8] not in out, f"--flow {given}: {out}"
    _, out, _ = cli("runs", "list", "--flow", "refund_yaml")
    assert "no runs match" in out, "'_' is a literal character, not a wildcard"


def test_personas_list_is_readable_at_80_columns() -> None:
    library = load_persona_library()
    rows = sorted(library.personas.values(), key=lambda item: item[0].id)
    text = _render(persona_table(rows, width=80))
    assert "Calm, cooperative" in text, f"summaries should not fold to a few letters:\n{text}"
    assert "frustrated-cardholder" in text, "ids stay on one line"
    assert all(len(line) <= 80 for line in text.splitlines())


def test_attempt_and_session_tables_keep_every_cell_at_80_columns() -> None:
    when = datetime(2026, 3, 1, 9, 30)
    attempts = [
        AttemptSummary(
            id=12,
            number=3,
            trainee="alexandra",
            scenario_id="practice-retail-return",
            started_at=when,
            duration_s=312,
            termination_reason="trainee_ended",
            status="finished",
            evaluation_status="graded",
            overall=0.82,
        )
    ]
    text = _render(attempts_table(attempts, width=80))
    assert "…" not in text and "82%" in text and "5:12" in text, text
    sessions = [
        SessionSummary.model_validate(
            {
                "id": 4,
                "trainee": "alexandra",
                "scenario_id": "practice-retail-return",
                "attempts": 2,
                "status": "To do",
                "deadline": "2026-03-10",
                "per_week": 3,
                "this_week": 1,
                "created_at": when,
                "assigned": True,
                "assigned_by": "coach",
            }
        )
    ]
    text = _render(sessions_table(sessions, width=80))
    assert "…" not in text and "To do" in text and "1/3" in text and "2026-03-10" in text, text
