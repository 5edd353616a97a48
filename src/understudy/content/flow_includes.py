"""Merge the intents of a flow's ``intents_from`` files into the flow, when it is loaded.

A flow may list ``intents`` files (``# kind: intents``, e.g. the ``intents.yaml`` written by
``understudy import bitext``) in ``intents_from``, with paths relative to the flow file. Their
intents are appended to the flow's own, in file order. Rules (docs/flows.md):

- the flow's own intents win by name: an included intent with the same name is left out;
- the same intent name in two included files is an error naming both files;
- each file must exist and be a valid ``intents`` file; its problems name that file, line and
  field, and the flow's ``intents_from`` entry is named too.

Problems that the flow cross-checks find later in an included intent (an ``next`` naming no
node, say) are reported against the included file by ``relocate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from understudy.content.loader import Lines, load_yaml_with_lines, parse_model, read_text
from understudy.domain.flow import Flow, Intent
from understudy.domain.phrasing import IntentList
from understudy.errors import ContentError, ContentProblem

_INTENT_FIELD = re.compile(r"^intents\.(\d+)(\..*)?$")


@dataclass(frozen=True)
class IncludedIntent:
    """Where an included intent came from.

    Attributes:
        path: the included file.
        index: the intent's index in that file's ``intents``.
        lines: key path -> line of that file.
    """

    path: Path
    index: int
    lines: Lines


@dataclass
class Inclusion:
    """The result of merging ``intents_from``.

    Attributes:
        flow: the flow with the included intents appended.
        problems: every problem found (missing files, invalid files, duplicate names).
        origins: index in the merged ``flow.intents`` -> where that intent came from.
    """

    flow: Flow
    problems: list[ContentProblem]
    origins: dict[int, IncludedIntent]


def _load_intents(path: Path) -> tuple[IntentList, Lines]:
    """Load an intents file, refusing a file that declares another kind.

    Raises:
        ContentError: unreadable, not YAML, another kind, or invalid intents.
    """
    from understudy.content.kinds import declared_kind

    text = read_text(path)
    declared = declared_kind(text)
    if declared not in (None, "intents"):
        message = f"expected an intents file ('# kind: intents'), got kind {declared!r}"
        raise ContentError([ContentProblem(path, 1, "", message)])
    data, lines = load_yaml_with_lines(text, path)
    return parse_model(IntentList, data, lines, path), lines


def include_intents(flow: Flow, lines: Lines, path: Path | None) -> Inclusion:
    """Append the intents of ``flow.intents_from`` to the flow's own intents.

    Args:
        flow: the flow as validated from its file.
        lines: key path -> line of the flow file.
        path: the flow file; ``intents_from`` paths are relative to its folder. When None (a
            flow not read from a file), a non-empty ``intents_from`` is a problem.

    Returns:
        The merged flow, the problems found and the origin of each included intent.
    """
    if not flow.intents_from:
        return Inclusion(flow, [], {})
    problems: list[ContentProblem] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        line = lines.get(loc, lines.get(("intents_from",)))
        problems.append(ContentProblem(path, line, ".".join(map(str, loc)), message))

    if path is None:
        problem(("intents_from",), "intents_from needs a flow loaded from a file")
        return Inclusion(flow, problems, {})
    own = {intent.name for intent in flow.intents}
    included: list[Intent] = []
    origins: dict[int, IncludedIntent] = {}
    found_in: dict[str, Path] = {}
    for position, relative in enumerate(flow.intents_from):
        file = path.parent / relative
        if not file.is_file():
            problem(("intents_from", position), f"file not found: {file}")
            continue
        try:
            intent_list, file_lines = _load_intents(file)
        except ContentError as exc:
            problems.extend(exc.problems)
            problem(("intents_from", position), f"{file} is not a valid intents file")
            continue
        for index, intent in enumerate(intent_list.intents):
            if intent.name in own:
                continue
            if intent.name in found_in:
                message = f"intent {intent.name!r} is in both {found_in[intent.name]} and {file}"
                problem(("intents_from", position), message)
                continue
            found_in[intent.name] = file
            origins[len(flow.intents) + len(included)] = IncludedIntent(file, index, file_lines)
            included.append(intent)
    merged = flow.model_copy(update={"intents": [*flow.intents, *included]})
    return Inclusion(merged, problems, origins)


def relocate(
    problems: list[ContentProblem], origins: dict[int, IncludedIntent]
) -> list[ContentProblem]:
    """Report problems in included intents (``intents.N...``) against their own file."""
    out = []
    for problem in problems:
        match = _INTENT_FIELD.match(problem.field)
        origin = origins.get(int(match.group(1))) if match else None
        if match is None or origin is None:
            out.append(problem)
            continue
        rest = match.group(2) or ""
        loc: tuple[str | int, ...] = ("intents", origin.index, *rest.strip(".").split("."))
        loc = tuple(p for p in loc if p != "")
        line = next(
            (
                origin.lines[loc[:end]]
                for end in range(len(loc), 0, -1)
                if loc[:end] in origin.lines
            ),
            None,
        )
        field = ".".join(map(str, loc))
        out.append(ContentProblem(origin.path, line, field, f"{problem.message} (in the flow)"))
    return out
