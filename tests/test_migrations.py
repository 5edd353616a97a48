"""The migrations on SQLite and on PostgreSQL: empty to head, all the way down and up again.

After upgrading, the schema the migrations built must be exactly the schema the models
describe (Alembic's autogenerate comparison finds nothing), so a model change without a
migration, or a migration that builds something else on one database, fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from conftest import Database
from understudy import storage
from understudy.storage.db import Base, alembic_config, make_engine, packaged_heads

# Importing every storage module puts every table on Base.metadata (a table whose module is
# not imported would look like drift).
MODEL_MODULES = [
    importlib.import_module(f"understudy.storage.{info.name}")
    for info in pkgutil.iter_modules(storage.__path__)
    if info.name != "migrations"
]


def _drift(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_an_empty_database_upgrades_to_a_schema_equal_to_the_models(
    empty_database: Database,
) -> None:
    engine = make_engine(empty_database.url)
    try:
        command.upgrade(alembic_config(engine), "head")
        assert _drift(engine) == [], "the migrations build exactly what the models describe"
    finally:
        engine.dispose()


def test_every_migration_downgrades_to_empty_and_upgrades_again(empty_database: Database) -> None:
    engine = make_engine(empty_database.url)
    try:
        config = alembic_config(engine)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}, (
            "downgrading to base removes every table"
        )
        command.upgrade(config, "head")
        assert _drift(engine) == [], "upgrading again builds the same schema"
    finally:
        engine.dispose()


def test_the_heads_read_from_the_migration_files_are_alembics() -> None:
    engine = make_engine("sqlite://")
    try:
        script = ScriptDirectory.from_config(alembic_config(engine))
        assert packaged_heads() == frozenset(script.get_heads())
    finally:
        engine.dispose()


OPEN_AND_REPORT = """
import sys
from understudy.storage.db import open_database
open_database(sys.argv[1])
print("alembic" in sys.modules)
"""


def test_a_database_at_head_opens_without_alembic_and_one_behind_is_upgraded(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'understudy.db'}"

    def opened_with_alembic() -> bool:
        out = subprocess.run(
            [sys.executable, "-c", OPEN_AND_REPORT, url], capture_output=True, text=True, check=True
        )
        return out.stdout.strip() == "True"

    assert opened_with_alembic(), "a fresh database is built by the migrations"
    assert not opened_with_alembic(), "a database at head is opened without loading Alembic"
    engine = make_engine(url)
    try:
        config = alembic_config(engine)
        command.downgrade(config, "-1")
        assert opened_with_alembic(), "a database one migration behind is upgraded"
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        assert current == set(packaged_heads() or ()), "opening it brought it back to head"
    finally:
        engine.dispose()
