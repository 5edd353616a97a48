"""Importing tau2-bench tasks: scenarios that validate, facts where they belong, personas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.content.importers.facts import parse_facts, parse_unknown
from understudy.content.importers.tau2 import convert_task, import_tau2, import_tau2_folder
from understudy.content.loader import load_model
from understudy.content.personas import builtin_persona_paths
from understudy.content.scenarios import load_scenario, scenario_persona
from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import Scenario
from understudy.errors import ContentError


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = shared_data / "tau2"
    out = tmp_path_factory.mktemp("tau2")
    report = import_tau2_folder(data, out)
    assert not report.skipped, f"no task should be skipped, got {report.skipped[:3]}"
    return out


@pytest.fixture(scope="module")
def scenarios(imported: Path) -> list[Scenario]:
    return [load_model(Scenario, p) for p in sorted((imported / "scenarios").glob("*.yaml"))]


def _scenario(out: Path, name: str) -> Scenario:
    return load_model(Scenario, out / "scenarios" / f"{name}.yaml")


def test_all_five_domains_give_at_least_280_valid_scenarios(scenarios: list[Scenario]) -> None:
    domains = {s.tags[1] for s in scenarios}
    assert len(scenarios) >= 280, f"expected >= 280 valid scenarios, got {len(scenarios)}"
    assert domains == {"retail", "airline", "telecom", "banking_knowledge", "mock"}, domains


def test_every_scenario_plays_a_written_persona_or_a_builtin(
    imported: Path, scenarios: list[Scenario]
) -> None:
    written = {p.name for p in (imported / "personas").glob("*.yaml")}
    builtins = {p.stem for p in builtin_persona_paths()} | {"calm"}
    for scenario in scenarios:
        if scenario.persona in builtins:
            continue
        assert scenario.persona.startswith("../personas/"), (
            f"{scenario.id}: an imported persona should be named by a path from the scenario"
        )
        assert Path(scenario.persona).name in written, f"{scenario.id}: unknown persona"


def test_imported_scenario_resolves_its_persona_from_any_folder(
    imported: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario, base = load_scenario(imported / "scenarios" / "tau2-retail-3.yaml")
    persona = scenario_persona(scenario, base)
    assert persona.name == "Yusuf Rossi", "the persona path is relative to the scenario file"


def test_retail_task_3_lands_name_zip_and_forgotten_email(imported: Path) -> None:
    scenario = _scenario(imported, "tau2-retail-3")
    goal = scenario.goal
    assert goal.known_info["name"] == "Yusuf Rossi", goal.known_info
    assert goal.known_info["zip_code"] == "19122", goal.known_info
    assert "email" in goal.unknown_info, "Yusuf does not remember his email"
    assert "email" not in goal.known_info
    assert "tshirt" in goal.reason_for_call
    assert goal.success_conditions == [
        "Agent should tell the user that there are 10 t-shirt options available.",
        "The agent tells the customer: 10",
    ]
    assert scenario.origin.kind == "imported"
    assert scenario.origin.source == "tau2/retail task 3"


def test_private_person_instruction_becomes_a_terse_persona(imported: Path) -> None:
    scenario = _scenario(imported, "tau2-retail-3")
    persona = load_model(Persona, imported / "scenarios" / scenario.persona)
    assert persona.name == "Yusuf Rossi"
    assert "terse" in persona.style_tags, "a private person says little"
    assert persona.origin.describe() == "imported from tau2/retail task 3"


def test_order_id_from_the_reason_for_call_is_a_known_fact(imported: Path) -> None:
    goal = _scenario(imported, "tau2-retail-0").goal
    assert goal.known_info["order_id"] == "#W2378156", goal.known_info


def test_airline_user_id_and_reservation_are_facts(imported: Path) -> None:
    known = _scenario(imported, "tau2-airline-0").goal.known_info
    assert known == {"name": "Emma Kim", "user_id": "emma_kim_9957", "reservation_id": "EHGLP3"}


def test_telecom_persona_paragraph_sets_mood_and_age(imported: Path) -> None:
    name = "tau2-telecom-mobile_data_issue-user_abroad_roaming_disabled_off-persona-hard"
    scenario = _scenario(imported, name)
    persona = load_model(Persona, imported / "scenarios" / scenario.persona)
    assert scenario.goal.known_info["phone_number"] == "555-123-2002"
    assert persona.demographics.age == 64
    assert persona.mood is Mood.confused, "uneasy, overwhelmed, flustered: confused"
    assert persona.behaviour.reassurance_seeking > 0


def test_banking_free_text_gives_opening_line_and_verification_facts(imported: Path) -> None:
    scenario = _scenario(imported, "tau2-banking_knowledge-task_051")
    known = scenario.goal.known_info
    assert known["name"] == "Zhang Mei"
    assert known["phone_number"] == "619-555-0756"
    assert known["date_of_birth"] == "01/24/1991"
    assert scenario.opening_line.startswith("Hi, I'd like to request a credit limit increase")
    assert "credit limit increase" in scenario.goal.reason_for_call
    assert "playing the role" not in scenario.goal.task_instructions


def test_known_info_without_facts_is_kept_as_notes() -> None:
    facts = parse_facts("You are Anya Garcia.\nYou booked the flight about 10 hours ago.")
    assert facts == {"name": "Anya Garcia", "notes": "You booked the flight about 10 hours ago."}


def test_unknown_info_splits_items_from_instructions() -> None:
    items, other = parse_unknown(
        "You don't have an email. If the agent asks for payment method, say credit card."
    )
    assert items == ["email"]
    assert other == ["If the agent asks for payment method, say credit card."]


def test_task_without_reason_is_skipped_with_the_reason(tmp_path: Path) -> None:
    tasks = tmp_path / "retail" / "tasks.json"
    tasks.parent.mkdir()
    good = {"id": "1", "user_scenario": {"instructions": {"reason_for_call": "Return a lamp."}}}
    bad = {"id": "2", "user_scenario": {"instructions": {"reason_for_call": ""}}}
    tasks.write_text(json.dumps([good, bad]), encoding="utf-8")
    report = import_tau2(tasks, tmp_path / "out")
    assert report.counts == {"scenario": 1}
    assert [(s.item, s.reason) for s in report.skipped] == [
        ("tau2/retail task 2", "no reason for call in the task")
    ]


def test_a_file_that_is_not_a_task_list_is_a_content_error(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text('{"not": "tasks"}')
    with pytest.raises(ContentError, match="expected a JSON list of tau2 tasks"):
        import_tau2(path, tmp_path / "out")


def test_convert_task_defaults_to_calm_without_persona_words() -> None:
    task = {
        "id": "9",
        "user_scenario": {
            "instructions": {
                "reason_for_call": "You want to cancel order #W1234567.",
                "known_info": "You are Li Wei.",
                "task_instructions": "If asked, say yes.",
            }
        },
    }
    scenario, persona = convert_task(task, "retail")
    assert persona is None
    assert scenario.persona == "calm"
    assert scenario.goal.intent == "cancel_order"
    assert scenario.goal.known_info == {"name": "Li Wei", "order_id": "#W1234567"}


def test_cli_imports_a_domain_and_reports_counts(shared_data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "import",
            "tau2",
            str(shared_data / "tau2" / "airline" / "tasks.json"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 50 scenarios" in result.output
    assert "Skipped nothing." in result.output


def test_understudy_validate_accepts_every_imported_file(imported: Path) -> None:
    scenarios = sorted((imported / "scenarios").glob("*.yaml"))
    personas = sorted((imported / "personas").glob("*.yaml"))
    assert len(scenarios) >= 280 and personas, "the import should write scenarios and personas"
    result = CliRunner().invoke(
        app, ["validate", *map(str, scenarios + personas)], env={"COLUMNS": "1000"}
    )
    assert result.exit_code == 0, f"validate should accept the tau2 import:\n{result.stderr}"
    assert result.stdout.count("(scenario)") == len(scenarios), "one ok line per scenario"
    assert result.stdout.count("(persona)") == len(personas), "one ok line per persona"
