"""The LLM grader's two-pass agreement: disagreeing criteria are flagged for coach review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelRequest, UserPromptPart
from pydantic_ai.models.function import AgentInfo
from typer.testing import CliRunner

import understudy.cli.graders
import understudy.cli.practice  # noqa: F401  (registers the commands)
from test_llm_grader import RESULT, RUBRIC, SCENARIO
from understudy.cli.apps import app
from understudy.domain.grade import Grade
from understudy.domain.transcript import Message
from understudy.graders.evaluation import compare, load_labelled_set
from understudy.graders.llm import LLMGrader
from understudy.llm.run import LLMRun
from understudy.llm.settings import LLMSettings
from understudy.testing import FakeModel

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "examples" / "grading" / "heldout.yaml"


def reply(empathy: float | None, resolution: float | None) -> dict[str, Any]:
    return {
        "criteria": [
            {"id": "empathy", "rationale": "Turn 2 apologises.", "score": empathy},
            {"id": "resolution", "rationale": "Turn 4 refunds.", "score": resolution},
        ]
    }


def two_pass(model: FakeModel, **options: Any) -> LLMGrader:
    return LLMGrader(run=LLMRun(LLMSettings(cache=False)), llm_model=model, passes=2, **options)


def prompt_of(request: list[ModelMessage]) -> str:
    parts = [p for m in request if isinstance(m, ModelRequest) for p in m.parts]
    return "\n".join(str(p.content) for p in parts if isinstance(p, UserPromptPart))


async def test_two_passes_that_disagree_flag_the_criterion_for_coach_review() -> None:
    model = FakeModel(reply(1.0, 1.0), reply(0.0, 0.75))
    grade = await two_pass(model).grade(RESULT, RUBRIC, SCENARIO)
    assert model.calls == 2, "one model call per pass"
    empathy, resolution = grade.criterion("empathy"), grade.criterion("resolution")
    assert empathy is not None and resolution is not None
    assert empathy.pass_scores == [1.0, 0.0] and empathy.needs_review
    assert empathy.score == 0.5, "the score is the mean of the passes"
    assert any("passes disagree" in f for f in empathy.flags)
    assert "flagged for coach review" in empathy.rationale
    assert resolution.pass_scores == [1.0, 0.75] and not resolution.needs_review, (
        "a quarter apart is within one label level: the passes agree"
    )
    assert grade.to_review == ["empathy"] and grade.pass_agreement == 0.5


async def test_the_second_pass_uses_another_seed_and_the_reverse_criteria_order() -> None:
    seeds: list[object] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> dict[str, Any]:
        seeds.append((info.model_settings or {}).get("seed"))
        return reply(1.0, 1.0)

    model = FakeModel(default=answer)
    grade = await two_pass(model).grade(RESULT, RUBRIC, SCENARIO)
    assert seeds == [0, 1]
    first, second = (prompt_of(r) for r in model.requests)
    assert first.index('"id": "empathy"') < first.index('"id": "resolution"')
    assert second.index('"id": "resolution"') < second.index('"id": "empathy"')
    assert not grade.to_review and grade.pass_agreement == 1.0


async def test_a_criterion_one_pass_marks_not_applicable_is_a_disagreement() -> None:
    grade = await two_pass(FakeModel(reply(1.0, None), reply(1.0, 1.0))).grade(
        RESULT, RUBRIC, SCENARIO
    )
    resolution = grade.criterion("resolution")
    assert resolution is not None and resolution.needs_review
    assert resolution.pass_scores == [None, 1.0] and resolution.score == 1.0


async def test_passes_come_from_the_llm_settings_when_not_given() -> None:
    model = FakeModel(default=reply(1.0, 1.0))
    grader = LLMGrader(run=LLMRun(LLMSettings(cache=False, grader_passes=2)), llm_model=model)
    grade = await grader.grade(RESULT, RUBRIC, SCENARIO)
    assert model.calls == 2 and grade.pass_agreement == 1.0
    single = LLMGrader(
        run=LLMRun(LLMSettings(cache=False)), llm_model=FakeModel(default=reply(1, 1))
    )
    one = await single.grade(RESULT, RUBRIC, SCENARIO)
    assert one.pass_agreement is None and one.criteria[0].pass_scores == []


def test_the_evaluation_report_gives_per_criterion_pass_agreement() -> None:
    cases = load_labelled_set(HELDOUT)
    grades = []
    for i, case in enumerate(cases):
        criteria = []
        for c in case.rubric.criteria:
            label = case.labels[c.id]
            disagree = c.id == "empathy" and i % 2 == 0
            criteria.append(
                {
                    "id": c.id,
                    "score": label,
                    "weight": c.weight,
                    "fatal": c.fatal,
                    "pass_scores": [label, label],
                    "needs_review": disagree,
                }
            )
        grades.append(Grade.model_validate({**_grade_shell(case.rubric.id), "criteria": criteria}))
    report = compare(cases, grades, "llm")
    by_id = {r.criterion: r for r in report.criteria}
    assert by_id["greeting"].pass_agreement == 1.0
    expected = round(sum(1 for i in range(len(cases)) if i % 2) / len(cases), 4)
    assert by_id["empathy"].pass_agreement == expected
    assert by_id["overall"].pass_agreement is not None and by_id["overall"].pass_agreement < 1.0


def _grade_shell(rubric_id: str) -> dict[str, Any]:
    return {"rubric_id": rubric_id, "grader": "llm", "overall": 0.0}


def test_graders_evaluate_with_two_passes_prints_how_often_they_agreed() -> None:
    args = ["graders", "evaluate", str(HELDOUT), "--grader", "llm", "--model", "test"]
    result = CliRunner().invoke(app, [*args, "--passes", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["criteria"][-1]["pass_agreement"] == 1.0, "the test model answers alike"
    offline = CliRunner().invoke(app, ["graders", "evaluate", str(HELDOUT), "--passes", "2"])
    assert offline.exit_code == 2 and "--passes applies to the LLM grader" in offline.output


@pytest.mark.usefixtures("database")
async def test_attempts_show_and_the_evaluation_tab_show_the_disagreement() -> None:
    from understudy.content.loader import load_model
    from understudy.content.personas import resolve_persona
    from understudy.domain.scenario import Scenario
    from understudy.storage.attempt_store import AttemptStore
    from understudy.web import create_app
    from web_helpers import signed_in

    path = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
    scenario = load_model(Scenario, path)
    store = AttemptStore()
    attempt = store.start_attempt(
        "kim", scenario, resolve_persona(str(path.parent / scenario.persona))
    )
    for message in RESULT.messages:
        store.add_message(attempt, Message(**message.model_dump()))
    grade = await two_pass(FakeModel(reply(1.0, 1.0), reply(0.0, 1.0))).grade(
        RESULT, RUBRIC, SCENARIO
    )
    store.save_grade(attempt, grade)
    shown = CliRunner().invoke(app, ["attempts", "show", str(attempt)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "passes 100% / 0%" in shown.output and "passes disagree" in shown.output
    assert "for coach review: empathy" in shown.output
    with signed_in(create_app()) as client:
        page = client.get(f"/attempts/{attempt}?tab=evaluation")
    assert page.status_code == 200
    assert "passes 100% / 0%" in page.text and "Passes disagree: for coach review" in page.text
