"""The persona library: built-in personas (package data) plus the user's own.

Lookup order for an id: the user's library (``$UNDERSTUDY_HOME/personas/*.yaml``), then the
built-ins shipped in ``understudy/content/personas/``. A user persona with a built-in's id
overrides it. A path to a YAML file is also accepted wherever an id is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from understudy.content.loader import load_model
from understudy.domain.persona import Persona
from understudy.errors import NotFoundError
from understudy.settings import persona_dir


def builtin_persona_paths() -> list[Path]:
    """Return the paths of the built-in persona files, sorted by name."""
    folder = resources.files("understudy.content") / "personas"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def user_persona_paths() -> list[Path]:
    """Return the paths of the persona files in the user's library, sorted by name."""
    return sorted(persona_dir().glob("*.yaml"))


def load_all_personas() -> dict[str, tuple[Persona, Path]]:
    """Load every persona: built-ins first, then the user's library overriding by id.

    Raises:
        ContentError: a persona file is invalid (names file, line and field).
    """
    found: dict[str, tuple[Persona, Path]] = {}
    for path in [*builtin_persona_paths(), *user_persona_paths()]:
        persona = load_model(Persona, path)
        found[persona.id] = (persona, path)
    return found


def resolve_persona(ref: Persona | str) -> Persona:
    """Return the persona named by ``ref``: a Persona, a persona id, or a path to a YAML file.

    Raises:
        NotFoundError: no persona has that id (the message lists the known ids).
        ContentError: the file is invalid.
    """
    if isinstance(ref, Persona):
        return ref
    if ref.endswith((".yaml", ".yml")) and Path(ref).exists():
        return load_model(Persona, Path(ref))
    for path in user_persona_paths():
        if path.stem == ref:
            return load_model(Persona, path)
    for path in builtin_persona_paths():
        if path.stem == ref:
            return load_model(Persona, path)
    personas = load_all_personas()
    if ref in personas:
        return personas[ref][0]
    known = ", ".join(sorted(personas)) or "none"
    raise NotFoundError(f"no persona with id {ref!r}; known personas: {known}")
