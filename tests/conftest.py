"""Shared fixtures: every test gets its own UNDERSTUDY_HOME; real data is found beside the repo.

Database fixtures: ``database`` runs a test once on SQLite and once on a real PostgreSQL server
(a throwaway cluster this session starts, see ``postgres_server.py``), each time on a clean
database at the newest schema that ``UNDERSTUDY_DATABASE_URL`` points at; ``empty_database`` is the
same with no schema at all (migration tests). A module opts all its tests in with
``pytestmark = pytest.mark.usefixtures("database")``. When PostgreSQL cannot be started the
PostgreSQL cases fail (never skip) with the reason and the install command.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from postgres_server import PostgresServer, PostgresUnavailable
from understudy.settings import database_url
from understudy.storage.db import dispose_all, make_engine, upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def understudy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point UNDERSTUDY_HOME at a fresh folder so no test touches the user's real state."""
    home = tmp_path / "understudy-home"
    monkeypatch.setenv("UNDERSTUDY_HOME", str(home))
    monkeypatch.delenv("UNDERSTUDY_DATABASE_URL", raising=False)
    yield home
    dispose_all()


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with Argon2id at its lowest cost.

    The recommended parameters take about a second per hash on a loaded two-core machine, and
    nearly every web test signs a user in. The format and the checks are the same.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from understudy.teams import passwords

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)


REQUIRE_DATA_VARIABLE = "UNDERSTUDY_REQUIRE_DATA"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets in ../shared/data.

    When they are absent the test is skipped, unless ``UNDERSTUDY_REQUIRE_DATA=1`` is set
    (CI sets it, since it always has ../shared beside the clone): then the test fails, so a
    missing data folder can never pass silently.
    """
    if not SHARED_DATA.is_dir():
        message = f"real data not found at {SHARED_DATA} (clone with ../shared beside it)"
        if os.environ.get(REQUIRE_DATA_VARIABLE) == "1":
            pytest.fail(f"{message}; {REQUIRE_DATA_VARIABLE}=1 requires it", pytrace=False)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture
def examples() -> Path:
    """The repository's examples/ folder."""
    return REPO / "examples"


@pytest.fixture
def web_client(understudy_home: Path) -> Iterator[Any]:
    """A fresh web app's test client, signed in as an administrator of the default workspace.

    Builds on the test's home and database (``understudy_home``), so it follows whichever
    database the test runs on. Other roles and workspaces: ``web_helpers.signed_in``.
    """
    from web_helpers import signed_in

    with signed_in() as client:
        yield client


DATABASE_KINDS = ("sqlite", "postgresql")
TEMPLATE = "understudy_template"
_NAMES = itertools.count(1)


@dataclass(frozen=True)
class Database:
    """The database a test runs on: ``kind`` is "sqlite" or "postgresql"; ``url`` its URL."""

    kind: str
    url: str


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session; the test fails when none can be started."""
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """Name of a database on the server at the newest schema, copied for each test."""
    postgres_server.drop_database(TEMPLATE)
    engine = make_engine(postgres_server.create_database(TEMPLATE))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return TEMPLATE


def _fresh_postgres(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, template: str | None
) -> Iterator[Database]:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_NAMES)}"
    url = server.create_database(name, template=template)
    monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", url)
    yield Database("postgresql", url)
    dispose_all()
    server.drop_database(name)


@pytest.fixture(params=DATABASE_KINDS)
def database(
    request: pytest.FixtureRequest, understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A clean database at the newest schema, on SQLite and then on PostgreSQL.

    SQLite is the default database in the test's ``UNDERSTUDY_HOME`` (created on first use);
    for PostgreSQL ``UNDERSTUDY_DATABASE_URL`` points at a fresh copy of the template database.
    Either way the library, the CLI, the web app and any subprocess the test starts use it.
    """
    if request.param == "sqlite":
        # The default database: SQLite in UNDERSTUDY_HOME, no UNDERSTUDY_DATABASE_URL.
        yield Database("sqlite", database_url())
        return
    template = request.getfixturevalue("postgres_template")
    yield from _fresh_postgres(request, monkeypatch, template)


@pytest.fixture(params=DATABASE_KINDS)
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """An empty database (no tables, no schema revision), on SQLite and then on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", url)
        yield Database("sqlite", url)
        return
    yield from _fresh_postgres(request, monkeypatch, template=None)
