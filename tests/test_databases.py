"""The store runs on SQLite and on PostgreSQL: the test databases are what they claim to be.

The ``database`` fixture (tests/conftest.py) runs a test once per kind of database; these tests
check that the library really talks to that database, that each test starts from an empty store,
and that SQLite is configured for several writers (WAL journal, busy timeout, foreign keys).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from conftest import Database
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
