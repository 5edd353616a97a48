"""A database written by the release before the one store upgrades with nothing lost.

``fixtures/store_0005/understudy.db`` was written by that release's own commands (three
stress-tests, two assignments, practice calls graded, regraded and reviewed, and an attempt
left interrupted with a note before any grade); ``expected.json`` is every run and attempt as
that release read them back. Upgrading the database to head must give back the same runs,
conversations, transcripts, attempts, grade history, reviews and sessions. Records are compared
as today's models read them (``_today``), so a field added later with a default does not
count as a difference.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path, PurePath
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Integer, MetaData, create_engine, insert, inspect, select, text

from conftest import Database
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult
from understudy.storage.attempt_records import AttemptRecord, AttemptSummary, SessionSummary
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import alembic_config, make_engine, open_database
from understudy.storage.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "store_0005"
PREVIOUS_REVISION = "0005_simulator_info"
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def old_database(empty_database: Database, tmp_path: Path) -> str:
    """The database made by the previous release, as a URL, on SQLite and on PostgreSQL.

    On SQLite it is a copy of the file; on PostgreSQL the file's rows loaded into an empty
    database built by the migrations up to that release's revision (``load_previous_release``).
    """
    if empty_database.kind == "sqlite":
        copy = tmp_path / "old.db"
        shutil.copyfile(FIXTURE / "understudy.db", copy)
        return f"sqlite:///{copy}"
    load_previous_release(empty_database.url)
    return empty_database.url


PREVIOUS_TABLES = (
    "runs",
    "conversations",
    "messages",
    "practice_sessions",
    "attempts",
    "attempt_messages",
    "attempt_events",
    "coach_reviews",
    "attempt_grades",
)
"""The previous release's tables, parents before children."""


def load_previous_release(url: str) -> None:
    """Copy every row of the fixture file into the empty database ``url`` at revision 0005.

    Integer keys are copied as they are; PostgreSQL's id sequences are then moved past them,
    so rows written after the upgrade get new ids.
    """
    from alembic import command

    engine = make_engine(url)
    fixture = create_engine(f"sqlite:///{FIXTURE / 'understudy.db'}")
    try:
        command.upgrade(alembic_config(engine), PREVIOUS_REVISION)
        source, target = MetaData(), MetaData()
        source.reflect(fixture)
        target.reflect(engine)
        with fixture.connect() as read, engine.begin() as write:
            for name in PREVIOUS_TABLES:
                rows = [dict(r._mapping) for r in read.execute(select(source.tables[name]))]
                if rows:
                    write.execute(insert(target.tables[name]), rows)
                key = target.tables[name].c.get("id")
                if engine.dialect.name == "postgresql" and isinstance(key.type, Integer):
                    write.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                        )
                    )
    finally:
        fixture.dispose()
        engine.dispose()


def _today(model: type[BaseModel], data: Any) -> Any:
    """``data`` as today's ``model`` reads and dumps it (new fields take their defaults)."""
    return model.model_validate(data).model_dump(mode="json")


def _columns(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    values = {c.name: getattr(row, c.name) for c in row.__table__.columns if c.name not in skip}
    data: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return data


def _assert_runs_identical(store: Store) -> None:
    runs = store.list_runs()
    assert [r.id for r in runs] == [e["run"]["id"] for e in EXPECTED["runs"]], "every run is kept"
    for run, expected in zip(runs, EXPECTED["runs"], strict=True):
        before, after = dict(expected["run"]), _columns(run)
        for name in ("persona_snapshot", "scenario_snapshot"):
            assert json.loads(after.pop(name)) == json.loads(before.pop(name)), (
                f"run {run.id}: the {name} holds the same content"
            )
        assert after.pop("agent_hash") == expected["flow_hash_now"], (
            f"run {run.id}: the flow's stored hash equals the hash of the unchanged flow today"
        )
        before.pop("agent_hash")
        assert after.pop("workspace_id") == 1, (
            f"run {run.id} went into the default workspace (0009)"
        )
        # agent_file came later (0011): filled in from the stored flow path, for --flow in SQL.
        expected_file = PurePath(before["agent_ref"]).name if before["agent_kind"] == "flow" else ""
        assert after.pop("agent_file") == expected_file, f"run {run.id}: agent_file filled in"
        assert after == before, f"run {run.id}: every other column is unchanged"
        rows = store.conversations(run.id)
        # off_topic_answered came later (0007): NULL for old rows, which read as answered.
        assert all(c.off_topic_answered is None for c in rows)
        conversations = [_columns(c, skip=("id", "off_topic_answered")) for c in rows]
        assert conversations == expected["conversations"], f"run {run.id}: conversations kept"
        transcripts = [t.model_dump(mode="json") for t in store.transcripts(run.id)]
        assert transcripts == [_today(ConversationResult, t) for t in expected["transcripts"]], (
            f"run {run.id}: transcripts identical"
        )


def _assert_attempts_identical(attempts: AttemptStore) -> None:
    summaries = attempts.list_attempts()
    assert [s.model_dump(mode="json") for s in summaries] == [
        _today(AttemptSummary, e["summary"]) for e in EXPECTED["attempts"]
    ], "the attempts list is unchanged"
    for expected in EXPECTED["attempts"]:
        attempt_id = expected["record"]["id"]
        record = attempts.get(attempt_id)
        assert record.model_dump(mode="json") == _today(AttemptRecord, expected["record"]), (
            f"attempt {attempt_id}: transcript, events, grades and reviews are identical"
        )
        scenario = attempts.scenario_snapshot(attempt_id).model_dump(mode="json")
        assert scenario == _today(Scenario, expected["scenario"]), (
            f"attempt {attempt_id}: the scenario snapshot"
        )
    sessions = attempts.list_sessions(today=date(2026, 12, 2))
    assert [s.model_dump(mode="json") for s in sessions] == [
        _today(SessionSummary, s) for s in EXPECTED["sessions"]
    ], "sessions and assignments are unchanged"


def test_the_fixture_holds_every_kind_of_row() -> None:
    attempts = EXPECTED["attempts"]
    assert len(EXPECTED["runs"]) == 3 and all(r["transcripts"] for r in EXPECTED["runs"])
    assert any(a["record"]["earlier_grades"] for a in attempts), "a regraded attempt"
    assert any(a["record"]["reviews"] for a in attempts), "a reviewed attempt"
    assert any(a["record"]["status"] == "interrupted" for a in attempts), "an interrupted one"
    assert any(s["assigned"] for s in EXPECTED["sessions"]), "an assignment"
    fell_back = [m for r in EXPECTED["runs"] for t in r["transcripts"] for m in t["messages"]]
    assert any(m["fell_back"] for m in fell_back), "a run message that fell back"


def test_the_previous_release_database_upgrades_with_nothing_lost(old_database: str) -> None:
    engine = make_engine(old_database)
    with engine.connect() as db:
        version = db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        old_messages = db.execute(text("SELECT count(*) FROM messages")).scalar_one()
        old_turns = db.execute(text("SELECT count(*) FROM attempt_messages")).scalar_one()
    engine.dispose()
    assert version == PREVIOUS_REVISION, "the fixture is at the previous head"

    store = Store(old_database)
    _assert_runs_identical(store)
    _assert_attempts_identical(AttemptStore(open_database(old_database)))

    engine = make_engine(old_database)
    assert "attempt_messages" not in inspect(engine).get_table_names(), "one message table"
    with engine.connect() as db:
        merged = db.execute(text("SELECT count(*) FROM messages")).scalar_one()
    engine.dispose()
    assert merged == old_messages + old_turns, "every message of runs and attempts is in one table"


def test_downgrading_and_upgrading_again_keeps_everything(old_database: str) -> None:
    from alembic import command

    engine = make_engine(old_database)
    config = alembic_config(engine)
    command.upgrade(config, "head")
    command.downgrade(config, PREVIOUS_REVISION)
    with engine.connect() as db:
        turns = db.execute(text("SELECT count(*) FROM attempt_messages")).scalar_one()
    assert turns == sum(len(a["record"]["messages"]) for a in EXPECTED["attempts"])
    command.upgrade(config, "head")
    engine.dispose()
    _assert_runs_identical(Store(old_database))
    _assert_attempts_identical(AttemptStore(open_database(old_database)))


def test_an_upgraded_database_takes_new_runs_and_attempts(old_database: str) -> None:
    from understudy.content.personas import resolve_persona
    from understudy.domain.transcript import Message, Role

    attempts = AttemptStore(open_database(old_database))
    record = attempts.get(EXPECTED["attempts"][0]["record"]["id"])
    scenario = attempts.scenario_snapshot(record.id)
    new = attempts.start_attempt("kim", scenario, resolve_persona(scenario.persona))
    attempts.add_message(new, Message(index=1, role=Role.customer, text="Hello again."))
    assert [m.text for m in attempts.get(new).messages] == ["Hello again."]
    assert attempts.get(new).persona_hash == record.persona_hash, "same persona, same hash"
    first = _today(AttemptRecord, EXPECTED["attempts"][0]["record"])
    assert attempts.get(record.id).model_dump(mode="json") == first, (
        "a new attempt leaves the old ones as they were"
    )


def test_a_database_whose_url_has_a_percent_sign_opens(tmp_path: Path) -> None:
    path = tmp_path / "100%done.db"  # URL-encoded as %25, like a socket path or a password
    assert Store(f"sqlite:///{path}").list_runs() == []
    assert path.is_file(), "the database is created under its own name"
