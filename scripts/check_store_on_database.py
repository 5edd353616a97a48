"""Check the store migration on any database: load the previous release's data, upgrade, compare.

Copies every row of ``tests/fixtures/store_0005/understudy.db`` (a database written by the
release before migration ``0006_one_store``) into an empty database at that revision, upgrades
it to head, and checks that every run and attempt reads back as that release read it
(``tests/fixtures/store_0005/expected.json``); then downgrades to 0005, upgrades again and checks
once more. It runs the same checks as ``tests/test_store_migration.py``, on a database server.

Usage (the database must exist and be empty; its driver installed)::

    python scripts/check_store_on_database.py postgresql+psycopg://user@host/dbname

Prints one line per table copied, then ``identical`` twice; exits non-zero on any difference.
Timestamps are compared without the UTC offset a server adds to the fixture's naive values.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import MetaData, create_engine, insert, select, text

REPO = Path(__file__).resolve().parents[1]
TABLES = (
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


def main(url: str) -> None:
    """Copy the fixture into ``url`` at revision 0005, upgrade, and compare (see the module)."""
    sys.path.insert(0, str(REPO / "tests"))
    import test_store_migration as expected
    from understudy.storage.attempt_store import AttemptStore
    from understudy.storage.db import alembic_config, dispose_all, make_engine, open_database
    from understudy.storage.store import Store

    def naive(row: Any, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = columns(row, **kwargs)
        return {
            k: v.replace("+00:00", "") if k.endswith("_at") and v else v for k, v in data.items()
        }

    columns = expected._columns
    expected._columns = naive  # type: ignore[assignment]

    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0005_simulator_info")
    fixture = create_engine(f"sqlite:///{expected.FIXTURE / 'understudy.db'}")
    source, target = MetaData(), MetaData()
    source.reflect(fixture)
    target.reflect(engine)
    with fixture.connect() as read, engine.begin() as write:
        for name in TABLES:
            rows = [dict(r._mapping) for r in read.execute(select(source.tables[name]))]
            if rows:
                write.execute(insert(target.tables[name]), rows)
            if engine.dialect.name == "postgresql" and name != "runs" and rows:
                write.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {len(rows) + 1000})"
                    )
                )
            print(f"{name}: {len(rows)} rows")
    engine.dispose()
    expected._assert_runs_identical(Store(url))
    expected._assert_attempts_identical(AttemptStore(open_database(url)))
    print("upgraded to head: identical")
    engine = make_engine(url)
    config = alembic_config(engine)
    command.downgrade(config, "0005_simulator_info")
    command.upgrade(config, "head")
    engine.dispose()
    dispose_all()
    expected._assert_runs_identical(Store(url))
    expected._assert_attempts_identical(AttemptStore(open_database(url)))
    print("downgraded and upgraded again: identical")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/check_store_on_database.py DATABASE_URL")
    main(sys.argv[1])
