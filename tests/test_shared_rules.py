"""One copy of shared logic: one content hash, one generic scenario, one parser of dates and ids."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from understudy.agents.resolve import generic_scenario, resolve_agent
from understudy.cli.app import app
from understudy.cli.assign import parse_day, parse_moment
from understudy.content.hashing import content_hash, snapshot
from understudy.content.ids import slugify
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.storage.attempt_store import AttemptStore

REPO = Path(__file__).resolve().parents[1]


runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


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
