"""Fixes from code review: settings and storage errors, LLM runs, off-loop I/O, grade history."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import understudy.cli.practice  # noqa: F401  (registers the commands)
from understudy.cli.app import app
from understudy.domain.persona import Knowledge, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import TerminationReason
from understudy.engine.clock import Clock
from understudy.engine.events import Observer
from understudy.errors import ConfigError, ContentError
from understudy.llm.cache import ReplayCache
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings, load_llm_settings
from understudy.metrics.bands import load_bands
from understudy.practice.recorder import AttemptRecorder
from understudy.runs import UsageSource, plan_stress_test, play
from understudy.settings import home, load_config, load_config_with_lines
from understudy.simulators.llm import LLMSimulator
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import alembic_config, make_engine, open_database
from understudy.storage.retention import load_retention
from understudy.storage.store import Store
from understudy.testing import FakeModel, ScriptedAgent, run_one

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"
PRACTICE = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"

runner = CliRunner()


# --- 1. a bad home folder or database URL is a clear error, not a traceback --------------------


def test_an_unusable_home_folder_is_a_config_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNDERSTUDY_HOME", "/proc/nope")
    with pytest.raises(ConfigError, match="/proc/nope"):
        home()
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 2, "a bad home folder should exit 2"
    assert "/proc/nope" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["runs", "list"], ["attempts", "list"], ["report"]])
def test_a_malformed_database_url_is_a_config_error_in_every_command(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", "bogus")
    result = runner.invoke(app, command)
    assert result.exit_code == 2, f"{command} should exit 2, got {result.exit_code}"
    assert "'bogus'" in result.output, "the message should name the URL"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.skipif(
    importlib.util.find_spec("psycopg2") is not None
    or importlib.util.find_spec("psycopg") is not None,
    reason="a PostgreSQL driver is installed",
)
def test_a_missing_database_driver_says_what_to_install() -> None:
    with pytest.raises(ConfigError) as caught:
        open_database("postgresql://user:secret@localhost/understudy")
    message = str(caught.value)
    assert "pip install psycopg" in message, "the install command should be given"
    assert "secret" not in message, "the password should not be printed"


def test_an_unwritable_sqlite_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"/proc/nope/x\.db"):
        Store("sqlite:////proc/nope/x.db")
    with pytest.raises(ConfigError, match=r"/proc/nope/x\.db"):
        open_database("sqlite:////proc/nope/x.db")


# --- 2. missing LLM credentials fail before the run starts -------------------------------------


def test_missing_llm_credentials_fail_before_any_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    result = runner.invoke(
        app, ["stress-test", str(FLOW), "--simulator", "llm", "--model", "openai:gpt-4o-mini"]
    )
    assert result.exit_code == 2, f"missing credentials should exit 2, got {result.exit_code}"
    assert "OPENAI_API_KEY" in result.output, "the message should say which key to set"
    assert Store().list_runs() == [], "no run should be stored when the run cannot start"


def test_check_model_builds_the_model_once_for_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import understudy.llm.models as models

    built: list[object] = []
    real = models.build_model

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(models, "build_model", counting)
    run = LLMRun(LLMSettings(cache=False))
    run.check_model("test")
    first = run.model("test", conversation_id="c0")
    second = run.model("test", conversation_id="c1")
    assert len(built) == 1, f"check_model and two model() calls should build once, built {built}"
    assert first.wrapped is built[0], "model() should reuse the model check_model built"
    assert second.wrapped is built[0], "every model() call of the run should reuse it"


def test_check_model_fails_on_a_missing_key_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    run = LLMRun(LLMSettings(cache=False))
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        run.check_model("openai:gpt-4o-mini")


# --- 3. the token budget stops the run cleanly --------------------------------------------------


def test_no_conversation_starts_once_the_budget_is_spent() -> None:
    plan = plan_stress_test(str(FLOW), n=5, concurrency=1, seed=1)
    played: list[int] = []

    def spent() -> bool:
        return len(played) >= 2

    outcome = asyncio.run(
        play(
            plan, Store(), on_conversation_end=lambda c: played.append(c.index), budget_spent=spent
        )
    )
    assert played == [0, 1], "no conversation should start after the budget is spent"
    assert outcome.result.skipped == 3
    assert outcome.stopped == "token budget spent"
    run = Store().get_run(outcome.run_id or "")
    assert run.status == "interrupted" and run.error == "token budget spent"
    assert outcome.metrics.conversations == 2, "metrics cover the finished conversations only"


# --- 4. the LLM customer cannot declare its own success ------------------------------------------

PERSONA = Persona(id="maya", name="Maya", knowledge=Knowledge(knows={"email": "m@example.com"}))
SCENARIO = Scenario(
    id="refund", persona="maya", goal=CustomerGoal(reason_for_call="get a refund for a kettle")
)


def scripted(*lines: str) -> FakeModel:
    """Says ``lines`` in order, then the last one again."""
    return FakeModel(*lines, default=lines[-1])


def customer(model: FakeModel) -> LLMSimulator:
    import random

    run = LLMRun(LLMSettings(cache=False))
    return LLMSimulator(PERSONA, SCENARIO, random.Random(0), run=run, llm_model=model)


@pytest.mark.parametrize(
    ("agent_line", "end", "expected"),
    [
        ("Let me look into that.", "Bye. [END]", TerminationReason.customer_left),
        ("Let me look into that.", "Thanks! [END goal_met]", TerminationReason.customer_left),
        ("Your refund has been issued.", "Bye. [END]", TerminationReason.customer_left),
        ("Your refund has been issued.", "Thanks! [END goal_met]", TerminationReason.goal_met),
    ],
)
async def test_only_an_agent_resolution_lets_the_customer_end_with_goal_met(
    agent_line: str, end: str, expected: TerminationReason
) -> None:
    result = await run_one(
        ScriptedAgent([agent_line]),
        scenario=SCENARIO,
        simulator=customer(scripted("Hi, I need a refund.", end)),
    )
    assert result.termination_reason is expected, (
        f"after {agent_line!r}, {end!r} should end as {expected.value}"
    )


async def test_an_unbacked_success_claim_says_why_it_is_not_goal_met() -> None:
    result = await run_one(
        ScriptedAgent(["Hmm."]),
        scenario=SCENARIO,
        simulator=customer(scripted("Hi.", "Great. [END goal_met]")),
    )
    assert "never signalled a resolution" in result.detail


# --- 5. grade history ----------------------------------------------------------------------------


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


def test_migration_moves_existing_grades_and_reviews_into_the_history(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(engine)
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


# --- 6. blocking I/O runs off the event loop -----------------------------------------------------


class ThreadRecordingStore(Store):
    """A store that records which thread each conversation was saved on."""

    threads: list[int]

    def save_conversation(self, *args: Any, **kwargs: Any) -> None:
        self.threads.append(threading.get_ident())
        super().save_conversation(*args, **kwargs)


def test_conversations_are_saved_off_the_event_loop_thread() -> None:
    store = ThreadRecordingStore()
    store.threads = []
    plan = plan_stress_test(str(FLOW), n=4, concurrency=2, seed=1)
    loop_thread = threading.get_ident()
    outcome = asyncio.run(play(plan, store))
    assert len(store.threads) == 4
    assert loop_thread not in store.threads, "commits should not run on the event loop's thread"
    assert Store().count_conversations(outcome.run_id or "") == 4


async def test_the_attempt_recorder_writes_off_the_event_loop() -> None:
    seen: list[int] = []

    class Recording(AttemptStore):
        def add_event(self, *args: Any, **kwargs: Any) -> None:
            seen.append(threading.get_ident())
            super().add_event(*args, **kwargs)

    store = Recording()
    scenario = Scenario.model_validate(
        {"id": "s", "persona": "calm", "goal": {"reason_for_call": "refund"}, "max_turns": 1}
    )
    attempt = store.start_attempt("pat", scenario, PERSONA)
    observer: Observer = AttemptRecorder(store, attempt)
    await run_one(ScriptedAgent(["Hello."]), scenario=scenario, observers=[observer])
    assert seen, "events should be recorded"
    assert threading.get_ident() not in seen, "writes should not run on the event loop's thread"
    assert store.get(attempt).messages, "the transcript is stored"


async def test_replay_cache_files_are_read_and_written_off_the_event_loop(tmp_path: Path) -> None:
    threads: list[int] = []

    class Cache(ReplayCache):
        def get(self, key: str) -> bytes | None:
            threads.append(threading.get_ident())
            return super().get(key)

        def put(self, key: str, data: bytes) -> None:
            threads.append(threading.get_ident())
            super().put(key, data)

    run = LLMRun(LLMSettings())
    run.cache = Cache(tmp_path)
    simulator = customer(scripted("Hi.", "Bye. [END]"))
    simulator.run = run
    await run_one(ScriptedAgent(["Hello."]), scenario=SCENARIO, simulator=simulator)
    assert threads, "the cache should be used"
    assert threading.get_ident() not in threads, "cache I/O should not block the event loop"


# --- 7. one loader for config.yaml --------------------------------------------------------------


def write_config(understudy_home: Path, body: str) -> Path:
    understudy_home.mkdir(parents=True, exist_ok=True)
    path = understudy_home / "config.yaml"
    path.write_text(body)
    return path


def test_config_is_parsed_once_and_reread_when_it_changes(understudy_home: Path) -> None:
    path = write_config(understudy_home, "llm:\n  model: test\n")
    assert load_config() == {"llm": {"model": "test"}}
    load_config()["llm"]["model"] = "mutated"
    assert load_llm_settings().model == "test", "callers cannot change the cached copy"
    time.sleep(0.01)
    path.write_text("llm:\n  model: openai:gpt-4o\nretention:\n  event_log_days: 5\n")
    assert load_llm_settings().model == "openai:gpt-4o", "an edited file is read again"
    assert load_retention().event_log_days == 5
    _, lines = load_config_with_lines()
    assert lines[("retention", "event_log_days")] == 4


def test_a_broken_config_file_names_file_and_line_for_every_reader(understudy_home: Path) -> None:
    write_config(understudy_home, "bands:\n  completion_rate: {green: 0.9\n")
    for reader in (load_bands, load_llm_settings, load_retention):
        with pytest.raises(ContentError) as caught:
            reader()
        assert "config.yaml:" in str(caught.value), f"{reader.__name__} should name the file"


def test_the_webhook_section_comes_from_the_shared_loader(understudy_home: Path) -> None:
    from understudy.agents.targets import _webhook_config

    write_config(understudy_home, "webhook:\n  timeout_s: 3\n")
    assert _webhook_config() == {"timeout_s": 3}


# --- 8. docstrings of the seams ------------------------------------------------------------------


def test_the_seams_document_units_and_errors() -> None:
    docs = {
        "Clock.now": inspect.getdoc(Clock.now) or "",
        "Clock.sleep": inspect.getdoc(Clock.sleep) or "",
        "Observer.on_event": inspect.getdoc(Observer.on_event) or "",
        "UsageSource.conversation_usage": inspect.getdoc(UsageSource.conversation_usage) or "",
        "UsageSource.run_usage": inspect.getdoc(UsageSource.run_usage) or "",
    }
    assert "seconds" in docs["Clock.now"] and "origin" in docs["Clock.now"]
    assert "seconds" in docs["Clock.sleep"]
    assert "propagates" in docs["Observer.on_event"]
    assert "total_tokens" in docs["UsageSource.conversation_usage"]
    assert docs["UsageSource.run_usage"], "run_usage should be documented"
