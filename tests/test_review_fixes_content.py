"""Fixes from code review: persona and scenario lookup, cross-checks, honest options and
messages, narrow terminals, imported content that runs as written, one copy of shared logic."""

from __future__ import annotations

import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from understudy.agents.resolve import generic_scenario, resolve_agent
from understudy.cli.app import app
from understudy.cli.assign import parse_day, parse_moment, sessions_table
from understudy.cli.personas import persona_table
from understudy.cli.practice import attempts_table
from understudy.content.hashing import content_hash, snapshot
from understudy.content.ids import slugify
from understudy.content.personas import load_persona_library, resolve_persona
from understudy.content.scenarios import load_scenario, scenario_persona
from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.errors import ConfigError, ContentError
from understudy.practice.briefing import load_documents
from understudy.runs import plan_stress_test
from understudy.storage.attempt_records import AttemptSummary, SessionSummary
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import RunSpec, Store

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


# 1. A scenario's persona path is relative to the scenario, for stress-test as for practice.


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


# 2. One malformed persona file does not break the library.


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


# 3. validate/assign check what practice needs; clearer errors.


def _scenario_copy(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(RETAIL.read_text(encoding="utf-8"))
    data.update(changes)
    shutil.copytree(RETAIL.parent / "practice-personas", tmp_path / "practice-personas")
    shutil.copytree(RETAIL.parent / "practice-docs", tmp_path / "practice-docs")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_validate_reports_unknown_persona_document_and_rubric_with_lines(tmp_path: Path) -> None:
    path = _scenario_copy(
        tmp_path,
        persona="nobody",
        rubric="no-such-rubric",
        briefing={"documents": ["practice-docs/missing.md"]},
    )
    code, _, err = cli("validate", str(path))
    assert code == 2, "a scenario practice cannot play is invalid"
    lines = path.read_text(encoding="utf-8").splitlines()
    persona_line = next(i for i, t in enumerate(lines, 1) if t.startswith("persona:"))
    assert f"{path}:{persona_line}: persona: no persona with id 'nobody'" in err, err
    assert "briefing.documents.0: document not found" in err, err
    assert "rubric: no rubric with id 'no-such-rubric'" in err, err
    code, _, err = cli("assign", str(path), "--trainee", "sam")
    assert code == 2 and "no persona with id 'nobody'" in err, "assign checks too"


def test_valid_example_scenarios_still_validate() -> None:
    paths = sorted((REPO / "examples" / "scenarios").glob("*.yaml"))
    code, _, err = cli("validate", *map(str, paths))
    assert code == 0, err


def test_missing_briefing_document_names_its_path(tmp_path: Path) -> None:
    path = _scenario_copy(tmp_path, briefing={"documents": ["practice-docs/missing.md"]})
    scenario, base = load_scenario(path)
    with pytest.raises(ContentError) as caught:
        load_documents(scenario, base)
    text = str(caught.value)
    assert "<input>" not in text and str(base / "practice-docs" / "missing.md") in text, text


def test_practice_on_a_flow_file_says_it_is_a_flow() -> None:
    code, _, err = cli("practice", str(REFUND_FLOW))
    assert code == 2
    assert "this file is a flow, not a scenario" in err, err
    assert "unknown field" not in err, "no field-by-field noise for the wrong kind of file"


# 4. Options are honoured or rejected.


def test_version_is_rejected_for_a_flow() -> None:
    code, _, err = cli("stress-test", str(REFUND_FLOW), "--version", "production", "-n", "1")
    assert code == 2 and "--version production applies to agent personas only" in err, err
    with pytest.raises(ConfigError):
        resolve_agent(str(REFUND_FLOW), version="3")


def test_preview_rejects_an_unknown_intent_listing_known_ones() -> None:
    code, _, err = cli("personas", "preview", "maya", "--intent", "nosuch")
    assert code == 2 and "no intent 'nosuch'" in err and "get_refund" in err, err


def test_personas_list_rejects_a_missing_scenario_folder(tmp_path: Path) -> None:
    code, _, err = cli("personas", "list", "--scenarios", str(tmp_path / "missingdir"))
    assert code == 2 and "missingdir" in err, err


def test_runs_list_limit_must_be_positive_and_help_names_the_commands() -> None:
    for bad in ("0", "-1"):
        code, _, _ = cli("runs", "list", "--limit", bad)
        assert code == 2, f"--limit {bad} should be refused, not mean 'no limit'"
    _, out, _ = cli("personas", "--help")
    assert "list, show, preview, new, edit, generate" in out, out


# 5. Messages say what happened; flow filters match the file, literally.


def _store_run(store: Store, ref: str, name: str = "Refund") -> str:
    spec = RunSpec(
        agent_kind="flow",
        agent_ref=ref,
        agent_name=name,
        persona_id="calm",
        scenario_ids=["x"],
        simulator_kind="offline",
        seed="0",
        n=1,
        concurrency=1,
    )
    run_id = store.create_run(spec)
    result = ConversationResult(
        conversation_id="c0", termination_reason=TerminationReason.goal_met, seed=0
    )
    store.save_conversation(run_id, 0, result, scenario_id="x", seed=0)
    return run_id


def test_empty_filters_say_nothing_matches() -> None:
    Store()
    code, out, _ = cli("runs", "list", "--persona", "nosuch")
    assert code == 0 and "no runs match --persona nosuch" in out, out
    code, out, _ = cli("report", "--scenario", "nosuch")
    assert code == 0 and "No practice matches --scenario nosuch" in out, out


def test_runs_list_flow_matches_relative_and_absolute_paths_literally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    store = Store()
    plan = plan_stress_test("examples/flows/refund.yaml", n=1)
    assert plan.agent.ref == str(REFUND_FLOW), "flow runs store the absolute path"
    wanted = _store_run(store, plan.agent.ref)
    other = _store_run(store, "/tmp/flows/refundXyaml", name="Other")
    for given in ("examples/flows/refund.yaml", str(REFUND_FLOW), "refund.yaml"):
        _, out, _ = cli("runs", "list", "--flow", given)
        assert wanted[:8] in out and other[:8] not in out, f"--flow {given}: {out}"
    _, out, _ = cli("runs", "list", "--flow", "refund_yaml")
    assert "no runs match" in out, "'_' is a literal character, not a wildcard"


# 6. Tables stay readable at 80 columns.


def _render(table: object) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_personas_list_is_readable_at_80_columns() -> None:
    library = load_persona_library()
    rows = sorted(library.personas.values(), key=lambda item: item[0].id)
    text = _render(persona_table(rows, width=80))
    assert "Calm, cooperative" in text, f"summaries should not fold to a few letters:\n{text}"
    assert "frustrated-cardholder" in text, "ids stay on one line"
    assert all(len(line) <= 80 for line in text.splitlines())


def test_attempt_and_session_tables_keep_every_cell_at_80_columns() -> None:
    when = datetime(2026, 3, 1, 9, 30)
    attempts = [
        AttemptSummary(
            id=12,
            number=3,
            trainee="alexandra",
            scenario_id="practice-retail-return",
            started_at=when,
            duration_s=312,
            termination_reason="trainee_ended",
            status="finished",
            evaluation_status="graded",
            overall=0.82,
        )
    ]
    text = _render(attempts_table(attempts, width=80))
    assert "…" not in text and "82%" in text and "5:12" in text, text
    sessions = [
        SessionSummary.model_validate(
            {
                "id": 4,
                "trainee": "alexandra",
                "scenario_id": "practice-retail-return",
                "attempts": 2,
                "status": "To do",
                "deadline": "2026-03-10",
                "per_week": 3,
                "this_week": 1,
                "created_at": when,
                "assigned": True,
                "assigned_by": "coach",
            }
        )
    ]
    text = _render(sessions_table(sessions, width=80))
    assert "…" not in text and "To do" in text and "1/3" in text and "2026-03-10" in text, text


# 7. Imported ABCD scenarios can finish their flow.


def test_abcd_scenarios_know_only_values_the_flow_accepts(
    shared_data: Path, tmp_path: Path
) -> None:
    from understudy.content.flows import load_flow
    from understudy.content.importers.abcd import import_abcd
    from understudy.domain.flow import CollectNode

    import_abcd(shared_data / "abcd" / "guidelines.json", tmp_path, subflow="search_results")
    [flow_path] = sorted((tmp_path / "flows").glob("*search_results*.yaml"))
    flow = load_flow(flow_path)
    scenario, _ = load_scenario(flow_path.parent / str(flow.default_scenario))
    for node in flow.nodes.values():
        if isinstance(node, CollectNode) and node.choices:
            values = [c.value for c in node.choices]
            assert scenario.goal.known_info[node.slot] in values, (
                f"{node.slot}={scenario.goal.known_info[node.slot]!r} is not one of {values}"
            )


# 8. One copy of shared logic.


def test_one_content_hash_for_runs_and_attempts() -> None:
    persona = resolve_persona("maya")
    scenario = load_scenario(REPO / "examples" / "scenarios" / "refund-sofia-li-tau2.yaml")[0]
    run_hash = content_hash(persona)  # what a stress-test run stores (understudy.runs.plan)
    store = AttemptStore(now=lambda: datetime(2026, 3, 1))
    attempt = store.start_attempt("kim", scenario, persona)
    assert store.get(attempt).persona_hash == run_hash, "same persona, same hash everywhere"
    assert store.get(attempt).scenario_hash == content_hash(scenario)
    assert json.loads(snapshot(persona)) == persona.model_dump(mode="json"), (
        "a snapshot holds every field, so it loads back as it was"
    )


def test_agents_without_a_flow_use_the_one_generic_scenario() -> None:
    _, info = resolve_agent("string:capwords")
    assert info.generic_scenario == generic_scenario("string:capwords", slug="callable")
    assert info.generic_scenario.id == "callable-generic"
    assert info.generic_scenario.persona == "calm"
    assert generic_scenario("Shop bot").id == "shop-bot-generic"


def test_dates_and_ids_share_one_parser() -> None:
    moment = parse_moment("2026-03-01", "--now")
    assert moment is not None and parse_day("2026-03-01", "--now") == moment.date()
    assert parse_moment("2026-03-01T10:00+02:00", "--now") == datetime(2026, 3, 1, 8, 0)
    assert slugify("Maya O'Brien") == "maya-o-brien" and slugify("!!", "persona") == "persona"


def test_a_new_optional_field_does_not_change_the_hash_of_content_that_leaves_it_unset() -> None:
    from understudy.content.hashing import content_hash
    from understudy.domain.scenario import CustomerGoal, Scenario

    class ScenarioWithANewField(Scenario):  # a later version of the model
        new_field: str | None = None

    goal = CustomerGoal(reason_for_call="refund")
    before = Scenario(id="s", persona="calm", goal=goal)
    after = ScenarioWithANewField(id="s", persona="calm", goal=goal)
    assert content_hash(after) == content_hash(before), "stored hashes stay comparable"
    assert content_hash(after.model_copy(update={"new_field": "x"})) != content_hash(before), (
        "a field that is set still changes the hash"
    )
