"""Assigning scenarios: statuses, frequency, unassigning, the usage report, the migration."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from typer.testing import CliRunner

import understudy.cli.assign
import understudy.cli.practice
import understudy.cli.report  # noqa: F401  (registers the commands)
from conftest import Database
from understudy.cli.apps import app
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.grade import CriterionGrade, Grade
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.storage.assignments import AssignmentStore
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import alembic_config, make_engine, open_database

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"
WIDE = {"COLUMNS": "220"}


def cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result


def sessions_json(*args: str) -> list[dict[str, Any]]:
    result = cli("attempts", "sessions", "--json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def scenario_and_persona() -> tuple[Scenario, Persona]:
    scenario = load_model(Scenario, SCENARIO)
    return scenario, resolve_persona(str(SCENARIO.parent / scenario.persona))


def at(day: str, hour: int = 10) -> Callable[[], datetime]:
    moment = datetime.fromisoformat(day).replace(hour=hour)
    return lambda: moment


def finished_attempt(trainee: str, day: str, score: float | None = None) -> int:
    """Store a finished attempt started on ``day``, graded ``score`` when given."""
    scenario, persona = scenario_and_persona()
    store = AttemptStore(now=at(day))
    attempt = store.start_attempt(trainee, scenario, persona)
    store.finish_attempt(attempt, "trainee_ended", "", 30.0)
    if score is not None:
        criteria = [CriterionGrade(id="resolution", score=score)]
        store.save_grade(attempt, Grade.from_criteria("customer-service-call", "offline", criteria))
    return attempt


def test_assigned_scenario_is_to_do_then_completed_by_a_practice_call() -> None:
    assigned = cli(
        "assign", str(SCENARIO), "--trainee", "sam", "--trainee", "ana",
        "--deadline", "2030-01-31", "--per-week", "2", "--by", "lee",
    )  # fmt: skip
    assert assigned.exit_code == 0, assigned.output
    assert "Assigned practice-retail-return to sam: session 1" in assigned.output
    table = cli("attempts", "sessions", "--now", "2030-01-10")
    for shown in ("To do", "2030-01-31", "0/2", "lee"):
        assert shown in table.output, f"the sessions table should show {shown!r}"

    practice = cli(
        "practice", str(SCENARIO), "--trainee", "sam", "--script", str(POOR),
        "--json", "--opening-pause", "0",
    )  # fmt: skip
    assert practice.exit_code == 0, practice.output
    assert "Assigned by lee (session 1" in practice.stderr, "the briefing names the assignment"
    rows = sessions_json("--now", "2030-01-10")
    assert [(r["trainee"], r["attempts"]) for r in rows] == [("sam", 1), ("ana", 0)], (
        "the attempt is attached to sam's assigned session, no new session is created"
    )
    assert [r["status"] for r in rows] == ["Completed", "To do"]
    completed = cli("attempts", "sessions", "--status", "completed", "--now", "2030-01-10")
    assert "sam" in completed.output and "ana" not in completed.output


def test_deadline_passed_without_attempt_is_overdue_and_late_completion_is_flagged() -> None:
    cli("assign", str(SCENARIO), "--trainee", "sam", "--trainee", "ana", "--deadline", "2026-03-01")
    assert [r["status"] for r in sessions_json("--now", "2026-03-01")] == ["To do", "To do"], (
        "the deadline day itself is still on time"
    )
    overdue = sessions_json("--now", "2026-03-02", "--status", "overdue")
    assert [r["trainee"] for r in overdue] == ["sam", "ana"]

    finished_attempt("sam", "2026-03-05")
    rows = {r["trainee"]: r for r in sessions_json("--now", "2026-03-06")}
    assert rows["sam"]["status"] == "Completed" and rows["sam"]["late"] is True
    assert rows["ana"]["status"] == "Overdue"
    table = cli("attempts", "sessions", "--trainee", "sam", "--now", "2026-03-06")
    assert "Completed (late)" in table.output


def test_reassigning_updates_the_session_and_scenario_values_are_defaults(tmp_path: Path) -> None:
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    shutil.copytree(SCENARIO.parent / "practice-docs", tmp_path / "practice-docs")
    data.update(
        persona=str(SCENARIO.parent / data["persona"]),
        deadline="2031-06-30",
        sessions_per_week=3,
        instructions="Practise twice before Friday.",
    )
    path = tmp_path / "assigned.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert cli("assign", str(path), "--trainee", "kim", "--by", "lee").exit_code == 0
    [row] = sessions_json()
    assert (row["deadline"], row["per_week"], row["instructions"]) == (
        "2031-06-30",
        3,
        "Practise twice before Friday.",
    ), "the scenario's deadline, frequency and instructions are the defaults"

    again = cli(
        "assign", str(path), "--trainee", "kim", "--per-week", "5", "--deadline", "2031-07-15"
    )
    assert "Updated assignment" in again.output
    [row] = sessions_json()
    assert row["id"] == 1 and row["per_week"] == 5 and row["deadline"] == "2031-07-15"
    assert row["assigned_by"] == "lee", "re-assigning without --by keeps who assigned it"
    assert row["instructions"] == "Practise twice before Friday.", "options not given are kept"


def test_unassign_deletes_an_empty_session_and_needs_force_when_it_has_attempts() -> None:
    cli("assign", str(SCENARIO), "--trainee", "sam", "--trainee", "ana")
    removed = cli("unassign", "2")
    assert removed.exit_code == 0 and "no attempts" in removed.output
    assert [r["trainee"] for r in sessions_json()] == ["sam"]

    attempt = finished_attempt("sam", "2026-03-05")
    refused = cli("unassign", "--scenario", str(SCENARIO), "--trainee", "sam")
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = cli("unassign", "--scenario", "practice-retail-return", "--trainee", "sam", "--force")
    assert forced.exit_code == 0 and "1 attempt(s) are kept" in forced.output
    assert sessions_json() == [], "a removed assignment is hidden from the session list"
    assert [r["status"] for r in sessions_json("--removed")] == ["Removed"]
    assert AttemptStore().get(attempt).trainee == "sam", "the attempts are kept"

    missing = cli("unassign", "1")
    assert missing.exit_code == 2 and "no session with id 1" in missing.output
    assert cli("unassign").exit_code == 2, "a session id or --scenario and --trainee is needed"

    restored = cli("assign", str(SCENARIO), "--trainee", "sam")
    assert "session 1" in restored.output, "assigning again restores the removed assignment"
    assert [r["attempts"] for r in sessions_json()] == [1]


def test_this_week_counts_finished_attempts_from_monday_to_sunday() -> None:
    cli("assign", str(SCENARIO), "--trainee", "sam", "--per-week", "3")
    for day in ("2026-03-01", "2026-03-02", "2026-03-04", "2026-03-08", "2026-03-09"):
        finished_attempt("sam", day)  # Sunday, Monday, Wednesday, Sunday, next Monday
    scenario, persona = scenario_and_persona()
    AttemptStore(now=at("2026-03-03")).start_attempt("sam", scenario, persona)  # interrupted
    [row] = sessions_json("--now", "2026-03-05")
    assert row["this_week"] == 3, "Monday 2 to Sunday 8 March: three finished attempts"
    assert row["attempts"] == 6
    assert "3/3" in cli("attempts", "sessions", "--now", "2026-03-05").output
    assert sessions_json("--now", "2026-03-10")[0]["this_week"] == 1


def test_report_counts_sessions_attempts_and_mean_grades() -> None:
    cli("assign", str(SCENARIO), "--trainee", "sam", "--trainee", "ana", "--trainee", "bo",
        "--deadline", "2026-03-10")  # fmt: skip
    finished_attempt("sam", "2026-03-02", score=0.4)
    finished_attempt("sam", "2026-03-09", score=0.8)
    finished_attempt("ana", "2026-03-03", score=1.0)
    review_target = finished_attempt("ana", "2026-03-12")  # ungraded: no mean contribution
    assert review_target > 0

    result = cli("report", "--now", "2026-03-15", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [scenario] = data["scenarios"]
    assert (scenario["participants"], scenario["todo"], scenario["completed"]) == (3, 0, 2)
    assert scenario["overdue"] == 1 and scenario["attempts"] == 4
    assert scenario["mean_grade"] == pytest.approx((0.4 + 0.8 + 1.0) / 3)
    trainees = {t["trainee"]: t for t in data["trainees"]}
    assert trainees["sam"]["attempts"] == 2 and trainees["sam"]["mean_grade"] == pytest.approx(0.6)
    assert trainees["ana"]["last_attempt_at"].startswith("2026-03-12")
    assert trainees["bo"]["overdue"] == 1 and trainees["bo"]["mean_grade"] is None

    since = json.loads(
        cli("report", "--now", "2026-03-15", "--since", "2026-03-05", "--json").stdout
    )
    assert since["scenarios"][0]["attempts"] == 2, "--since keeps attempts on or after the date"
    assert since["scenarios"][0]["mean_grade"] == pytest.approx(0.8)
    table = cli("report", "--now", "2026-03-15")
    for shown in ("practice-retail-return", "73%", "sam", "60%", "2026-03-12"):
        assert shown in table.output, f"the report table should show {shown!r}"
    assert "No practice matches --scenario other" in cli("report", "--scenario", "other").output


def test_a_database_at_0002_upgrades_to_head_and_keeps_its_sessions(database: Database) -> None:
    from alembic import command

    url = database.url
    engine = make_engine(url)
    command.downgrade(alembic_config(engine), "base")
    command.upgrade(alembic_config(engine), "0002_attempts")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO practice_sessions (trainee, scenario_id, scenario_name, deadline, "
                "created_at) VALUES ('kim', 'practice-retail-return', 'Return', '2026-03-01', "
                "'2026-02-01 09:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO attempts (session_id, number, trainee, scenario_id, scenario_json, "
                "scenario_hash, persona_id, persona_json, persona_hash, started_at, duration_s, "
                "termination_reason, detail, status, evaluation_status) VALUES (1, 1, 'kim', "
                "'practice-retail-return', '{}', 'h', 'p', '{}', 'h', '2026-03-05 10:00:00', 0, "
                "'interrupted', '', 'interrupted', 'Not evaluated')"
            )
        )
    engine.dispose()

    store = AssignmentStore(sessions=open_database(url))
    [row] = store.sessions(today=date(2026, 3, 2))
    assert (row.trainee, row.scenario_id, row.deadline) == (
        "kim",
        "practice-retail-return",
        date(2026, 3, 1),
    ), "the upgrade keeps existing sessions"
    assert row.status == "Overdue" and not row.assigned and row.instructions == ""
    assert row.attempts == 1, "the upgrade keeps the session's attempts"
    scenario, _ = scenario_and_persona()
    outcome = store.assign(scenario, "kim", per_week=2, assigned_by="lee")
    assert not outcome.created, "assigning converts the old self-started session"
    assert store.sessions()[0].per_week == 2


def test_downgrading_0003_keeps_sessions_and_their_attempts(database: Database) -> None:
    from alembic import command

    url = database.url
    scenario, persona = scenario_and_persona()
    store = AssignmentStore(sessions=open_database(url))
    store.assign(scenario, "kim", per_week=2)
    AttemptStore(sessions=open_database(url)).start_attempt("kim", scenario, persona)
    engine = make_engine(url)
    command.downgrade(alembic_config(engine), "0002_attempts")
    with engine.begin() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES]
    engine.dispose()
    assert counts == [1, 1], "dropping the assignment columns keeps sessions and attempts"


TABLES = ("practice_sessions", "attempts")
