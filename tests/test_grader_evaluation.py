"""Measuring a grader against labels: the figures, the labelled set, the CLI, coach reviews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import understudy.cli.graders
import understudy.cli.practice  # noqa: F401
from understudy.cli.apps import app
from understudy.domain.grade import CriterionGrade, Grade
from understudy.errors import ContentError
from understudy.graders.evaluation import Case, compare, labelled_overall, level, load_labelled_set

REPO = Path(__file__).resolve().parents[1]
GRADING = REPO / "examples" / "grading"
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"


def grade_with(case: Case, scores: dict[str, float | None]) -> Grade:
    """A grade with ``scores``, weighted and fatal as the case's rubric says."""
    criteria = [
        CriterionGrade(id=c.id, score=scores[c.id], weight=c.weight, fatal=c.fatal)
        for c in case.rubric.criteria
    ]
    return Grade.from_criteria(case.rubric.id, "fake", criteria)


def test_scores_round_to_the_nearest_label_level() -> None:
    assert [level(s) for s in (0.0, 0.2, 0.3, 0.6, 0.74, 0.76, 1.0)] == [
        0.0,
        0.0,
        0.5,
        0.5,
        0.5,
        1.0,
        1.0,
    ]


def test_a_grader_that_copies_the_labels_agrees_perfectly() -> None:
    cases = load_labelled_set(GRADING / "heldout.yaml")
    grades = [grade_with(case, case.labels) for case in cases]
    report = compare(cases, grades, "copy")
    assert report.overall.exact == 1.0 and report.overall.kappa == 1.0
    assert report.overall.mae == 0.0
    assert report.ranking == 1.0, "identical criterion scores should rank every pair the same"
    assert not report.disagreements and not report.fatal_exemplary


def test_a_grader_that_gives_everything_full_marks_is_caught() -> None:
    cases = load_labelled_set(GRADING / "heldout.yaml")
    grades = [grade_with(case, dict.fromkeys(case.labels, 1.0)) for case in cases]
    report = compare(cases, grades, "lenient")
    assert report.overall.kappa is not None and report.overall.kappa <= 0.0, (
        "a constant grader should show no agreement beyond chance"
    )
    assert report.ranking == 0.5, "a grader that ties every call ranks at chance (ties count half)"
    identity = next(r for r in report.criteria if r.criterion == "identity_verification")
    assert identity.exact < 1.0 and identity.mae is not None and identity.mae > 0


def test_failing_a_fatal_criterion_on_an_exemplary_call_is_reported() -> None:
    cases = load_labelled_set(GRADING / "heldout.yaml")
    grades = []
    for case in cases:
        labels = dict(case.labels)
        if case.exemplary:
            labels["identity_verification"] = 0.0
        grades.append(grade_with(case, labels))
    report = compare(cases, grades, "strict")
    assert report.fatal_exemplary == [c.id for c in cases if c.exemplary]


def test_labelled_overall_applies_weights_and_the_fatal_rule() -> None:
    cases = {c.id: c for c in load_labelled_set(GRADING / "calibration.yaml")}
    assert labelled_overall(cases["cal-01-exemplary"]) == 1.0
    assert labelled_overall(cases["cal-03-verification-skipped"]) == 0.0, (
        "a failed fatal criterion zeroes the labelled overall score"
    )


def test_the_labelled_set_varies_behaviours_and_keeps_its_parts_apart() -> None:
    calibration = load_labelled_set(GRADING / "calibration.yaml")
    heldout = load_labelled_set(GRADING / "heldout.yaml")
    assert len(calibration) >= 20 and len(heldout) >= 24
    texts = {
        tuple(m.text for m in case.result.messages if m.role.value == "agent")
        for case in calibration
    }
    assert not any(
        tuple(m.text for m in case.result.messages if m.role.value == "agent") in texts
        for case in heldout
    ), "no held-out call should repeat a calibration call"
    for case in heldout:
        assert any(v is not None for v in case.labels.values())


def test_labels_naming_the_wrong_criteria_are_refused_with_the_file(tmp_path: Path) -> None:
    text = (GRADING / "calibration.yaml").read_text(encoding="utf-8")
    text = text.replace("scenario: ../scenarios/", f"scenario: {REPO}/examples/scenarios/")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("greeting: 1, identity", "greting: 1, identity", 1), encoding="utf-8"
    )
    with pytest.raises(ContentError) as raised:
        load_labelled_set(bad)
    message = str(raised.value)
    assert "bad.yaml" in message and "greting" in message and "cal-01-exemplary" in message


def test_graders_evaluate_prints_the_figures_for_a_labelled_file() -> None:
    result = CliRunner().invoke(
        app, ["graders", "evaluate", str(GRADING / "heldout.yaml")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for text in ("identity_verification", "kappa", "overall", "Pairwise ranking accuracy"):
        assert text in result.output
    as_json = CliRunner().invoke(
        app, ["graders", "evaluate", str(GRADING / "heldout.yaml"), "--json"]
    )
    data = json.loads(as_json.stdout)
    assert data["calls"] == 24 and data["criteria"][-1]["criterion"] == "overall"


def test_graders_evaluate_against_coach_reviews() -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["graders", "evaluate", "--coach-reviews"])
    assert empty.exit_code == 2 and "no reviewed attempts" in empty.output
    args = ["practice", str(SCENARIO), "--script", str(POOR), "--json", "--opening-pause", "0"]
    attempt = json.loads(runner.invoke(app, args).stdout)
    review = runner.invoke(
        app,
        ["attempts", "review", str(attempt["id"]), "--coach", "Ana", "--override", "greeting=1"],
    )
    assert review.exit_code == 0, review.output
    result = runner.invoke(app, ["graders", "evaluate", "--coach-reviews", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["calls"] == 1
    missed = [d for d in data["disagreements"] if d["criterion"] == "greeting"]
    assert missed and missed[0]["label"] == 1.0, (
        "the coach's override is the label the grader is measured against"
    )


def test_graders_evaluate_needs_exactly_one_source() -> None:
    result = CliRunner().invoke(app, ["graders", "evaluate"])
    assert result.exit_code == 2 and "LABELS" in result.output
