"""Where understudy keeps its state.

One environment variable moves everything: ``UNDERSTUDY_HOME`` (database, persona library, cache,
configuration). Without it, the platform's user data directory is used (``platformdirs``).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import platformdirs

from understudy.errors import ConfigError

HOME_ENV = "UNDERSTUDY_HOME"

ConfigLines = dict[tuple[str | int, ...], int]
"""Key path (``("llm", "model")``) -> 1-based line number in the configuration file."""


def home() -> Path:
    """Return the state directory, creating it if needed.

    Returns:
        ``$UNDERSTUDY_HOME`` when set, else the user data dir for "understudy".

    Raises:
        ConfigError: the folder cannot be created or is not a folder (the message names it and
            the variable that moves it).
    """
    raw = os.environ.get(HOME_ENV)
    path = Path(raw) if raw else Path(platformdirs.user_data_dir("understudy", appauthor=False))
    _make_folder(path)
    return path


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"cannot use {path} as the understudy home folder ({reason}); point {HOME_ENV} "
            "at a folder you can write to"
        ) from exc


def database_url() -> str:
    """Return the SQLAlchemy URL of the store: ``UNDERSTUDY_DATABASE_URL`` or SQLite in home()."""
    return os.environ.get("UNDERSTUDY_DATABASE_URL") or f"sqlite:///{home() / 'understudy.db'}"


def persona_dir() -> Path:
    """Return the persona library folder, creating it if needed.

    It is ``personas`` in the acting user's workspace folder (``teams.context.workspace_home``:
    ``home()`` itself for the default workspace).
    """
    from understudy.teams.context import workspace_home

    path = workspace_home() / "personas"
    _make_folder(path)
    return path


def config_path() -> Path:
    """Return the path of the optional user configuration file (``home()/config.yaml``)."""
    return home() / "config.yaml"


_CONFIG_CACHE: dict[Path, tuple[tuple[int, int], dict[str, Any], ConfigLines]] = {}


def load_config_with_lines(path: Path | str | None = None) -> tuple[dict[str, Any], ConfigLines]:
    """Return a configuration file's top-level mapping and the line of each key path.

    The file is parsed once per (path, modification time, size): later calls return a copy
    of the cached result, so every part of understudy can ask for it freely.

    Args:
        path: the file; ``config_path()`` when None. A missing file is an empty mapping.

    Returns:
        ``(data, lines)``: ``data`` maps section names (``llm``, ``bands``, ``webhook``,
        ``retention``...) to their values; ``lines`` maps key paths (tuples such as
        ``("llm", "model")``) to 1-based line numbers, for error messages.

    Raises:
        ContentError: the file is unreadable, not YAML, or not a mapping (file and line named).
    """
    from understudy.content.loader import load_yaml_with_lines, read_text
    from understudy.errors import ContentError, ContentProblem

    file = Path(path) if path is not None else config_path()
    try:
        stat = file.stat()
    except FileNotFoundError:
        return {}, {}
    except OSError as exc:
        raise ContentError([ContentProblem(file, None, "", f"cannot read: {exc}")]) from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CONFIG_CACHE.get(file)
    if cached is None or cached[0] != stamp:
        data, lines = load_yaml_with_lines(read_text(file), file)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ContentError([ContentProblem(file, 1, "", "expected a mapping of settings")])
        cached = (stamp, data, dict(lines))
        _CONFIG_CACHE[file] = cached
    return copy.deepcopy(cached[1]), dict(cached[2])


def load_config(path: Path | str | None = None) -> dict[str, Any]:
    """Return the user's configuration file (``config.yaml``) as a mapping, cached.

    Args:
        path: the file; ``config_path()`` when None. A missing file is an empty mapping.

    Raises:
        ContentError: the file is unreadable, not YAML, or not a mapping (file and line named).
    """
    return load_config_with_lines(path)[0]
