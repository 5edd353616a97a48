"""Hostile and broken author files: every one is a located ``ContentError``, fast.

Each class of input from the loader's module docstring is tried with several members (different
kinds, positions and sizes), through the public loaders a user reaches (``load_model``,
``load_any``, the scenario library), not only the YAML helper.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from understudy.content.kinds import load_any
from understudy.content.loader import (
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    load_model,
    load_yaml_with_lines,
    read_text,
)
from understudy.domain import Persona, Scenario
from understudy.errors import ContentError

PERSONA = "id: maya\nname: Maya\n"


def write(tmp_path: Path, text: str | bytes, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> ContentError:
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        load_any(path)
    assert time.perf_counter() - started < 5.0, "a hostile file must fail fast (here: 0.1 s)"
    return caught.value


def laughs(levels: int, width: int) -> str:
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "width"), [(10, 10), (30, 2), (4, 200), (9, 9)])
def test_alias_bombs_fail_fast_at_a_line(tmp_path: Path, levels: int, width: int) -> None:
    path = write(tmp_path, "# kind: persona\n" + laughs(levels, width))
    error = load_error(path)
    problem = error.problems[0]
    assert problem.path == path and problem.line is not None
    assert f"{MAX_ALIAS_EXPANSION:,}" in problem.message, "the error names the bound"


def test_a_few_aliases_are_still_fine() -> None:
    data, _ = load_yaml_with_lines("base: &b {x: 1}\none: *b\ntwo: *b\n")
    assert data["two"] == {"x": 1}


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "- &x [1, [2, *x]]\n"])
def test_an_alias_inside_itself_is_an_error(text: str) -> None:
    with pytest.raises(ContentError, match="contains it") as caught:
        load_yaml_with_lines(text, Path("loop.yaml"))
    assert caught.value.problems[0].line is not None


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("id: maya\nname: Maya\nid: other\n", 1, 3),
        ("id: maya\nname: Maya\nbehaviour:\n  typo_rate: 0.1\n  typo_rate: 0.2\n", 4, 5),
        ('{"id": "maya", "name": "M", "name": "N"}\n', 1, 1),
        ("id: maya\nname: Maya\nknowledge:\n  known_info: {a: 1, a: 2}\n", 4, 4),
    ],
)
def test_duplicate_keys_name_both_lines(tmp_path: Path, text: str, first: int, second: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_model(Persona, path)
    problem = caught.value.problems[0]
    assert problem.line == second
    assert f"lines {first} and {second}" in problem.message


@pytest.mark.parametrize("shape", ["[", "{a: ", "- "])
def test_deep_nesting_is_bounded(tmp_path: Path, shape: str) -> None:
    depth = MAX_DEPTH * 50
    text = "".join("  " * i + "-\n" for i in range(depth)) if shape == "- " else shape * depth
    error = load_error(write(tmp_path, text))
    assert f"more than {MAX_DEPTH} levels" in error.problems[0].message


def test_oversized_files_are_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, PERSONA + "backstory: " + "x" * 5000 + "\n")
    with pytest.raises(ContentError, match="larger than 1,000 bytes"):
        read_text(path, max_bytes=1000)


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b"id: maya\nname: Ma\xffya\n", 2),
        (b"id: maya\nname: Maya\nbackstory: caf\xe9\n", 3),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3),
        (b"id: maya\n\n\n\x00\x01\x02", 4),
        ("id: maya\nname: Maya\n".encode("utf-16"), 1),
    ],
)
def test_binary_and_non_utf8_files_name_file_and_line(
    tmp_path: Path, raw: bytes, line: int
) -> None:
    path = write(tmp_path, raw)
    error = load_error(path)
    problem = error.problems[0]
    assert (problem.path, problem.line) == (path, line)
    assert "UTF-8" in problem.message


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + PERSONA)
    assert load_model(Persona, path).id == "maya"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: maya\nname: !!python/object:os.system echo\n", 2),
        ("id: maya\nname: Maya\nbehaviour: !custom {typo_rate: 0.1}\n", 3),
        ("id: maya\nname: Maya\nstyle_tags: !!set {a, b}\n", 3),
        ("id: maya\nname: !!binary aGVsbG8=\n", 2),
        ("!!python/name:os.system\n", 1),
    ],
)
def test_unknown_tags_are_located_errors(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_model(Persona, path)
    problem = caught.value.problems[0]
    assert problem.line == line and "tag" in problem.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: maya\nname: Maya\nbehaviour:\n  typo_rate: .nan\n", 4),
        ("id: maya\nname: Maya\nbehaviour:\n  patience: .inf\n", 4),
        ("id: maya\nname: Maya\nbehaviour:\n  patience: -.Inf\n", 4),
        ("id: maya\nname: Maya\nbehaviour:\n  typo_rate: 1.0e+999\n", 4),
        ("id: maya\nname: Maya\nbackstory: 2026-13-45\n", 3),
        ("id: maya\nname: Maya\nbackstory: 2026-02-30\n", 3),
        ("id: maya\nname: Maya\nage: " + "9" * 5000 + "\n", 3),
        ("id: maya\nname: Maya\nbehaviour:\n  typo_rate: 1.5\n", 4),
        ("id: maya\nname: Maya\nbehaviour:\n  typo_rate: -0.1\n", 4),
    ],
)
def test_out_of_range_numbers_and_dates_are_located(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_model(Persona, path)
    assert caught.value.problems[0].line == line, str(caught.value)


@pytest.mark.parametrize(
    "limits",
    ["time_limit_s: -5", "time_limit_s: .inf", "max_turns: -1", "time_limit_s: 0"],
)
def test_negative_or_infinite_times_in_a_scenario_are_located(tmp_path: Path, limits: str) -> None:
    text = f"id: s\npersona: calm\ngoal:\n  reason_for_call: refund\n{limits}\n"
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_model(Scenario, path)
    assert caught.value.problems[0].line == 5, str(caught.value)


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 2\n"])
def test_collection_keys_are_located_errors(text: str) -> None:
    with pytest.raises(ContentError, match="plain value"):
        load_yaml_with_lines(text, Path("k.yaml"))


@pytest.mark.parametrize("name", ["folder", "missing.yaml"], ids=["a folder", "a missing file"])
def test_unreadable_paths_are_content_errors(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(ContentError) as caught:
        load_any(tmp_path / name)
    assert caught.value.problems[0].path == tmp_path / name
