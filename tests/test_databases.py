"""The store runs on SQLite and on PostgreSQL: the test databases are what they claim to be.

The ``database`` fixture (tests/conftest.py) runs a test once per kind of database; these tests
check that the library really talks to that database, that each test starts from an empty store,
and that SQLite is configured for several writers (WAL journal, busy timeout, foreign keys).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import Database
from test_storage import spec
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, NotFoundError
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import open_database
from understudy.storage.store import Store

SCENARIO = Path(__file__).parent.parent / "examples" / "scenarios" / "practice-retail-return.yaml"


def test_the_library_writes_to_the_database_under_test(database: Database) -> None:
    store = Store()
    assert store.list_runs() == [], "each test starts from an empty store"
    with open_database().begin() as session:
        assert session.get_bind().dialect.name == database.kind, (
            f"UNDERSTUDY_DATABASE_URL should take the library to {database.kind}"
        )
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version, "the schema is at a migration revision"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_is_set_up_for_several_writers(database: Database) -> None:
    with open_database().begin() as session:
        pragma = {
            name: session.execute(text(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    assert pragma == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1}, (
        "WAL lets readers and one writer overlap; the busy timeout makes other writers wait"
    )


def test_a_run_reads_back_its_start_as_naive_utc_whatever_the_server_zone(
    database: Database,
) -> None:
    # The test server's time zone is UTC+05:45 (postgres_server.py), so a moment read back in
    # the server's zone rather than in UTC would be hours off.
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    store = Store()
    run = store.get_run(store.create_run(spec()))
    store.finish_run(run.id)
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
    run = store.get_run(run.id)
    assert run.created_at.tzinfo is None, "stored moments read back naive, in UTC"
    assert before <= run.created_at <= after, f"{run.created_at} is the UTC time it started"
    assert run.finished_at is not None and before <= run.finished_at <= after


def test_a_run_is_found_by_a_prefix_in_any_case_and_wildcards_match_nothing(
    database: Database,
) -> None:
    store = Store()
    run_id = store.create_run(spec())
    assert store.get_run(run_id[:3].upper()).id == run_id, "ids are matched case-blind"
    for ref in ("%", "___", run_id[:2] + "%"):
        with pytest.raises(NotFoundError, match="runs list"):
            store.get_run(ref)


@pytest.mark.parametrize(
    ("field", "value"),
    [("seed", "7" * 65), ("persona_id", "p" * 129), ("agent_version", "v" * 65)],
)
def test_a_run_value_longer_than_its_column_is_refused_alike_on_every_database(
    database: Database, field: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=rf"runs\.{field} holds at most"):
        Store().create_run(spec(**{field: value}))
    assert Store().list_runs() == [], "nothing is stored"


def test_a_scenario_id_too_long_for_the_conversations_is_refused_before_the_run_starts(
    database: Database,
) -> None:
    with pytest.raises(ConfigError, match=r"conversations\.scenario_id holds at most 128"):
        Store().create_run(spec(scenario_ids=["s" * 129]))
    assert Store().list_runs() == [], "no run is started"


def test_a_trainee_name_longer_than_its_column_is_refused_alike_on_every_database(
    database: Database,
) -> None:
    scenario = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / scenario.persona))
    attempts = AttemptStore()
    with pytest.raises(ConfigError, match=r"practice_sessions\.trainee holds at most 200"):
        attempts.start_attempt("t" * 201, scenario, persona)
    assert attempts.list_attempts() == [] and attempts.list_sessions() == [], "nothing stored"


OPENER = """
import sys
from understudy.storage.store import Store
print(len(Store().list_runs()))
"""


def test_processes_opening_a_fresh_database_at_once_all_get_the_schema(
    empty_database: Database, understudy_home: Path
) -> None:
    env = {**os.environ, "UNDERSTUDY_HOME": str(understudy_home)}
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(4)
    ]  # fmt: skip
    for opener in openers:
        out, err = opener.communicate(timeout=120)
        assert opener.returncode == 0, f"every process opens the database:\n{err}"
        assert out.strip() == "0"


def test_a_second_workspace_gets_its_own_id_on_every_database(database: Database) -> None:
    with open_database().begin() as session:
        session.execute(
            text("INSERT INTO workspaces (slug, name, created_at) VALUES ('b', 'B', :at)"),
            {"at": datetime(2026, 12, 2)},
        )
        ids = session.execute(text("SELECT id FROM workspaces ORDER BY id")).scalars().all()
    assert ids == [1, 2], "the default workspace is 1 and the next one follows it"
