"""Library ids that name files, and the guard that keeps them inside their folder.

Ids typed on the command line or sent by the web app (``scenarios delete ID``, ``personas edit
ID``, ``agents publish ID``...) become file names in a folder under ``$UNDERSTUDY_HOME``. An id
is a single file-name part: letters, digits, ``_``, ``-`` and ``.``, starting with a letter or
digit, at most 128 characters, and never ``..``. So ``../../etc/passwd``, ``/tmp/x``, ``a/b``,
``C:\\x`` or ``..`` are refused before any file is touched, and ``library_file`` also checks that
the resolved path (after symbolic links) is still inside the folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from understudy.errors import ConfigError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
"""A library id: one file-name part (the scenario id pattern, which is the widest of the ids)."""


def is_safe_id(value: str) -> bool:
    """True when ``value`` can name a file in a library folder (see the module docstring)."""
    return bool(SAFE_ID.fullmatch(value)) and ".." not in value


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a safe library id.

    Args:
        value: the id as typed or sent.
        what: what it names, for the message (``scenario id``, ``persona id``...).

    Raises:
        ConfigError: not a safe id (the message says what an id may hold).
    """
    if not is_safe_id(value):
        raise ConfigError(
            f"invalid {what} {value!r}: an id is letters, digits, '_', '-' and '.', starts with a "
            "letter or digit and holds no '/' or '..'"
        )
    return value


def inside(folder: Path, path: Path, what: str = "file") -> Path:
    """Return ``path`` if it resolves (symbolic links followed) inside ``folder``.

    Raises:
        ConfigError: it resolves elsewhere.
    """
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"{what} {str(path)!r} is outside {folder}; refusing to use it")
    return path


def library_file(folder: Path, item_id: str, suffix: str = ".yaml", what: str = "id") -> Path:
    """Return ``folder / (item_id + suffix)`` after checking the id and where it resolves.

    Args:
        folder: the library folder (``$UNDERSTUDY_HOME/scenarios``...).
        item_id: the id.
        suffix: the file suffix (empty for a folder per id).
        what: what the id names, for messages.

    Raises:
        ConfigError: an unsafe id, or a path that resolves outside ``folder``.
    """
    check_id(item_id, what)
    return inside(folder, folder / f"{item_id}{suffix}", what)


def documents_dir() -> Path:
    """Return ``$UNDERSTUDY_HOME/documents``, the allow-listed folder of briefing documents.

    Scenarios added to the library keep their briefing documents there (one folder per scenario
    id), so the library copy does not depend on where the original lay.
    """
    from understudy.teams.context import workspace_home

    return workspace_home() / "documents"


def briefing_document(ref: str, scenario_folder: Path) -> Path:
    """Return the file a scenario's ``briefing.documents`` entry names, if it is allowed.

    A relative ``ref`` is resolved against the scenario's folder. Allowed are files that resolve
    (symbolic links followed) inside the scenario's folder or inside ``documents_dir()``;
    anything else (``../../etc/passwd``, ``/home/me/.ssh/id_rsa``) is refused, so a scenario
    file shared with trainees cannot show them an arbitrary file of the machine.

    Args:
        ref: the entry as written in the scenario.
        scenario_folder: the folder of the scenario file.

    Returns:
        The path (not resolved; it may not exist: callers report a missing file).

    Raises:
        ConfigError: it resolves outside both folders (the message names them).
    """
    path = Path(ref) if Path(ref).is_absolute() else scenario_folder / ref
    resolved = path.resolve()
    roots = (scenario_folder.resolve(), documents_dir().resolve())
    if not any(resolved.is_relative_to(root) for root in roots):
        raise ConfigError(
            f"document {ref!r} is outside the scenario's folder ({scenario_folder}) and the "
            f"documents folder ({roots[1]}); move or copy it into one of them"
        )
    return path
