"""Load YAML (or JSON) into pydantic models, reporting problems by file, line and field.

YAML is composed into a node tree first so every value keeps its line; a pydantic validation
error's ``loc`` is then mapped back to the line of the deepest node that exists. YAML syntax errors
carry the parser's own line. Every problem is collected, not only the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from understudy.errors import ContentError, ContentProblem

M = TypeVar("M", bound=BaseModel)

Lines = dict[tuple[str | int, ...], int]


def _construct(
    node: yaml.Node, path: tuple[str | int, ...], lines: Lines, scalars: yaml.SafeLoader
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, (*path, "<key>"), {}, scalars)
            lines[(*path, str(key))] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*path, str(key)), lines, scalars)
            lines[(*path, str(key))] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, scalars) for i, item in enumerate(node.value)]
    # Scalars: let PyYAML's safe constructor resolve the tag (int, bool, date...).
    return scalars.construct_object(node, deep=True)


def load_yaml_with_lines(text: str, path: Path | None = None) -> tuple[Any, Lines]:
    """Parse YAML text and return ``(data, lines)``.

    Args:
        text: YAML (JSON is YAML too).
        path: the file it came from, for error messages.

    Returns:
        The plain data and a map from key path (tuple of keys and list indices) to 1-based line.

    Raises:
        ContentError: on a YAML syntax error or a file with several documents.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise ContentError([ContentProblem(path, line, "", f"invalid YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(path, None, "", f"invalid YAML: {exc}")]) from exc
    lines: Lines = {}
    if node is None:
        return None, lines
    return _construct(node, (), lines, yaml.SafeLoader("")), lines


def _line_for(loc: tuple[str | int, ...], lines: Lines) -> int | None:
    for end in range(len(loc), -1, -1):
        key = tuple(str(p) if isinstance(p, str) else p for p in loc[:end])
        if key in lines:
            return lines[key]
    return None


def problems_from_validation(
    exc: ValidationError, lines: Lines, path: Path | None, prefix: tuple[str | int, ...] = ()
) -> list[ContentProblem]:
    """Turn a pydantic ``ValidationError`` into problems with lines.

    Args:
        exc: the validation error.
        lines: key path -> line, from ``load_yaml_with_lines``.
        path: the file.
        prefix: key path of the validated data inside the file (for nested documents).
    """
    problems = []
    for error in exc.errors():
        loc = (*prefix, *(p for p in error["loc"] if not str(p).startswith("function-")))
        field = ".".join(str(p) for p in loc)
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see `understudy schema`)"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif "input" in error and error["type"] not in ("missing",):
            shown = repr(error["input"])
            if len(shown) <= 60 and "got" not in message:
                message = f"{message}; got {shown}"
        problems.append(ContentProblem(path, _line_for(loc, lines), field, message))
    return problems


def parse_model(
    model: type[M], data: Any, lines: Lines | None = None, path: Path | None = None
) -> M:
    """Validate plain data as ``model``.

    Raises:
        ContentError: every validation problem, each with file, line and field.
    """
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise ContentError(
            [ContentProblem(path, 1, "", f"expected a mapping of fields, got {kind}")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(exc, lines or {}, path)) from exc


def read_text(path: Path) -> str:
    """Read a UTF-8 file, raising ``ContentError`` (not OSError) when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(path, None, "", "file not found")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([ContentProblem(path, None, "", f"cannot read file: {exc}")]) from exc


def load_model(model: type[M], path: Path | str) -> M:
    """Load a YAML or JSON file as ``model``.

    Args:
        model: the pydantic model class (Persona, Scenario, Flow, Rubric...).
        path: the file.

    Raises:
        ContentError: unreadable file, YAML syntax error or invalid fields, naming file, line
            and field.
    """
    path = Path(path)
    data, lines = load_yaml_with_lines(read_text(path), path)
    return parse_model(model, data, lines, path)
