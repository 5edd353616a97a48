"""Persona and scenario lookup: a scenario's persona path is relative to the scenario, scenarios by
id in the user's folder, broken library files listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.personas import load_persona_library, resolve_persona
from understudy.content.scenarios import load_scenario, scenario_persona
from understudy.runs import plan_stress_test

REPO = Path(__file__).resolve().parents[1]


RETAIL = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"


REFUND_FLOW = REPO / "examples" / "flows" / "refund.yaml"


runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _broken_library(home: Path) -> Path:
    folder = home / "personas"
    folder.mkdir(parents=True, exist_ok=True)
    bad = folder / "grumpy.yaml"
    bad.write_text("id: grumpy\nname: Grumpy\nbehaviour:\n  typo_rate: 7\n", encoding="utf-8")
    return bad


def test_stress_test_resolves_the_scenario_persona_beside_the_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = cli(
        "stress-test",
        "examples/flows/refund.yaml",
        "-s",
        "examples/scenarios/practice-retail-return.yaml",
        "-n",
        "2",
        "--json",
    )
    assert code == 0, f"the scenario's persona path is relative to its folder: {err}"
    assert '"persona": "daiki-johnson"' in out


def test_plan_and_practice_pick_the_same_persona_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = plan_stress_test(str(REFUND_FLOW), scenarios=[RETAIL], n=1)
    scenario, base = load_scenario(RETAIL)
    assert plan.persona == scenario_persona(scenario, base), "one rule for both commands"
    assert resolve_persona("practice-personas/daiki-johnson.yaml", RETAIL.parent).id == (
        "daiki-johnson"
    )


def test_stress_test_finds_a_scenario_by_id_in_the_user_folder(understudy_home: Path) -> None:
    folder = understudy_home / "scenarios"
    folder.mkdir(parents=True)
    shutil.copy(RETAIL, folder / "retail.yaml")
    shutil.copytree(RETAIL.parent / "practice-personas", folder / "practice-personas")
    plan = plan_stress_test(str(REFUND_FLOW), scenarios=["retail"], n=1)
    assert plan.scenarios[0].id == "practice-retail-return", "scenario ids work like practice"


def test_broken_persona_file_is_listed_as_broken_and_others_still_work(
    understudy_home: Path,
) -> None:
    bad = _broken_library(understudy_home)
    code, out, err = cli("personas", "list")
    assert code == 0, f"a broken file should not stop the list: {err}"
    assert "maya" in out and "broken" in out, out
    assert f"{bad}:4: behaviour.typo_rate" in err, f"warning names file, line and field: {err}"
    code, out, _ = cli("personas", "show", "maya")
    assert code == 0 and "Maya" in out, "a valid built-in still shows"
    assert resolve_persona("calm").id == "calm"
    library = load_persona_library()
    assert [b.path for b in library.broken] == [bad]
    code, _, err = cli("personas", "show", "grumpy")
    assert code == 2 and "typo_rate" in err, "the broken one itself reports its problem"
