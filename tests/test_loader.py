"""Author-facing YAML: errors name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.content.loader import load_model
from understudy.domain import Persona, Scenario
from understudy.errors import ContentError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_field_values_are_reported_with_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "maya.yaml",
        "id: maya\nname: Maya\nmood: grumpy\nbehaviour:\n  typo_rate: 2\n  typorate: 0.1\n",
    )
    with pytest.raises(ContentError) as caught:
        load_model(Persona, path)
    lines = str(caught.value).splitlines()
    assert f"{path}:3: mood:" in lines[0], "a bad enum value names its line and field"
    assert any(f"{path}:5: behaviour.typo_rate:" in line for line in lines)
    assert any(f"{path}:6: behaviour.typorate: unknown field" in line for line in lines)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "id: x\nname: Maya\nbackstory: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_model(Persona, path)
    problem = caught.value.problems[0]
    assert problem.path == path
    assert problem.line is not None and problem.line >= 3
    assert "invalid YAML" in problem.message


def test_missing_required_field_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "id: s1\npersona: calm\n")
    with pytest.raises(ContentError) as caught:
        load_model(Scenario, path)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("goal", "required field is missing")
    ]


def test_nested_list_items_point_at_their_own_line(tmp_path: Path) -> None:
    text = (
        "id: s1\npersona: calm\ngoal:\n  reason_for_call: refund\n"
        "exit_conditions:\n  - id: ok\n    agent_says: [refund]\n  - id: bad\n    agent_says: []\n"
    )
    path = write(tmp_path, "s.yaml", text)
    with pytest.raises(ContentError) as caught:
        load_model(Scenario, path)
    problem = caught.value.problems[0]
    assert problem.field == "exit_conditions.1.agent_says"
    assert problem.line == 9


def test_numbers_in_known_facts_are_read_as_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        "id: s1\npersona: calm\ngoal:\n  reason_for_call: refund\n"
        "  known_info:\n    order_id: 3348917502\n",
    )
    assert load_model(Scenario, path).goal.known_info == {"order_id": "3348917502"}


def test_missing_file_and_empty_file_are_content_errors(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="file not found"):
        load_model(Persona, tmp_path / "nope.yaml")
    with pytest.raises(ContentError, match="expected a mapping"):
        load_model(Persona, write(tmp_path, "empty.yaml", ""))
