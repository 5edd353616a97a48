"""Grade history: a regrade keeps earlier grades and their reviews; the migration carries old grades
over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import understudy.cli.practice  # noqa: F401  (registers the commands)
from conftest import Database
from understudy.cli.app import app
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import alembic_config, make_engine

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]


PRACTICE = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"


POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"


runner = CliRunner()


def practise() -> int:
    args = ["practice", str(PRACTICE), "--script", str(POOR), "--json", "--trainee", "pat"]
    result = runner.invoke(app, [*args, "--opening-pause", "0"])
    assert result.exit_code == 0, result.output
    attempt_id: int = json.loads(result.stdout)["id"]
    return attempt_id


def test_regrade_keeps_earlier_grades_and_their_reviews() -> None:
    attempt = practise()
    store = AttemptStore()
    store.add_review(attempt, "Ana", "Verify first.", {"identity_verification": 0.5})
    regraded = runner.invoke(app, ["attempts", "regrade", str(attempt)])
    assert regraded.exit_code == 0, regraded.output
    record = store.get(attempt)
    assert record.grade_number == 2, "a regrade adds grade 2"
    assert record.reviews == [], "reviews of the old grade do not apply to the new one"
    assert [g.number for g in record.earlier_grades] == [1]
    assert record.earlier_grades[0].reviews == 1, "the old review stays with the old grade"
    store.add_review(attempt, "Bo", "Better.", {})
    assert [r.coach for r in store.get(attempt).reviews] == ["Bo"]
    shown = runner.invoke(app, ["attempts", "show", str(attempt)], env={"COLUMNS": "200"})
    assert "earlier grade 1" in shown.output, "attempts show lists earlier grades"
    assert "Better." in shown.output and "Verify first." not in shown.output


def test_regrade_model_needs_the_llm_grader() -> None:
    attempt = practise()
    result = runner.invoke(app, ["attempts", "regrade", str(attempt), "--model", "test"])
    assert result.exit_code == 2 and "--grader llm" in result.output


def test_regrade_with_the_llm_grader_uses_the_given_model() -> None:
    attempt = practise()
    result = runner.invoke(
        app, ["attempts", "regrade", str(attempt), "--grader", "llm", "--model", "test"]
    )
    assert result.exit_code == 0, result.output
    assert AttemptStore().get(attempt).grade is not None


def test_migration_moves_existing_grades_and_reviews_into_the_history(database: Database) -> None:
    from alembic import command

    engine = make_engine(database.url)
    config = alembic_config(engine)
    command.downgrade(config, "base")
    command.upgrade(config, "0003_assignments")
    grade = {"rubric_id": "r", "grader": "offline", "criteria": [], "overall": 0.5}
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO practice_sessions (id, trainee, scenario_id, scenario_name, "
                "created_at, instructions) VALUES (1, 'pat', 's', '', '2026-01-01', '')"
            )
        )
        db.execute(
            text(
                "INSERT INTO attempts (id, session_id, number, trainee, scenario_id, "
                "scenario_json, scenario_hash, persona_id, persona_json, persona_hash, "
                "started_at, duration_s, termination_reason, detail, status, "
                "evaluation_status, grade_json, graded_at) VALUES (1, 1, 1, 'pat', 's', '{}', "
                "'h', 'p', '{}', 'h', '2026-01-01', 1.0, 'goal_met', '', 'finished', "
                "'Completed', :grade, '2026-01-02')"
            ),
            {"grade": json.dumps(grade)},
        )
        db.execute(
            text(
                "INSERT INTO coach_reviews (attempt_id, coach, note, overrides, created_at) "
                "VALUES (1, 'Ana', 'ok', '{}', '2026-01-03')"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as db:
        rows = db.execute(text("SELECT id, attempt_id, number FROM attempt_grades")).all()
        assert [(r.attempt_id, r.number) for r in rows] == [(1, 1)]
        linked = db.execute(text("SELECT grade_id FROM coach_reviews")).scalar_one()
        assert linked == rows[0].id, "the existing review should point at the existing grade"
    command.downgrade(config, "0003_assignments")
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM attempts")).scalar_one() == 1
        assert db.execute(text("SELECT count(*) FROM coach_reviews")).scalar_one() == 1, (
            "downgrading must not cascade-delete the children"
        )
    engine.dispose()
