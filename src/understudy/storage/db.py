"""Database engine, sessions and schema upgrades (SQLAlchemy 2 + Alembic).

The schema is created and evolved only by the Alembic migrations in
``understudy/storage/migrations/versions`` (ordered, named ``NNNN_*.py``); ``open_database`` runs
them up to head on first use, so a fresh ``UNDERSTUDY_HOME`` just works. SQLite is the default
(``$UNDERSTUDY_HOME/understudy.db``, WAL mode so several batches can write at once); any
SQLAlchemy URL works through ``UNDERSTUDY_DATABASE_URL``.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from understudy.settings import database_url

if TYPE_CHECKING:
    from alembic.config import Config


class Base(DeclarativeBase):
    """Declarative base of every table."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: ``settings.database_url()``).

    SQLite connections get WAL journaling, a 30 s busy timeout and foreign keys on.
    """
    url = url or database_url()
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``engine``."""
    from alembic.config import Config  # imported on use: it is slow and most commands skip it

    config = Config()
    location = resources.files("understudy.storage") / "migrations"
    config.set_main_option("script_location", str(location))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Run every pending migration on ``engine`` (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


_ENGINES: dict[str, Engine] = {}


def open_database(url: str | None = None) -> sessionmaker[Any]:
    """Return a session factory for ``url``, upgrading the schema first (once per process).

    Raises:
        sqlalchemy.exc.OperationalError: the database cannot be opened.
    """
    url = url or database_url()
    if url not in _ENGINES:
        engine = make_engine(url)
        upgrade(engine)
        _ENGINES[url] = engine
    return sessionmaker(_ENGINES[url], expire_on_commit=False)


def dispose_all() -> None:
    """Close every engine opened by ``open_database`` (tests call this between cases)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
