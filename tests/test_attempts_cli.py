"""The attempts commands: list, show (Evaluation and Transcript), review with overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.cli.apps import app

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"


def practise_poorly(trainee: str) -> dict[str, Any]:
    args = ["practice", str(SCENARIO), "--script", str(POOR), "--json", "--trainee", trainee]
    result = CliRunner().invoke(app, [*args, "--opening-pause", "0"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_attempts_list_show_and_review_through_the_cli() -> None:
    poor = practise_poorly("pat")
    runner = CliRunner()
    listed = runner.invoke(app, ["attempts", "list", "--trainee", "pat"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "practice-retail-return" in listed.output
    assert "Completed" in listed.output, "the evaluation status is shown"
    assert "No attempts" in runner.invoke(app, ["attempts", "list", "--trainee", "x"]).output

    review = runner.invoke(
        app,
        [
            "attempts",
            "review",
            str(poor["id"]),
            "--coach",
            "Ana",
            "--note",
            "Verify first.",
            "--override",
            "identity_verification=0.5",
        ],
    )
    assert review.exit_code == 0, review.output
    assert "overall now" in review.output and "overall now 0%" not in review.output

    shown = runner.invoke(app, ["attempts", "show", str(poor["id"])], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for section in ("Evaluation", "Transcript", "Verify first.", "set by Ana"):
        assert section in shown.output, f"attempts show should include {section!r}"

    bad = runner.invoke(
        app, ["attempts", "review", str(poor["id"]), "--coach", "Ana", "--override", "nonsense=1"]
    )
    assert bad.exit_code == 2 and "unknown criterion" in bad.output
    missing = runner.invoke(app, ["attempts", "show", "999"])
    assert missing.exit_code == 2 and "no attempt with id 999" in missing.output


def test_regrade_grades_an_interrupted_attempt_from_its_stored_transcript() -> None:
    from understudy.content.loader import load_model
    from understudy.content.personas import resolve_persona
    from understudy.domain.persona import Mood
    from understudy.domain.scenario import Scenario
    from understudy.domain.transcript import Message, Role
    from understudy.storage.attempt_store import AttemptStore

    scenario = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / scenario.persona))
    store = AttemptStore()
    attempt = store.start_attempt("kim", scenario, persona)
    store.add_message(
        attempt, Message(index=1, role=Role.customer, text="It is broken.", mood=Mood.calm)
    )
    store.add_message(attempt, Message(index=2, role=Role.agent, text="Hello, I'm sorry."))
    result = CliRunner().invoke(app, ["attempts", "regrade", str(attempt)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "greeting" in result.output and "Overall" in result.output
    record = store.get(attempt)
    assert record.evaluation_status == "Completed" and record.status == "interrupted"
    assert record.grade is not None and record.grade.criterion("empathy").score == 1.0  # type: ignore[union-attr]


def test_practice_with_a_missing_scenario_or_rubric_explains_and_exits_2() -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["practice", "nowhere.yaml", "--script", str(POOR)])
    assert missing.exit_code == 2 and "no scenario file" in missing.output
    bad_rubric = runner.invoke(
        app, ["practice", str(SCENARIO), "--script", str(POOR), "--rubric", "nope"]
    )
    assert bad_rubric.exit_code == 2 and "known rubrics" in bad_rubric.output
