"""Shared fixtures: every test gets its own UNDERSTUDY_HOME; real data is found beside the repo."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from understudy.storage.db import dispose_all

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
