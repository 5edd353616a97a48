"""``understudy validate``: every kind of file detected; every problem with file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.kinds import KINDS, detect_kind

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
PERSONAS = REPO / "src" / "understudy" / "content" / "personas"


def validate(*paths: Path | str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *map(str, paths)], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_example_flows_scenarios_and_built_in_personas_are_valid() -> None:
    files = [
        *sorted((REPO / "examples" / "flows").glob("*.yaml")),
        *sorted((REPO / "examples" / "scenarios").glob("*.yaml")),
        *sorted(PERSONAS.glob("*.yaml")),
    ]
    code, out, err = validate(*files)
    assert code == 0, err
    assert out.count("ok ") == len(files), "one ok line per file"
    assert "(flow)" in out and "(scenario)" in out and "(persona)" in out


def test_kind_is_detected_from_keys_or_a_kind_comment(tmp_path: Path) -> None:
    persona = tmp_path / "p.yaml"
    persona.write_text("id: ana\nname: Ana\nbehaviour: {typo_rate: 0.1}\n")
    assert detect_kind(persona).name == "persona"
    declared = tmp_path / "d.yaml"
    declared.write_text("# kind: scenario\nid: x\n")
    assert detect_kind(declared).name == "scenario"
    assert {"flow", "persona", "scenario"} <= set(KINDS)


def test_every_problem_of_a_malformed_persona_is_listed_with_file_line_and_field(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad-persona.yaml"
    bad.write_text(
        "id: ana\nname: Ana\nmood: grumpy\nbehaviour:\n  typo_rate: 3\n  patiance: 0.5\n"
    )
    code, _, err = validate(bad)
    assert code == 2, "invalid: exit 2"
    assert f"{bad}:3: mood:" in err, err
    assert f"{bad}:5: behaviour.typo_rate:" in err, err
    assert f"{bad}:6: behaviour.patiance: unknown field" in err, err


def test_a_flow_with_a_bad_reference_names_its_line(tmp_path: Path) -> None:
    flow = tmp_path / "f.yaml"
    flow.write_text(
        "name: Tiny\nstart: hello\nnodes:\n  hello:\n    kind: say\n    prompt: Hi\n"
        "    next: nowhere\n  bye:\n    kind: end\n    message: Bye\n"
    )
    code, _, err = validate(flow)
    assert code == 2
    assert f"{flow}:7: nodes.hello.next" in err, err


def test_valid_and_invalid_files_together_report_each_and_exit_2(tmp_path: Path) -> None:
    good = next(PERSONAS.glob("*.yaml"))
    bad = tmp_path / "s.yaml"
    bad.write_text("id: s1\npersona: calm\ngoal:\n  intent: refund\n")
    syntax = tmp_path / "broken.yaml"
    syntax.write_text("id: [unclosed\n")
    code, out, err = validate(good, bad, syntax)
    assert code == 2
    assert f"ok {good}" in out
    assert f"{bad}:3: goal.reason_for_call: required field is missing" in err, err
    assert f"{syntax}:" in err and "invalid YAML" in err
    assert "2 of 3 file(s) invalid" in err


@pytest.mark.parametrize("text", ["just a string\n", "# kind: rubrik\nid: x\n"])
def test_files_of_no_known_kind_say_how_to_declare_one(tmp_path: Path, text: str) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(text)
    code, _, err = validate(odd)
    assert code == 2 and "kind" in err, err


def test_a_missing_file_is_reported_not_crashed_on() -> None:
    code, _, err = validate("no/such/file.yaml")
    assert code == 2 and "file not found" in err
