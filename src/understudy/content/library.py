"""The user's persona library on disk: saving, copying built-ins, and who uses which persona.

``save_persona`` writes ``$UNDERSTUDY_HOME/personas/ID.yaml``; ``library_copy`` makes a
built-in persona editable by copying it into the library (a user persona overrides the built-in
with the same id); ``scenario_usage`` scans scenario folders for the personas they refer to.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from understudy.content.importers.common import to_yaml
from understudy.content.loader import load_yaml, read_text
from understudy.content.personas import builtin_persona_paths, find_persona, user_persona_paths
from understudy.content.safe_paths import check_id, library_file
from understudy.domain.persona import Persona
from understudy.errors import ConfigError, ContentError, NotFoundError, UnderstudyError
from understudy.settings import persona_dir
from understudy.teams.permissions import Action, authorize

DEFAULT_SCENARIO_DIR = Path("examples") / "scenarios"


def library_path(persona_id: str) -> Path:
    """Return where the persona ``persona_id`` lives (or would live) in the user's library.

    Raises:
        ConfigError: ``persona_id`` is not a safe id (``understudy.content.ids``).
    """
    return library_file(persona_dir(), persona_id, what="persona id")


def save_persona(persona: Persona, *, overwrite: bool = False) -> Path:
    """Write ``persona`` to the user's library as ``ID.yaml`` and return the path.

    Raises:
        ConfigError: the file exists and ``overwrite`` is false.
        PermissionDenied: the acting user may not create or edit personas.
    """
    authorize(Action.EDIT_PERSONA)
    path = library_path(persona.id)
    if path.exists() and not overwrite:
        raise ConfigError(f"{path} already exists; choose another id or pass --force")
    path.write_text(to_yaml(persona), encoding="utf-8")
    return path


def library_copy(persona_id: str) -> tuple[Path, bool]:
    """Return the library file of ``persona_id``, copying a built-in there first if needed.

    Returns:
        ``(path, copied)``: copied is True when a built-in was copied into the library.

    Raises:
        NotFoundError: no user or built-in persona has that id (lists the known ids).
        ConfigError: ``persona_id`` is not a safe id (``understudy.content.safe_paths``).
        PermissionDenied: the acting user may not create or edit personas.
    """
    authorize(Action.EDIT_PERSONA)
    check_id(persona_id, "persona id")
    for path in user_persona_paths():
        if path.stem == persona_id:
            return path, False
    for path in builtin_persona_paths():
        if path.stem == persona_id:
            target = library_path(persona_id)
            shutil.copyfile(path, target)
            return target, True
    known = sorted({p.stem for p in [*builtin_persona_paths(), *user_persona_paths()]})
    raise NotFoundError(
        f"no persona with id {persona_id!r}; known personas: {', '.join(known) or 'none'} "
        "(create one with `understudy personas new`)"
    )


def scenario_usage(folders: Iterable[Path]) -> dict[str, list[str]]:
    """Return persona id -> ids of the scenarios (in ``folders``, recursively) that use it.

    Files that are not scenarios (no ``goal`` and ``persona`` keys) or do not parse are
    ignored: this is an overview, ``understudy validate`` reports broken files.
    """
    usage: dict[str, list[str]] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
            try:
                data = load_yaml(read_text(path), path)
            except ContentError:
                continue
            if isinstance(data, dict) and "goal" in data and isinstance(data.get("persona"), str):
                scenario_id = str(data.get("id") or path.stem)
                usage.setdefault(_persona_id(data["persona"], path.parent), []).append(scenario_id)
    return usage


def _persona_id(ref: str, base: Path) -> str:
    """Return the persona id a scenario's ``persona`` names (a path is read for its id)."""
    if not ref.endswith((".yaml", ".yml")):
        return ref
    try:
        return find_persona(ref, base)[0].id
    except UnderstudyError:
        return ref


def default_scenario_dirs() -> list[Path]:
    """Return ``./examples/scenarios`` when it exists (the default for ``--scenarios``)."""
    return [DEFAULT_SCENARIO_DIR] if DEFAULT_SCENARIO_DIR.is_dir() else []
