"""The migrations on SQLite and on PostgreSQL: empty to head, all the way down and up again.

After upgrading, the schema the migrations built must be exactly the schema the models
describe (Alembic's autogenerate comparison finds nothing), so a model change without a
migration, or a migration that builds something else on one database, fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from conftest import Database
from understudy import storage
from understudy.storage.db import Base, alembic_config, make_engine

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
