"""Form data -> plain nested data, and located content problems -> errors beside fields.

Form controls are named by the dotted path of the field they fill (``demographics.age``), the
same path ``understudy validate`` prints, so a problem maps back to its control by name. Lists
are typed one item per line; mappings one ``key: value`` per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from understudy.content.importers.common import to_yaml
from understudy.content.loader import load_yaml_with_lines, parse_model
from understudy.errors import ContentError, ContentProblem

M = TypeVar("M", bound=BaseModel)

FormErrors = dict[str, list[str]]
"""Control name -> messages shown beside it (``""`` holds problems no control owns)."""


def lines_of(text: str) -> list[str]:
    """Return the non-blank lines of ``text``, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def mapping_of(text: str) -> dict[str, str] | str:
    """Parse ``key: value`` lines; return the text unchanged when a line has no colon.

    Returning the raw text lets validation report "expected a mapping" at the right field
    instead of silently dropping a line.
    """
    out: dict[str, str] = {}
    for line in lines_of(text):
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            return text
        out[key.strip()] = value.strip()
    return out


def mapping_text(values: Mapping[str, Any]) -> str:
    """Render a mapping as ``key: value`` lines (the inverse of ``mapping_of``)."""
    return "\n".join(f"{k}: {v}" for k, v in values.items())


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data[a][b] = value`` for ``dotted == "a.b"``, creating mappings on the way."""
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def get_path(data: Mapping[str, Any], dotted: str, default: Any = "") -> Any:
    """Return ``data[a][b]`` for ``dotted == "a.b"``, or ``default`` when absent or None."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return default
        node = node[part]
    return node


def validate_as(
    model: type[M], data: dict[str, Any], path: Path, *, header: str = ""
) -> tuple[M, str]:
    """Validate ``data`` as ``model`` exactly as ``understudy validate`` would the saved file.

    The data is rendered to the YAML that will be written to ``path`` and loaded back, so every
    problem carries that file, its line and the field, word for word what the CLI reports.

    Args:
        model: the pydantic model class.
        data: the plain data.
        path: the file it will be saved as (named in every problem).
        header: comment lines written on top, e.g. ``kind: scenario``.

    Returns:
        The model and the YAML text to save.

    Raises:
        ContentError: every problem, located.
    """
    text = to_yaml(data, header=header)
    plain, lines = load_yaml_with_lines(text, path)
    return parse_model(model, plain, lines, path), text


def errors_by_field(problems: Iterable[ContentProblem], fields: Iterable[str]) -> FormErrors:
    """Attach each problem to the control whose name is the longest prefix of its field.

    The message shown is the problem's full located text (file, line, field, message), as
    ``understudy validate`` prints it. Problems no control owns go under ``""``.
    """
    names = sorted(fields, key=len, reverse=True)
    out: FormErrors = {}
    for problem in problems:
        owner = next(
            (n for n in names if problem.field == n or problem.field.startswith(n + ".")), ""
        )
        out.setdefault(owner, []).append(str(problem))
    return out


def content_errors(exc: ContentError, fields: Iterable[str]) -> FormErrors:
    """``errors_by_field`` for a ``ContentError``."""
    return errors_by_field(exc.problems, fields)
