"""The persona library: personas new, edit (with $EDITOR) and list with "used by" and origin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.library import scenario_usage
from understudy.content.loader import load_model
from understudy.domain.persona import Mood, MoodDrift, Persona

runner = CliRunner()


def test_new_with_flags_writes_a_valid_persona(understudy_home: Path) -> None:
    result = runner.invoke(
        app,
        [
            "personas",
            "new",
            "--name",
            "Maya Lind",
            "--summary",
            "Busy shop owner",
            "--mood",
            "frustrated",
            "--drift",
            "fast",
            "--language",
            "en-GB",
            "--age",
            "41",
        ],
    )
    assert result.exit_code == 0, result.output
    persona = load_model(Persona, understudy_home / "personas" / "maya-lind.yaml")
    assert (persona.mood, persona.mood_drift, persona.language) == (
        Mood.frustrated,
        MoodDrift.fast,
        "en-GB",
    )
    assert persona.demographics.age == 41
    assert persona.origin.kind == "hand-written"


def test_new_prompts_for_what_is_missing(understudy_home: Path) -> None:
    answers = "Ola\nNervous first-time caller\nconfused\nslow\nen-US\n"
    result = runner.invoke(app, ["personas", "new"], input=answers)
    assert result.exit_code == 0, result.output
    persona = load_model(Persona, understudy_home / "personas" / "ola.yaml")
    assert persona.mood is Mood.confused and persona.mood_drift is MoodDrift.slow


def test_new_refuses_an_invalid_language_with_a_clear_error() -> None:
    result = runner.invoke(
        app,
        [
            "personas",
            "new",
            "--name",
            "X",
            "--summary",
            "",
            "--mood",
            "calm",
            "--drift",
            "slow",
            "--language",
            "english!",
        ],
    )
    assert result.exit_code == 2
    assert "BCP 47" in result.output


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR that runs a Python snippet on the file (``path`` is the file)."""
    script = tmp_path / "editor.py"
    script.write_text(f"import sys, pathlib\npath = pathlib.Path(sys.argv[1])\n{body}\n")
    return f"{sys.executable} {script}"


def test_edit_copies_a_builtin_into_the_library_then_validates(
    understudy_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            "path.write_text(path.read_text().replace('mood_drift: slow', 'mood_drift: fast'))",
        ),
    )
    monkeypatch.delenv("VISUAL", raising=False)
    result = runner.invoke(app, ["personas", "edit", "calm"])
    assert result.exit_code == 0, result.output
    assert "Copied the built-in persona" in result.output
    edited = load_model(Persona, understudy_home / "personas" / "calm.yaml")
    assert edited.mood_drift is MoodDrift.fast, "the edit should land in the library copy"


def test_edit_reports_problems_with_line_and_field(
    understudy_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (understudy_home / "personas").mkdir(parents=True, exist_ok=True)
    (understudy_home / "personas" / "kim.yaml").write_text("id: kim\nname: Kim\n")
    monkeypatch.setenv(
        "EDITOR", _editor(tmp_path, "path.write_text(path.read_text() + 'mood: grumpy\\n')")
    )
    monkeypatch.delenv("VISUAL", raising=False)
    result = runner.invoke(app, ["personas", "edit", "kim"])
    assert result.exit_code == 2
    assert "kim.yaml:3: mood:" in result.output, result.output
    assert "understudy personas edit kim" in result.output


def test_edit_unknown_id_lists_known_personas() -> None:
    result = runner.invoke(app, ["personas", "edit", "nobody"])
    assert result.exit_code == 2
    assert "no persona with id 'nobody'" in result.output and "calm" in result.output


def test_list_shows_which_scenarios_use_each_persona_and_origin(
    understudy_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("refund-one", "refund-two"):
        (folder / f"{name}.yaml").write_text(
            f"id: {name}\npersona: impatient\ngoal:\n  reason_for_call: Refund.\n"
        )
    (folder / "notes.yaml").write_text("just: notes\n")
    runner.invoke(app, ["personas", "generate", "furious truck driver", "--seed", "1", "--save"])
    result = runner.invoke(
        app, ["personas", "list", "--scenarios", str(folder)], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "│ impatient" in row)
    assert "refund-one, refund-two" in line
    generated = next(row for row in result.output.splitlines() if "truck" in row.lower())
    assert 'generated from "furious truck driver" (draft)' in generated
    assert "used by" in result.output and "origin" in result.output


def test_scenario_usage_ignores_files_that_are_not_scenarios(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\npersona: calm\ngoal: {reason_for_call: x}\n")
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    (tmp_path / "flow.yaml").write_text("name: f\nstart: a\nnodes: {}\n")
    assert scenario_usage([tmp_path, tmp_path / "missing"]) == {"calm": ["a"]}


def test_a_scenario_naming_its_persona_by_path_counts_as_using_that_persona(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "dana.yaml").write_text("id: dana-k\nname: Dana\n", encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "s.yaml").write_text(
        "id: refund-dana\npersona: ../personas/dana.yaml\ngoal:\n  reason_for_call: refund\n",
        encoding="utf-8",
    )
    usage = scenario_usage([tmp_path / "scenarios"])
    assert usage == {"dana-k": ["refund-dana"]}, "usage should be keyed by the persona's id"
