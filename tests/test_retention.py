"""Retention settings and purging: event log after 90 days, transcripts and grades kept."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

import understudy.cli.retention  # noqa: F401  (registers the commands)
from understudy.cli.apps import app
from understudy.domain.grade import CriterionGrade, Grade
from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.errors import ConfigError
from understudy.settings import config_path
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.retention import RetentionSettings, apply_retention, load_retention

pytestmark = pytest.mark.usefixtures("database")

START = datetime(2026, 1, 1, 9, 0)
SCENARIO = Scenario(id="s", persona="calm", goal=CustomerGoal(reason_for_call="refund"))
PERSONA = Persona(id="calm", name="Calm")


def stored_attempt(at: datetime) -> int:
    """Store a graded two-turn attempt whose rows are all written at ``at``."""
    store = AttemptStore(now=lambda: at)
    attempt = store.start_attempt("kim", SCENARIO, PERSONA, "r")
    store.add_message(attempt, Message(index=1, role=Role.customer, text="Hi", mood=Mood.calm))
    store.add_event(attempt, "message", 1, 0.0, {"role": "customer"})
    store.add_message(attempt, Message(index=2, role=Role.agent, text="Hello"))
    store.add_event(attempt, "message", 2, 1.0, {"role": "agent"})
    store.finish_attempt(attempt, "trainee_ended", "", 1.0)
    grade = Grade.from_criteria("r", "offline", [CriterionGrade(id="c", score=1.0)])
    store.save_grade(attempt, grade)
    return attempt


def test_defaults_keep_the_event_log_90_days_and_transcripts_and_grades_forever() -> None:
    settings = load_retention()
    assert settings.event_log_days == 90 and settings.audio_days == 90
    assert settings.transcripts_days is None and settings.grades_days is None


def test_apply_purges_only_the_event_log_past_90_days_by_default() -> None:
    old = stored_attempt(START)
    recent = stored_attempt(START + timedelta(days=80))
    report = apply_retention(RetentionSettings(), now=START + timedelta(days=100))
    assert report.removed["event_log"] == 2, "only the old attempt's two events are past 90 days"
    assert report.removed["transcripts"] == 0 and report.removed["grades"] == 0
    store = AttemptStore()
    assert store.get(old).events == [] and len(store.get(recent).events) == 2
    assert len(store.get(old).messages) == 2, "transcripts are kept by default"
    assert store.get(old).grade is not None, "grades are kept by default"


def test_configured_retention_purges_transcripts_and_grades() -> None:
    config_path().write_text(
        "retention:\n  event_log_days: keep\n  transcripts_days: 30\n  grades_days: 30\n"
    )
    settings = load_retention()
    assert settings.event_log_days is None, "'keep' means forever"
    old = stored_attempt(START)
    report = apply_retention(settings, now=START + timedelta(days=31))
    assert report.removed == {"event_log": 0, "transcripts": 2, "grades": 1, "audio": 0}
    record = AttemptStore().get(old)
    assert record.messages == [] and record.grade is None
    assert record.evaluation_status == "Purged" and record.scenario_id == "s", "the row stays"


def test_invalid_retention_config_names_the_key() -> None:
    config_path().write_text("retention:\n  event_log_dayz: 3\n")
    with pytest.raises(ConfigError, match="event_log_dayz"):
        load_retention()


def test_cli_show_and_apply_report_settings_and_counts() -> None:
    stored_attempt(START)
    runner = CliRunner()
    shown = runner.invoke(app, ["retention", "show"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "90 days" in shown.output and "forever" in shown.output
    applied = runner.invoke(
        app, ["retention", "apply", "--now", "2026-06-01"], env={"COLUMNS": "200"}
    )
    assert applied.exit_code == 0, applied.output
    event_row = next(line for line in applied.output.splitlines() if "event log" in line)
    assert " 2 " in event_row, f"two event-log rows should be reported removed: {event_row}"
    bad = runner.invoke(app, ["retention", "apply", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO" in bad.output
