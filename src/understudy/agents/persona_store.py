"""Draft and production versions of agent personas, on disk under ``$UNDERSTUDY_HOME/agents``.

Layout, per agent persona id::

    agents/<id>/draft.yaml         the version being edited (import and edit write here)
    agents/<id>/versions/<n>.yaml  published versions 1, 2, 3..., never changed once written
    agents/<id>/production         the number of the production version (a text file)

``publish`` copies the draft to the next version number and points production at it; publishing
an unchanged draft does not create a new version. A stress-test runs against the draft unless
told ``--version production`` (or a number); every run records the label (``draft``, ``v2``), the
YAML snapshot and its hash, so later edits never rewrite what an old run used.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from understudy.content.hashing import text_hash
from understudy.content.loader import load_yaml_with_lines, parse_model, read_text
from understudy.content.safe_paths import check_id, is_safe_id, library_file
from understudy.domain.agent_persona import AgentPersona
from understudy.errors import ConfigError, NotFoundError
from understudy.teams.context import workspace_home
from understudy.teams.permissions import Action, authorize

_VERSION = re.compile(r"^(?:v)?(\d+)$")


@dataclass(frozen=True)
class AgentVersion:
    """One version of an agent persona, as a run records it.

    Attributes:
        persona: the parsed persona.
        label: ``draft`` or ``v<n>``.
        number: the version number, None for the draft.
        production: True when this is the production version.
        snapshot: the YAML text.
        content_hash: sha256 of the YAML text.
        path: the file it came from.
    """

    persona: AgentPersona
    label: str
    number: int | None
    production: bool
    snapshot: str
    content_hash: str
    path: Path


def agents_dir() -> Path:
    """Return the workspace's ``agents`` folder (``$UNDERSTUDY_HOME/agents`` by default)."""
    path = workspace_home() / "agents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _folder(agent_id: str) -> Path:
    return library_file(agents_dir(), agent_id, suffix="", what="agent persona id")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def parse_agent_persona(text: str, path: Path | None = None) -> AgentPersona:
    """Parse agent persona YAML.

    Raises:
        ContentError: invalid YAML or fields (file, line and field named).
    """
    data, lines = load_yaml_with_lines(text, path)
    return parse_model(AgentPersona, data, lines, path)


def list_agents() -> list[str]:
    """Return the ids of stored agent personas, sorted."""
    return sorted(p.name for p in agents_dir().iterdir() if (p / "draft.yaml").exists())


def exists(agent_id: str) -> bool:
    """Return True when an agent persona with this id is stored (False for an unsafe id)."""
    return is_safe_id(agent_id) and (_folder(agent_id) / "draft.yaml").exists()


def import_agent(path: Path | str) -> AgentVersion:
    """Store a YAML file as the draft of the persona it defines (creating or replacing the draft).

    Raises:
        ContentError: the file is invalid.
    """
    authorize(Action.EDIT_AGENT_PERSONA)
    path = Path(path)
    text = read_text(path)
    persona = parse_agent_persona(text, path)
    _write(_folder(persona.id) / "draft.yaml", text)
    return load_version(persona.id, "draft")


def save_draft(agent_id: str, text: str) -> AgentVersion:
    """Replace the draft of ``agent_id`` with ``text`` (validated first; the id must match).

    Raises:
        ContentError: the text is invalid.
        ConfigError: the text defines another id.
        PermissionDenied: the acting user may not edit agent personas.
    """
    authorize(Action.EDIT_AGENT_PERSONA)
    target = _folder(agent_id) / "draft.yaml"
    persona = parse_agent_persona(text, target)
    if persona.id != agent_id:
        raise ConfigError(
            f"the draft of {agent_id!r} must keep id {agent_id!r}, got {persona.id!r}"
        )
    _write(target, text)
    return load_version(agent_id, "draft")


def draft_path(agent_id: str) -> Path:
    """Return the draft file of ``agent_id``.

    Raises:
        NotFoundError: no such agent persona.
    """
    _require(agent_id)
    return _folder(agent_id) / "draft.yaml"


def versions(agent_id: str) -> list[int]:
    """Return the published version numbers of ``agent_id``, ascending."""
    folder = _folder(agent_id) / "versions"
    if not folder.is_dir():
        return []
    return sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())


def production_version(agent_id: str) -> int | None:
    """Return the production version number, or None before the first publish."""
    pointer = _folder(agent_id) / "production"
    if not pointer.exists():
        return None
    return int(pointer.read_text(encoding="utf-8").strip())


def _require(agent_id: str) -> None:
    check_id(agent_id, "agent persona id")
    if not exists(agent_id):
        known = ", ".join(list_agents()) or "none"
        raise NotFoundError(
            f"no agent persona {agent_id!r}; known: {known} (add one with `understudy agents "
            "import FILE`)"
        )


def load_version(agent_id: str, version: str = "draft") -> AgentVersion:
    """Return one version of an agent persona.

    Args:
        agent_id: the persona id.
        version: ``draft``, ``production``, or a number (``3`` or ``v3``).

    Raises:
        NotFoundError: unknown id or version, or ``production`` before the first publish.
        ContentError: the stored file is invalid.
    """
    _require(agent_id)
    production = production_version(agent_id)
    number: int | None
    if version == "draft":
        path, number = _folder(agent_id) / "draft.yaml", None
    elif version == "production":
        if production is None:
            raise NotFoundError(
                f"agent persona {agent_id!r} has no production version yet; run "
                f"`understudy agents publish {agent_id}` first"
            )
        number = production
        path = _folder(agent_id) / "versions" / f"{number}.yaml"
    else:
        match = _VERSION.match(version)
        if match is None:
            raise NotFoundError(f"expected draft, production or a version number, got {version!r}")
        number = int(match.group(1))
        path = _folder(agent_id) / "versions" / f"{number}.yaml"
        if not path.exists():
            known = ", ".join(f"v{n}" for n in versions(agent_id)) or "none published"
            raise NotFoundError(f"agent persona {agent_id!r} has no version {number}; {known}")
    text = read_text(path)
    return AgentVersion(
        persona=parse_agent_persona(text, path),
        label="draft" if number is None else f"v{number}",
        number=number,
        production=number is not None and number == production,
        snapshot=text,
        content_hash=text_hash(text),
        path=path,
    )


def publish(agent_id: str) -> tuple[AgentVersion, bool]:
    """Make the draft the production version.

    Returns:
        The production version and whether a new version was created (False when the draft
        equals the latest published version, which then becomes production again).

    Raises:
        NotFoundError: unknown id.
        ContentError: the draft is invalid (it is never published).
    """
    authorize(Action.EDIT_AGENT_PERSONA)
    draft = load_version(agent_id, "draft")
    published = versions(agent_id)
    if published:
        latest = load_version(agent_id, str(published[-1]))
        if latest.content_hash == draft.content_hash:
            _write(_folder(agent_id) / "production", f"{published[-1]}\n")
            return load_version(agent_id, "production"), False
    number = (published[-1] if published else 0) + 1
    _write(_folder(agent_id) / "versions" / f"{number}.yaml", draft.snapshot)
    _write(_folder(agent_id) / "production", f"{number}\n")
    return load_version(agent_id, "production"), True
