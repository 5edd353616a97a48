"""Shared fixtures: every test gets its own UNDERSTUDY_HOME; real data is found beside the repo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def shared_data() -> Path:
    """The real data sets in ../shared/data; skips the test when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (clone with ../shared beside it)")
    return SHARED_DATA


@pytest.fixture
def examples() -> Path:
    """The repository's examples/ folder."""
    return REPO / "examples"
