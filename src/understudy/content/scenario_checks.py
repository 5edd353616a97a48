"""Cross-reference checks of a scenario file: what ``practice`` needs beyond valid fields.

A scenario can be valid field by field and still unplayable. ``scenario_problems`` reports,
each with file, line and field:

- ``persona``: neither the id of a known persona nor an existing file (relative paths are
  resolved against the scenario's folder, then the current folder);
- ``briefing.documents.N``: a briefing document that is not a readable file (relative to the
  scenario's folder);
- ``rubric``: neither the id of a known rubric (user library or built-in) nor an existing file;
- ``agent_persona``: not the id of an agent persona stored in the workspace
  (``understudy agents import``; its voice settings set up the scenario's voice calls).

``understudy validate`` and ``understudy assign`` use these checks, so a scenario they accept
is one ``practice`` can play.
"""

from __future__ import annotations

from pathlib import Path

from understudy.content.loader import Lines, load_yaml_with_lines, parse_model, read_text
from understudy.content.personas import load_persona_library, persona_exists
from understudy.content.safe_paths import briefing_document
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, ContentError, ContentProblem


def _rubric_ids() -> list[str]:
    from understudy.graders.base import builtin_rubric_paths, user_rubric_paths

    return sorted({p.stem for p in [*user_rubric_paths(), *builtin_rubric_paths()]})


def _exists(ref: str, base: Path) -> bool:
    path = Path(ref)
    return path.is_file() or (not path.is_absolute() and (base / path).is_file())


def scenario_problems(
    scenario: Scenario, path: Path, lines: Lines | None = None
) -> list[ContentProblem]:
    """Return the unresolvable references of ``scenario``, loaded from ``path``.

    Args:
        scenario: the scenario (valid field by field).
        path: its file; relative references are resolved against its folder.
        lines: key path -> line, from ``load_yaml_with_lines``, for the problems' lines.
    """
    lines = lines or {}
    base = path.parent
    found: list[tuple[tuple[str | int, ...], str]] = []
    if not persona_exists(scenario.persona, base):
        if scenario.persona.endswith((".yaml", ".yml")):
            found.append((("persona",), f"persona file not found: {base / scenario.persona}"))
        else:
            known = ", ".join(sorted(load_persona_library().personas)) or "none"
            found.append(
                (("persona",), f"no persona with id {scenario.persona!r}; known personas: {known}")
            )
    for i, ref in enumerate(scenario.briefing.documents):
        try:
            document = briefing_document(ref, base)
        except ConfigError as exc:
            found.append((("briefing", "documents", i), str(exc)))
            continue
        if not document.is_file():
            found.append((("briefing", "documents", i), f"document not found: {document}"))
    if scenario.rubric is not None:
        ids = _rubric_ids()
        if scenario.rubric not in ids and not _exists(scenario.rubric, base):
            known = ", ".join(ids) or "none"
            found.append(
                (("rubric",), f"no rubric with id {scenario.rubric!r}; known rubrics: {known}")
            )
    if scenario.agent_persona:
        from understudy.agents import persona_store

        if not persona_store.exists(scenario.agent_persona):
            known = ", ".join(persona_store.list_agents()) or "none"
            found.append(
                (
                    ("agent_persona",),
                    f"no agent persona with id {scenario.agent_persona!r}; "
                    f"known agent personas: {known}",
                )
            )
    return [
        ContentProblem(path, lines.get(loc), ".".join(str(p) for p in loc), message)
        for loc, message in found
    ]


def load_checked_scenario(path: Path | str) -> Scenario:
    """Load a scenario file and check its references (see the module docs).

    Raises:
        ContentError: invalid fields, or references that resolve to nothing (each problem with
            file, line and field).
    """
    path = Path(path)
    data, lines = load_yaml_with_lines(read_text(path), path)
    scenario = parse_model(Scenario, data, lines, path)
    problems = scenario_problems(scenario, path, lines)
    if problems:
        raise ContentError(problems)
    return scenario
