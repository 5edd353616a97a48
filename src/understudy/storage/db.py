"""Database engine, sessions and schema upgrades (SQLAlchemy 2 + Alembic).

The schema is created and evolved only by the Alembic migrations in
``understudy/storage/migrations/versions`` (ordered, named ``NNNN_*.py``); ``open_database`` runs
them up to head on first use, so a fresh ``UNDERSTUDY_HOME`` just works. SQLite is the default
(``$UNDERSTUDY_HOME/understudy.db``, WAL mode so several batches can write at once); any
SQLAlchemy URL works through ``UNDERSTUDY_DATABASE_URL``.
"""

from __future__ import annotations

import ast
import atexit
import re
import threading
import time
import zlib
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    TypeDecorator,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker
from sqlalchemy.pool import StaticPool

from understudy.errors import ConfigError
from understudy.settings import database_url
from understudy.storage.failures import explain

if TYPE_CHECKING:
    from alembic.config import Config


class Base(DeclarativeBase):
    """Declarative base of every table."""


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored with its time zone and read back as naive UTC on every database.

    PostgreSQL's ``timestamp with time zone`` hands moments back in the server's time zone
    (``TimeZone`` setting) and SQLite hands back what was written, without a zone; this type
    writes UTC (a naive value is taken as UTC) and reads naive UTC from both, the convention of
    the store's other timestamps (``attempt_records.utc_now``).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """UTC: aware for PostgreSQL (a naive value would be read in the server's zone)."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Naive UTC, whatever zone the database answered in."""
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)


def check_length(column: Column[Any], value: object) -> None:
    """Refuse a string longer than ``column`` allows, alike on every database.

    PostgreSQL enforces ``VARCHAR(n)`` and SQLite ignores it, so without this check a long
    persona id, seed or trainee name would be stored on one and fail on the other.

    Raises:
        ConfigError: ``value`` is longer than the column's length; the message names the
            table and column, the limit and the value's start.
    """
    length = getattr(column.type, "length", None)
    if length is not None and isinstance(value, str) and len(value) > length:
        raise ConfigError(
            f"{column.table.name}.{column.name} holds at most {length} characters, got "
            f"{len(value)}: {value[:40]!r}..."
        )


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _check_lengths(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    for column in mapper.columns:
        check_length(column, getattr(target, mapper.get_property_by_column(column).key, None))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgresql_utc(dbapi_connection: Any, _record: Any) -> None:
    # Naive moments (the store's convention is naive UTC) are read by the server in the
    # session's time zone: make that UTC whatever the server's own setting is.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: ``settings.database_url()``).

    SQLite connections get WAL journaling, a 30 s busy timeout and foreign keys on; PostgreSQL
    connections work in UTC (``SET TIME ZONE``), whatever the server's zone. An in-memory
    SQLite database (``sqlite://``) is one shared connection, usable from the writer threads, since
    each new connection to it would otherwise be a new, empty database.
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_utc)
    return engine


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config pointing at the packaged migrations and ``engine``."""
    from alembic.config import Config  # imported on use: it is slow and most commands skip it

    config = Config()
    location = resources.files("understudy.storage") / "migrations"
    config.set_main_option("script_location", str(location))
    # The option goes through configparser interpolation: a URL-encoded character ("%2F" in a
    # socket path, "%40" in a password) must be written as "%%".
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Run every pending migration on ``engine`` (idempotent).

    Raises:
        ConfigError: the database has a schema revision this release does not know (it was
            written by a newer release); it is left untouched.

    A database already at the packaged head is left alone without loading Alembic (it costs
    about 0.1 s of start-up per command).
    """
    if _at_head(engine):
        return
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(engine), "head")
    except CommandError as exc:
        message = explain(exc, _shown(engine.url.render_as_string(hide_password=False)))
        if message is None:
            raise
        raise ConfigError(message) from exc


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def packaged_heads() -> frozenset[str] | None:
    """Return the head revisions of the packaged migrations, read without importing Alembic.

    Reads each migration file's ``revision = ...`` and ``down_revision = ...`` lines; a head is a
    revision no other names as its ``down_revision``. Returns None when a file cannot be read
    this way (then ``upgrade`` asks Alembic).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = resources.files("understudy.storage") / "migrations" / "versions"
    for file in folder.iterdir():
        if not file.name.endswith(".py") or file.name.startswith("_"):
            continue
        found = dict(_REVISION_LINE.findall(file.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
        elif down is not None:
            return None
    return frozenset(revisions - parents) or None


def _at_head(engine: Engine) -> bool:
    """True when ``engine``'s database records exactly the packaged head revisions."""
    heads = packaged_heads()
    if heads is None:
        return False
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in stored) == heads
    except SQLAlchemyError:
        return False


def serialize(session: Session, name: str) -> None:
    """Make the rest of ``session``'s transaction run alone among writers that also call this.

    For a read-then-write that must not interleave with another connection's (find the
    trainee's session or create it; number an attempt or a grade after counting), so two
    windows, threads or processes doing it at once neither create two sessions nor give one
    number twice. Call it first in the transaction; it is released at commit or rollback.

    SQLite: takes the database's write lock now (``BEGIN IMMEDIATE``; other writers wait up
    to the busy timeout). PostgreSQL: a transaction-scoped advisory lock on ``name``. Other
    databases: nothing.

    Args:
        session: a session with no statement run yet in its transaction.
        name: what is serialized, e.g. ``"practice_sessions"``.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        advisory_lock(connection, name)


def advisory_lock(connection: Connection, name: str) -> None:
    """On PostgreSQL, wait for and take a lock on ``name`` until the transaction ends.

    Other databases: nothing. ``serialize`` uses it, and the migrations take one so that
    processes upgrading a fresh database at once run the migrations one after the other.
    """
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


_ENGINES: dict[str, Engine] = {}


DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "asyncpg": "asyncpg",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
    "MySQLdb": "mysqlclient",
    "oracledb": "oracledb",
    "pyodbc": "pyodbc",
}
"""Python module a database driver needs -> the package that provides it (install hints)."""


def _shown(url: str) -> str:
    """``url`` with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _missing_driver(url: str, exc: ImportError) -> ConfigError:
    module = (exc.name or "").split(".")[0]
    package = DRIVER_PACKAGES.get(module, module or "the database driver")
    return ConfigError(
        f"cannot open the database {_shown(url)}: its driver {module or '?'} is not installed; "
        f"install it with: pip install {package}"
    )


_OPENING = threading.Lock()


def _open_once(url: str) -> Engine:
    try:
        engine = make_engine(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"the database URL {url!r} (UNDERSTUDY_DATABASE_URL) is not a URL ({exc}); "
            "expected e.g. sqlite:////path/to/understudy.db or postgresql+psycopg://user@host/db"
        ) from exc
    except NoSuchModuleError as exc:
        raise ConfigError(
            f"cannot open the database {_shown(url)}: unknown kind of database ({exc})"
        ) from exc
    except ImportError as exc:
        raise _missing_driver(url, exc) from exc
    try:
        upgrade(engine)
    except ImportError as exc:
        engine.dispose()
        raise _missing_driver(url, exc) from exc
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_database(url: str | None = None) -> sessionmaker[Any]:
    """Return a session factory for ``url``, upgrading the schema first (once per process).

    Two processes upgrading a fresh database at once can collide ("already exists",
    "locked"); the loser retries (up to 20 times, 0.1 s and more apart) once the winner's
    migration is in place. Anything else is reported at once.

    Args:
        url: SQLAlchemy URL; ``settings.database_url()`` when None.

    Raises:
        ConfigError: the database cannot be opened: a malformed URL, a missing driver (the
            message has the install command), an unreachable server or an unwritable file
            (the message names the URL, password hidden).
    """
    url = url or database_url()
    if url in _ENGINES:
        return sessionmaker(_ENGINES[url], expire_on_commit=False)
    # Alembic's migration context is process-global: threads of one process (a web server
    # answering two requests on a fresh home) upgrade one at a time.
    with _OPENING:
        return _open_locked(url)


def _open_locked(url: str) -> sessionmaker[Any]:
    if url in _ENGINES:
        return sessionmaker(_ENGINES[url], expire_on_commit=False)
    for attempt in range(20):
        try:
            _ENGINES[url] = _open_once(url)
            break
        except OperationalError as exc:
            text = str(exc).lower()
            transient = "already exists" in text or "locked" in text
            if not transient or attempt == 19:
                message = explain(exc, _shown(url))
                raise ConfigError(
                    message or f"cannot open the database {_shown(url)}: {exc.orig}"
                ) from exc
            time.sleep(0.1 + 0.05 * attempt)
        except SQLAlchemyError as exc:
            message = explain(exc, _shown(url))
            raise ConfigError(message or f"cannot open the database {_shown(url)}: {exc}") from exc
    return sessionmaker(_ENGINES[url], expire_on_commit=False)


def dispose_all() -> None:
    """Close every engine opened by ``open_database`` (tests call this between cases)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


# Closed when the process ends, so SQLite folds its write-ahead log back into the database file
# and PostgreSQL sees its connections end cleanly, rather than whenever (if ever) the garbage
# collector gets to them during interpreter shutdown.
atexit.register(dispose_all)
