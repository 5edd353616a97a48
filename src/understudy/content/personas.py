"""The persona library: built-in personas (package data) plus the user's own.

Lookup order for an id: the user's library (``$UNDERSTUDY_HOME/personas/*.yaml``), then the
built-ins shipped in ``understudy/content/personas/``. A user persona with a built-in's id
overrides it. A path to a YAML file is also accepted wherever an id is; a relative path is
resolved against ``base`` (the folder of the scenario that names it) first, then against the
current folder.

One invalid file in the user's library does not break the others: it is skipped with a warning
(logged on the ``understudy.content.personas`` logger) naming file, line and field, and
``load_persona_library`` reports it as broken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from understudy.content.loader import load_model
from understudy.domain.persona import Persona
from understudy.errors import ContentError, NotFoundError
from understudy.settings import persona_dir

logger = logging.getLogger(__name__)

PERSONA_SUFFIXES = (".yaml", ".yml")


def builtin_persona_paths() -> list[Path]:
    """Return the paths of the built-in persona files, sorted by name."""
    folder = resources.files("understudy.content") / "personas"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def user_persona_paths() -> list[Path]:
    """Return the paths of the persona files in the user's library, sorted by name."""
    return sorted(persona_dir().glob("*.yaml"))


@dataclass(frozen=True)
class BrokenPersona:
    """A persona file that could not be loaded.

    Attributes:
        path: the file.
        error: what is wrong with it (each problem names file, line and field).
    """

    path: Path
    error: ContentError


@dataclass
class PersonaLibrary:
    """Every loadable persona, and the files that are not.

    Attributes:
        personas: persona id -> (persona, the file it came from); user personas override
            built-ins with the same id.
        broken: files that failed to load, in path order.
    """

    personas: dict[str, tuple[Persona, Path]] = field(default_factory=dict)
    broken: list[BrokenPersona] = field(default_factory=list)


def load_persona_library() -> PersonaLibrary:
    """Load built-ins, then the user's library, file by file; invalid files are collected."""
    library = PersonaLibrary()
    for path in [*builtin_persona_paths(), *user_persona_paths()]:
        try:
            persona = load_model(Persona, path)
        except ContentError as exc:
            library.broken.append(BrokenPersona(path, exc))
            continue
        library.personas[persona.id] = (persona, path)
    return library


def warn_broken(broken: list[BrokenPersona]) -> None:
    """Log a warning per problem of each broken persona file (file, line and field)."""
    for item in broken:
        for problem in item.error.problems:
            logger.warning("skipped persona file: %s", problem)


def load_all_personas() -> dict[str, tuple[Persona, Path]]:
    """Load every valid persona: built-ins first, then the user's library overriding by id.

    Invalid files are skipped with a logged warning (see ``load_persona_library`` to list them).
    """
    library = load_persona_library()
    warn_broken(library.broken)
    return library.personas


def _as_path(ref: str, base: Path | None) -> Path | None:
    """Return the existing file ``ref`` names (``base``-relative first), or None."""
    if not ref.endswith(PERSONA_SUFFIXES):
        return None
    path = Path(ref)
    if not path.is_absolute() and base is not None and (base / path).is_file():
        return base / path
    return path if path.is_file() else None


def find_persona(ref: str, base: Path | None = None) -> tuple[Persona, Path]:
    """Return the persona named by ``ref`` and the file it came from.

    Args:
        ref: a persona id, or a path to a YAML file.
        base: folder that relative paths are resolved against first (a scenario's folder);
            the current folder is tried after it.

    Raises:
        NotFoundError: no persona has that id (the message lists the known ids).
        ContentError: the file is invalid.
    """
    path = _as_path(ref, base)
    if path is not None:
        return load_model(Persona, path), path
    for candidate in [*user_persona_paths(), *builtin_persona_paths()]:
        if candidate.stem == ref:
            return load_model(Persona, candidate), candidate
    library = load_persona_library()
    if ref in library.personas:
        warn_broken(library.broken)
        return library.personas[ref]
    known = ", ".join(sorted(library.personas)) or "none"
    hint = ""
    if ref.endswith(PERSONA_SUFFIXES):
        where = f" or in {base}" if base is not None else ""
        hint = f" (no file {ref!r} in the current folder{where})"
    raise NotFoundError(f"no persona with id {ref!r}{hint}; known personas: {known}")


def resolve_persona(ref: Persona | str, base: Path | None = None) -> Persona:
    """Return the persona named by ``ref``: a Persona, a persona id, or a path to a YAML file.

    Args:
        ref: the persona, its id, or a path to its file.
        base: folder that a relative path is resolved against first, e.g. the folder of the
            scenario naming the persona; then the current folder.

    Raises:
        NotFoundError: no persona has that id (the message lists the known ids).
        ContentError: the file is invalid.
    """
    if isinstance(ref, Persona):
        return ref
    return find_persona(ref, base)[0]


def persona_exists(ref: str, base: Path | None = None) -> bool:
    """True when ``ref`` names an existing persona file or a known persona id (no loading)."""
    if _as_path(ref, base) is not None:
        return True
    stems = {p.stem for p in [*user_persona_paths(), *builtin_persona_paths()]}
    return ref in stems or ref in load_persona_library().personas
