"""Alembic environment: runs migrations on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from understudy.storage.db import advisory_lock

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.begin() as connection:
    # Several processes opening a fresh PostgreSQL database at once: one migrates, the others
    # wait here and then find it at head (SQLite's open_database retries instead).
    advisory_lock(connection, "understudy migrations")
    context.configure(connection=connection, render_as_batch=True)
    context.run_migrations()
