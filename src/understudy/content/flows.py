"""Load assistant flow files and cross-check them beyond field types.

Field types are checked by the pydantic models in ``understudy.domain.flow``; this module adds
the checks that span fields, each reported with the file, line and field of the bad value:

- ``start`` and every ``next``, ``unknown_next``, branch case, branch ``default`` and intent
  ``next`` name an existing node;
- every ``pattern`` compiles as a Python regular expression;
- intent names are unique; intent branch cases name declared intents; slot branches branch on a
  slot some collect node fills, and, when that node has choices, on its choice values;
- ``{slot}`` placeholders name slots that some collect node fills;
- an end node is reachable from ``start``;
- ``default_scenario`` (when loaded from a file) names an existing file;
- ``intents_from`` files exist and hold valid intents, merged into the flow's intents
  (``understudy.content.flow_includes``; the flow's own intents win by name).

Every problem is collected, not only the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from understudy.content.flow_includes import include_intents, relocate
from understudy.content.loader import Lines, load_yaml_with_lines, read_text
from understudy.domain.flow import (
    PLACEHOLDER,
    BranchNode,
    CollectNode,
    EndNode,
    Flow,
    SayNode,
)
from understudy.errors import ContentError, ContentProblem

_KINDS = {"say", "collect", "branch", "end", "handover"}

Loc = tuple[str | int, ...]


def _line(loc: Loc, lines: Lines) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    """Drop the discriminator tag pydantic puts into node locations (``nodes.x.collect.slot``)."""
    parts: list[str | int] = [p for p in loc if not str(p).startswith("function-")]
    if len(parts) >= 3 and parts[0] == "nodes" and parts[2] in _KINDS:
        del parts[2]
    return tuple(parts)


def _validation_problems(
    exc: ValidationError, lines: Lines, path: Path | None
) -> list[ContentProblem]:
    problems = []
    for error in exc.errors():
        loc = _clean_loc(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see docs/flows.md)"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "string_type" and isinstance(error.get("input"), bool):
            message = (
                f"expected text, got {error['input']!r}: YAML reads a bare yes/no/on/off/true/"
                "false as a boolean, so quote it"
            )
        elif error["type"] not in ("union_tag_invalid", "value_error"):
            shown = repr(error.get("input"))
            if len(shown) <= 60:
                message = f"{message}; got {shown}"
        field = ".".join(str(p) for p in loc)
        problems.append(ContentProblem(path, _line(loc, lines), field, message))
    return problems


def parse_flow(data: Any, lines: Lines | None = None, path: Path | None = None) -> Flow:
    """Validate plain data as a Flow and cross-check it.

    Args:
        data: the parsed YAML.
        lines: key path -> line, from ``load_yaml_with_lines``.
        path: the file, for messages and for resolving ``default_scenario`` and
            ``intents_from`` (whose intents are merged in before the cross-checks).

    Raises:
        ContentError: every problem, each with file, line and field.
    """
    lines = lines or {}
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        message = f"expected a mapping of fields, got {kind}"
        raise ContentError([ContentProblem(path, 1, "", message)])
    try:
        flow = Flow.model_validate(data)
    except ValidationError as exc:
        raise ContentError(_validation_problems(exc, lines, path)) from exc
    inclusion = include_intents(flow, lines, path)
    flow = inclusion.flow
    # A broken include must not hide the flow's other problems; only the checks that need the
    # complete set of intents are skipped then.
    checks = check_flow(flow, lines, path, intents_complete=not inclusion.problems)
    problems = [*inclusion.problems, *relocate(checks, inclusion.origins)]
    if problems:
        raise ContentError(problems)
    return flow


def load_flow(path: Path | str) -> Flow:
    """Load a flow file (YAML or JSON) and cross-check it.

    Raises:
        ContentError: unreadable file, YAML syntax error, invalid field or bad reference; every
            problem names the file, line and field.
    """
    path = Path(path)
    data, lines = load_yaml_with_lines(read_text(path), path)
    return parse_flow(data, lines, path)


def validate_flow(flow: Flow) -> None:
    """Cross-check a flow built in code (e.g. a ``model_copy`` variant).

    Raises:
        ContentError: every problem found (without lines, since there is no file).
    """
    problems = check_flow(flow)
    if problems:
        raise ContentError(problems)


def _texts(flow: Flow) -> Iterator[tuple[Loc, str]]:
    """Yield (location, text) of every text that may hold ``{slot}`` placeholders."""
    for node_id, node in flow.nodes.items():
        if isinstance(node, BranchNode):
            if node.prompt is not None:
                yield ("nodes", node_id, "prompt"), node.prompt
        elif isinstance(node, SayNode | CollectNode):
            yield ("nodes", node_id, "prompt"), node.prompt
        else:
            yield ("nodes", node_id, "message"), node.message
    for index, intent in enumerate(flow.intents):
        if intent.answer is not None:
            yield ("intents", index, "answer"), intent.answer


def _targets(flow: Flow) -> Iterator[tuple[Loc, str]]:
    """Yield (location, node id) of every reference to a node."""
    yield ("start",), flow.start
    for node_id, node in flow.nodes.items():
        if isinstance(node, SayNode | CollectNode):
            yield ("nodes", node_id, "next"), node.next
        if isinstance(node, CollectNode) and node.unknown_next is not None:
            yield ("nodes", node_id, "unknown_next"), node.unknown_next
        if isinstance(node, BranchNode):
            for case, target in node.cases.items():
                yield ("nodes", node_id, "cases", case), target
            if node.default is not None:
                yield ("nodes", node_id, "default"), node.default
    for index, intent in enumerate(flow.intents):
        if intent.next is not None:
            yield ("intents", index, "next"), intent.next


def _successors(flow: Flow, node_id: str) -> list[str]:
    node = flow.nodes[node_id]
    out: list[str] = []
    if isinstance(node, SayNode | CollectNode):
        out.append(node.next)
    if isinstance(node, CollectNode) and node.unknown_next is not None:
        out.append(node.unknown_next)
    if isinstance(node, BranchNode):
        out.extend(node.cases.values())
        if node.default is not None:
            out.append(node.default)
    if isinstance(node, CollectNode | BranchNode):
        out.extend(i.next for i in flow.intents if i.next is not None)
    return [n for n in out if n in flow.nodes]


def _end_reachable(flow: Flow) -> bool:
    seen: set[str] = set()
    todo = [flow.start] if flow.start in flow.nodes else []
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if isinstance(flow.nodes[node_id], EndNode):
            return True
        todo.extend(_successors(flow, node_id))
    return False


def _pattern_problems(flow: Flow) -> Iterator[tuple[Loc, str]]:
    for node_id, node in flow.nodes.items():
        if not isinstance(node, CollectNode):
            continue
        patterns: list[tuple[Loc, str | None]] = [(("nodes", node_id, "pattern"), node.pattern)]
        patterns += [
            (("nodes", node_id, "alternatives", i, "pattern"), alt.pattern)
            for i, alt in enumerate(node.alternatives)
        ]
        for loc, pattern in patterns:
            if pattern is None:
                continue
            try:
                re.compile(pattern)
            except re.error as exc:
                yield loc, f"pattern does not compile: {exc}"


def _branch_problems(flow: Flow, intents_complete: bool = True) -> Iterator[tuple[Loc, str]]:
    intents = {i.name for i in flow.intents}
    collects = {n.slot: n for n in flow.nodes.values() if isinstance(n, CollectNode)}
    slots = flow.collected_slots()
    for node_id, node in flow.nodes.items():
        if not isinstance(node, BranchNode):
            continue
        if node.on == "intent":
            for case in node.cases:
                if case not in intents and intents_complete:
                    known = ", ".join(sorted(intents)) or "none"
                    yield (
                        ("nodes", node_id, "cases", case),
                        (f"expected an intent name ({known}), got {case!r}"),
                    )
            continue
        slot = node.slot or ""
        if slot not in slots:
            known = ", ".join(sorted(slots)) or "none"
            yield (
                ("nodes", node_id, "slot"),
                (f"no collect node fills slot {slot!r} (collected: {known})"),
            )
            continue
        collect = collects.get(slot)
        if collect is not None and collect.choices is not None:
            values = [c.value for c in collect.choices]
            for case in node.cases:
                if case not in values:
                    yield (
                        ("nodes", node_id, "cases", case),
                        (f"expected a choice of slot {slot!r} ({', '.join(values)}), got {case!r}"),
                    )


def check_flow(
    flow: Flow,
    lines: Lines | None = None,
    path: Path | None = None,
    *,
    intents_complete: bool = True,
) -> list[ContentProblem]:
    """Return every cross-field problem of a valid-typed flow (see the module docs).

    Args:
        flow: the flow.
        lines: key path -> line of the file it came from, if any.
        path: the file, if any; ``default_scenario`` is resolved beside it.
        intents_complete: False when some included intents could not be read: branch cases
            naming an unknown intent are then not reported (the intent may be in that file).
    """
    lines = lines or {}
    found: list[tuple[Loc, str]] = []
    names = [i.name for i in flow.intents]
    for index, name in enumerate(names):
        if name in names[:index]:
            found.append((("intents", index, "name"), f"intent {name!r} is declared twice"))
    dangling = [(loc, target) for loc, target in _targets(flow) if target not in flow.nodes]
    for loc, target in dangling:
        known = ", ".join(flow.nodes)
        found.append((loc, f"expected an existing node id ({known}), got {target!r}"))
    found.extend(_pattern_problems(flow))
    found.extend(_branch_problems(flow, intents_complete))
    slots = flow.collected_slots()
    for loc, text in _texts(flow):
        for name in PLACEHOLDER.findall(text):
            if name not in slots:
                found.append((loc, f"placeholder {{{name}}} names no collected slot"))
    # Reachability is only meaningful once every reference resolves.
    if not dangling and not _end_reachable(flow):
        found.append((("start",), "no end node is reachable from the start node"))
    if path is not None and flow.default_scenario is not None:
        scenario = path.parent / flow.default_scenario
        if not scenario.is_file():
            found.append((("default_scenario",), f"file not found: {scenario}"))
    return [
        ContentProblem(path, _line(loc, lines), ".".join(str(p) for p in loc), message)
        for loc, message in found
    ]
