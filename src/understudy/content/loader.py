"""Load YAML (or JSON) into pydantic models, reporting problems by file, line and field.

Every author-facing file (persona, scenario, flow, rubric, agent persona, intents, settings...)
is read through this one loader, which is hardened against hostile or broken input:

- the file is at most ``MAX_FILE_BYTES`` (32 MiB: far above the largest imported intents file)
  and must be UTF-8 text: a binary file or a bad byte is reported with its line;
- collections nest at most ``MAX_DEPTH`` (64) levels deep, checked on the parser's event stream
  before the (recursive) composer runs, so deep nesting cannot exhaust the stack;
- aliases may expand to at most ``MAX_ALIAS_EXPANSION`` (10,000) values beyond those written in
  the file, so a "billion laughs" file fails at once instead of eating memory; an alias that
  refers to its own ancestor is an error;
- a key given twice in one mapping is an error naming both lines; keys must be scalars;
- only the plain YAML tags (str, int, float, bool, null, timestamp, map, seq) are accepted; any
  other tag (``!!python/object``, ``!custom``) is an error at its line;
- numbers must be finite (``.inf`` and ``.nan`` are refused) and dates valid.

YAML is composed into a node tree so every value keeps its line; a pydantic validation error's
``loc`` is then mapped back to the line of the deepest node that exists. Every problem the loader
raises is a ``ContentError``; nothing else escapes it, which ``tests/test_loader_fuzz.py`` checks
with property-based fuzzing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from understudy.errors import ContentError, ContentProblem

M = TypeVar("M", bound=BaseModel)

Lines = dict[tuple[str | int, ...], int]

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Largest author-facing file read, in bytes."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted (our formats need fewer than 10)."""

MAX_ALIAS_EXPANSION = 10_000
"""Values that aliases may add beyond those written in the file."""

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def _fail(path: Path | None, line: int | None, message: str) -> ContentError:
    return ContentError([ContentProblem(path, line, "", message)])


def _check_events(text: str, path: Path | None) -> int:
    """Walk the parser's events (iterative, no recursion); return the number of written nodes.

    Raises:
        ContentError: syntax errors, too deep nesting, unknown tags.
    """
    depth = 0
    nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(path, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            nodes += 1
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
                raise _fail(
                    path, line, f"unknown YAML tag {tag!r} (only plain values, lists and mappings)"
                )
    return nodes


class _Builder:
    """Turns a composed node tree into plain data, recording lines and enforcing the bounds."""

    def __init__(self, path: Path | None, written_nodes: int) -> None:
        self.path = path
        self.budget = written_nodes + MAX_ALIAS_EXPANSION
        self.built = 0
        self.open: set[int] = set()
        self.scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, at: tuple[str | int, ...], lines: Lines) -> Any:
        line = node.start_mark.line + 1
        lines[at] = line
        self.built += 1
        if self.built > self.budget:
            raise _fail(
                self.path,
                line,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values "
                "(an alias bomb?); write the values out or use fewer aliases",
            )
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.open:
                raise _fail(self.path, line, "an alias refers to a value that contains it")
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, at, lines)
                return [self.build(item, (*at, i), lines) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        return self._scalar(node, line)

    def _mapping(self, node: yaml.MappingNode, at: tuple[str | int, ...], lines: Lines) -> Any:
        out: dict[Any, Any] = {}
        key_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise _fail(self.path, key_line, "a mapping key must be a plain value")
            key = self._scalar(key_node, key_line)
            if key in key_lines:
                raise _fail(
                    self.path,
                    key_line,
                    f"key {key!r} is given twice (lines {key_lines[key]} and {key_line})",
                )
            key_lines[key] = key_line
            out[key] = self.build(value_node, (*at, str(key)), lines)
            lines[(*at, str(key))] = key_line
        return out

    def _scalar(self, node: yaml.Node, line: int) -> Any:
        try:
            value = self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
            raise _fail(self.path, line, f"invalid value {node.value!r:.60}: {exc}") from exc
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail(self.path, line, f"expected a finite number, got {node.value!r:.60}")
        return value


def _syntax_error(exc: yaml.YAMLError, path: Path | None) -> ContentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return _fail(path, line, f"invalid YAML: {exc.problem or exc}")
    return _fail(path, None, f"invalid YAML: {exc}")


def load_yaml_with_lines(text: str, path: Path | None = None) -> tuple[Any, Lines]:
    """Parse YAML text and return ``(data, lines)``, within the bounds of the module docstring.

    Args:
        text: YAML (JSON is YAML too).
        path: the file it came from, for error messages.

    Returns:
        The plain data and a map from key path (tuple of keys and list indices) to 1-based line.

    Raises:
        ContentError: a YAML syntax error, a file with several documents, nesting deeper than
            ``MAX_DEPTH``, an alias bomb, a duplicate key, an unknown tag, an invalid date or a
            non-finite number; each naming the line.
    """
    try:
        written = _check_events(text, path)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from exc
    except RecursionError as exc:  # pragma: no cover - MAX_DEPTH is checked first
        raise _fail(path, None, f"nested more than {MAX_DEPTH} levels deep") from exc
    lines: Lines = {}
    if node is None:
        return None, lines
    return _Builder(path, written).build(node, (), lines), lines


def load_yaml(text: str, path: Path | None = None) -> Any:
    """Parse YAML text into plain data (``load_yaml_with_lines`` without the lines).

    Raises:
        ContentError: see ``load_yaml_with_lines``.
    """
    return load_yaml_with_lines(text, path)[0]


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


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read an author-facing UTF-8 text file.

    Args:
        path: the file.
        max_bytes: the largest size accepted (``MAX_FILE_BYTES`` by default).

    Raises:
        ContentError: (never OSError) the file is missing, is a folder, cannot be read, is larger
            than ``max_bytes``, holds a NUL byte (a binary file) or is not UTF-8; the last two
            name the line of the first offending byte.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise _fail(path, None, "file not found") from exc
    except IsADirectoryError as exc:
        raise _fail(path, None, "is a folder, expected a file") from exc
    except OSError as exc:
        raise _fail(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a NUL byte in the path itself
        raise _fail(path, None, f"not a usable file name ({exc})") from exc
    if len(raw) > max_bytes:
        raise _fail(path, None, f"file is larger than {max_bytes:,} bytes; is it the right file?")
    return decode_text(raw, path)


def decode_text(raw: bytes, path: Path | None) -> str:
    """Decode an author file's bytes (read from disk or uploaded) as UTF-8 text.

    Args:
        raw: the bytes.
        path: the file they are (or will be saved as), named in problems.

    Raises:
        ContentError: a NUL byte (a binary file) or bytes that are not UTF-8, with the line of
            the first offending byte.
    """
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise _fail(path, line, "binary data (a NUL byte); expected a UTF-8 text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte} at offset {exc.start}); save it as UTF-8"
        raise _fail(path, line, message) from exc
    return text.removeprefix("\ufeff")


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
