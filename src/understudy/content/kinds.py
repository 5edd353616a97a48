"""The kinds of author-facing files, and how to tell which kind a file is.

``KINDS`` maps a kind name (``flow``, ``persona``, ``scenario``; other modules add ``rubric``,
``agent``...) to a ``ContentKind``: the pydantic model, a loader that raises ``ContentError``
naming file, line and field, and a detector that recognises the kind from the parsed data.

A file says its kind explicitly with a comment among its first lines, ``# kind: scenario``;
otherwise detectors are tried in registration order (most specific first) on the top-level keys.
``understudy validate`` and ``understudy schema`` use this registry.

Plugin packages add kinds under the entry-point group ``understudy.kinds`` (an entry is a
``ContentKind``; see ``understudy.registry``); ``all_kinds()`` loads them, each on its own, after
the built-ins, which are entries of the same registry (``CONTENT_KINDS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from understudy.content.loader import load_model, load_yaml_with_lines, read_text
from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ContentError, ContentProblem
from understudy.registry import Registry


@dataclass(frozen=True)
class ContentKind:
    """One kind of author-facing file.

    Attributes:
        name: the kind, as written in ``# kind: NAME``.
        model: the pydantic model of the file.
        load: reads and validates a file (with cross-checks), raising ``ContentError``.
        detect: True when parsed top-level data looks like this kind.
        description: one line for help texts.
    """

    name: str
    model: type[BaseModel]
    load: Callable[[Path], BaseModel]
    detect: Callable[[dict[str, Any]], bool]
    description: str = ""


KINDS: dict[str, ContentKind] = {}
"""Registered kinds, in detection order (plugin kinds join it in ``all_kinds``)."""


def _content_kind(value: object) -> ContentKind:
    if not isinstance(value, ContentKind):
        raise TypeError(f"{value!r} is not an understudy.content.kinds.ContentKind")
    return value


CONTENT_KINDS: Registry[ContentKind] = Registry("content kind", "understudy.kinds", _content_kind)
"""Every kind by name, built-in or from plugins (entry-point group ``understudy.kinds``)."""


def all_kinds() -> dict[str, ContentKind]:
    """Return every kind that loads, in detection order: built-ins, then plugin kinds.

    A plugin that fails to load is left out (``CONTENT_KINDS.broken`` has its error).
    """
    for name, kind in CONTENT_KINDS.load_all().items():
        if name not in KINDS:
            KINDS[name] = kind
    return KINDS


def register_kind(kind: ContentKind, *, before: str | None = None) -> None:
    """Add (or replace) a kind.

    Args:
        kind: the kind.
        before: try its detector before this kind's (for kinds whose keys overlap).
    """
    CONTENT_KINDS.add(kind.name, kind)
    items = [(k, v) for k, v in KINDS.items() if k != kind.name]
    position = next((i for i, (k, _) in enumerate(items) if k == before), len(items))
    items.insert(position, (kind.name, kind))
    KINDS.clear()
    KINDS.update(items)


_KIND_COMMENT = re.compile(r"^\s*#\s*kind\s*:\s*([A-Za-z0-9_-]+)\s*$")


def declared_kind(text: str) -> str | None:
    """Return the kind named by a ``# kind: NAME`` comment in the first 10 lines, if any."""
    for line in text.splitlines()[:10]:
        match = _KIND_COMMENT.match(line)
        if match:
            return match.group(1).lower()
    return None


def detect_kind(path: Path) -> ContentKind:
    """Return the kind of the file at ``path``.

    Raises:
        ContentError: unreadable file, YAML syntax error, an unknown declared kind, or a file
            whose kind cannot be told (the message says how to declare it).
    """
    text = read_text(path)
    declared = declared_kind(text)
    kinds = all_kinds()
    known = ", ".join(kinds)
    if declared is not None:
        if declared not in kinds:
            message = f"unknown kind {declared!r} in the '# kind:' comment; known kinds: {known}"
            raise ContentError([ContentProblem(path, None, "", message)])
        return kinds[declared]
    data, _lines = load_yaml_with_lines(text, path)
    if isinstance(data, dict):
        for kind in kinds.values():
            if kind.detect(data):
                return kind
    message = f"cannot tell what kind of file this is; add a first line '# kind: KIND' ({known})"
    raise ContentError([ContentProblem(path, 1, "", message)])


def load_any(path: Path | str) -> tuple[ContentKind, BaseModel]:
    """Detect the kind of ``path`` and load it.

    Raises:
        ContentError: see ``detect_kind`` and the kind's loader.
    """
    path = Path(path)
    kind = detect_kind(path)
    return kind, kind.load(path)


def _load_flow(path: Path) -> BaseModel:
    from understudy.content.flows import load_flow

    return load_flow(path)


def _flow_model() -> type[BaseModel]:
    from understudy.domain.flow import Flow

    return Flow


def _looks_like_persona(data: dict[str, Any]) -> bool:
    persona_keys = {
        "behaviour",
        "knowledge",
        "personality",
        "mood_drift",
        "style_tags",
        "backstory",
    }
    return bool(persona_keys & data.keys()) or ({"id", "name"} <= data.keys() and len(data) <= 4)


register_kind(
    ContentKind(
        name="flow",
        model=_flow_model(),
        load=_load_flow,
        detect=lambda data: "nodes" in data and "start" in data,
        description="an assistant flow (docs/flows.md)",
    )
)


def _load_scenario(path: Path) -> BaseModel:
    from understudy.content.scenario_checks import load_checked_scenario

    return load_checked_scenario(path)


register_kind(
    ContentKind(
        name="scenario",
        model=Scenario,
        load=_load_scenario,
        detect=lambda data: "goal" in data,
        description="a scenario: the customer's goal, facts, limits",
    )
)
register_kind(
    ContentKind(
        name="persona",
        model=Persona,
        load=lambda path: load_model(Persona, path),
        detect=_looks_like_persona,
        description="a customer persona",
    )
)


def _agent_model() -> type[BaseModel]:
    from understudy.domain.agent_persona import AgentPersona

    return AgentPersona


def _load_agent(path: Path) -> BaseModel:
    return load_model(_agent_model(), path)


register_kind(
    ContentKind(
        name="agent",
        model=_agent_model(),
        load=_load_agent,
        # A customer persona has a ``voice`` too (a TTS voice name, a string): only a chat
        # configuration or voice configurations (a list or mapping) mark an agent persona.
        detect=lambda data: (
            "goal" not in data and ("chat" in data or isinstance(data.get("voice"), list | dict))
        ),
        description="an agent persona: an LLM assistant's prompts and settings (docs/agents.md)",
    ),
    before="persona",
)


def _rubric_model() -> type[BaseModel]:
    from understudy.domain.rubric import Rubric

    return Rubric


register_kind(
    ContentKind(
        name="rubric",
        model=_rubric_model(),
        load=lambda path: load_model(_rubric_model(), path),
        detect=lambda data: "criteria" in data,
        description="a rubric: weighted criteria and their checks (docs/rubrics.md)",
    ),
    before="persona",
)


def _labelled_set_model() -> type[BaseModel]:
    from understudy.domain.labels import LabelledSet

    return LabelledSet


def _load_labelled_set(path: Path) -> BaseModel:
    from understudy.graders.evaluation import load_labelled_set

    load_labelled_set(path)  # also checks the scenario, the rubric and every call's labels
    return load_model(_labelled_set_model(), path)


register_kind(
    ContentKind(
        name="labelled-calls",
        model=_labelled_set_model(),
        load=_load_labelled_set,
        detect=lambda data: "calls" in data and "rubric" in data,
        description="practice calls labelled per criterion (docs/grader-labelling.md)",
    ),
    before="persona",
)


def _intent_list_model() -> type[BaseModel]:
    from understudy.domain.phrasing import IntentList

    return IntentList


def _opening_lines_model() -> type[BaseModel]:
    from understudy.domain.phrasing import OpeningLines

    return OpeningLines


def _intents_value(data: dict[str, Any]) -> Any:
    """The ``intents`` value of a file holding ``intents`` (and at most a ``source``)."""
    return data.get("intents") if set(data) <= {"intents", "source"} else None


register_kind(
    ContentKind(
        name="intents",
        model=_intent_list_model(),
        load=lambda path: load_model(_intent_list_model(), path),
        detect=lambda data: isinstance(_intents_value(data), list) and "source" not in data,
        description="intents with example phrases, for flows to include (docs/phrasing.md)",
    )
)
register_kind(
    ContentKind(
        name="opening-lines",
        model=_opening_lines_model(),
        load=lambda path: load_model(_opening_lines_model(), path),
        detect=lambda data: isinstance(_intents_value(data), dict),
        description="opening lines per intent and style for the user simulator (docs/phrasing.md)",
    )
)
