"""Where understudy keeps its state.

One environment variable moves everything: ``UNDERSTUDY_HOME`` (database, persona library, cache,
configuration). Without it, the platform's user data directory is used (``platformdirs``).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "UNDERSTUDY_HOME"


def home() -> Path:
    """Return the state directory, creating it if needed.

    Returns:
        ``$UNDERSTUDY_HOME`` when set, else the user data dir for "understudy".
    """
    raw = os.environ.get(HOME_ENV)
    path = Path(raw) if raw else Path(platformdirs.user_data_dir("understudy", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Return the SQLAlchemy URL of the store: ``UNDERSTUDY_DATABASE_URL`` or SQLite in home()."""
    return os.environ.get("UNDERSTUDY_DATABASE_URL") or f"sqlite:///{home() / 'understudy.db'}"


def persona_dir() -> Path:
    """Return the user's persona library folder (``home()/personas``), creating it if needed."""
    path = home() / "personas"
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    """Return the path of the optional user configuration file (``home()/config.yaml``)."""
    return home() / "config.yaml"
