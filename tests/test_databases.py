"""The store runs on SQLite and on PostgreSQL: the test databases are what they claim to be.

The ``database`` fixture (tests/conftest.py) runs a test once per kind of database; these tests
check that the library really talks to that database, that each test starts from an empty store,
and that SQLite is configured for several writers (WAL journal, busy timeout, foreign keys).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from conftest import Database
from test_storage import spec
from understudy.errors import NotFoundError
from understudy.storage.db import open_database
from understudy.storage.store import Store


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
