"""How far a grader agrees with human labels: agreement, error, kappa and ranking.

Two sources of human labels:

- a labelled-calls file (``understudy.domain.labels``): practice calls written out with a score
  per criterion, labelled from the rubric and the scenario's policy (``docs/grader-labelling.md``);
- coach reviews stored with practice attempts: for every reviewed attempt, each criterion's label
  is the coach's latest override, or the stored grader score the coach left standing.

``evaluate`` grades every call with a grader and compares, per criterion and over all criteria:

exact agreement
    the grader's score, rounded to the nearest label level (0, 0.5, 1), equals the label; a
    criterion the grader marks not applicable agrees only with a ``null`` label.
mean absolute error
    mean of ``|score - label|`` over the pairs where both scored (0..1).
quadratic-weighted kappa
    Cohen's kappa with quadratic weights (``sklearn.metrics.cohen_kappa_score``) over the rounded
    levels of the pairs where both scored: 1 perfect, 0 chance-level; near-misses (0.5 for 1)
    cost less than opposite scores.
pairwise ranking accuracy
    over every pair of calls whose labelled overall scores differ, the share the grader orders
    the same way (a tie in the grader's overall scores counts half). Overall scores are computed
    the rubric's way (``Grade.from_criteria``: weights, fatal criteria).

It also lists exemplary calls that fail a fatal criterion (a grader should never do that), and,
for a grader that grades every call more than once (the LLM grader with ``passes: 2``), how
often its passes agreed per criterion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from understudy.content.loader import load_model
from understudy.content.scenarios import load_scenario
from understudy.domain.grade import CriterionGrade, Grade
from understudy.domain.labels import LABEL_LEVELS, LabelledCall, LabelledSet
from understudy.domain.persona import Mood
from understudy.domain.rubric import Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult, Message, Role
from understudy.errors import ContentError, ContentProblem, NotFoundError
from understudy.graders.base import Grader, load_rubric

SECONDS_PER_TURN = 8.0
"""Clock spacing of labelled turns (no timing is written in the file), in seconds."""


@dataclass
class Case:
    """One call to grade and the human labels to compare with.

    Attributes:
        id: call id (or ``attempt N``).
        result: the transcript as a conversation result.
        scenario: the scenario practised.
        rubric: the rubric the labels score.
        labels: criterion id -> label (0..1) or None (not applicable).
        exemplary: whether a coach holds it up as a model answer.
    """

    id: str
    result: ConversationResult
    scenario: Scenario
    rubric: Rubric
    labels: dict[str, float | None]
    exemplary: bool = False


@dataclass
class CriterionReport:
    """Agreement on one criterion (or over all, ``criterion == "overall"``).

    Attributes:
        criterion: criterion id.
        n: calls labelled on this criterion.
        scored: pairs where label and grader both gave a score.
        exact: share of exact agreement (0..1), over ``n``.
        mae: mean absolute error over ``scored`` (None when none).
        kappa: quadratic-weighted kappa over ``scored`` (None when undefined).
        pass_agreement: share of calls whose grading passes agreed on this criterion (0..1), over
            the calls graded with more than one pass (the LLM grader's ``passes``); None when
            no call was.
    """

    criterion: str
    n: int
    scored: int
    exact: float
    mae: float | None
    kappa: float | None
    pass_agreement: float | None = None


@dataclass
class Disagreement:
    """One criterion of one call where the grader's level differs from the label."""

    call: str
    criterion: str
    label: float | None
    score: float | None
    rationale: str


@dataclass
class EvaluationReport:
    """Everything ``evaluate`` measured.

    Attributes:
        grader: the grader's name.
        calls: number of calls.
        criteria: one report per criterion, in rubric order, then ``overall``.
        ranking: pairwise ranking accuracy (0..1; None with fewer than two distinct labels).
        pairs: the number of ranked pairs.
        fatal_exemplary: ids of exemplary calls the grader failed on a fatal criterion.
        disagreements: every disagreement, for reading.
    """

    grader: str
    calls: int
    criteria: list[CriterionReport]
    ranking: float | None
    pairs: int
    fatal_exemplary: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def overall(self) -> CriterionReport:
        """The report over all criteria."""
        return self.criteria[-1]


def level(score: float) -> float:
    """Round a score (0..1) to the nearest label level (0, 0.5 or 1)."""
    return min(LABEL_LEVELS, key=lambda lv: (abs(lv - score), -lv))


def result_from_turns(call: LabelledCall) -> ConversationResult:
    """Return the call's transcript as a ``ConversationResult`` (no acts: text only)."""
    messages = []
    for i, turn in enumerate(call.turns):
        speaker, text = next(iter(turn.items()))
        role = Role.customer if speaker == "C" else Role.agent
        messages.append(
            Message(
                index=i + 1,
                role=role,
                text=text,
                clean_text=text if role is Role.customer else None,
                mood=Mood.calm if role is Role.customer else None,
                at_s=i * SECONDS_PER_TURN,
            )
        )
    return ConversationResult(
        conversation_id=call.id,
        messages=messages,
        termination_reason=call.ended,
        duration_s=len(messages) * SECONDS_PER_TURN,
    )


def load_labelled_set(path: Path | str) -> list[Case]:
    """Read a labelled-calls file into cases.

    Raises:
        ContentError: invalid file, unknown scenario or rubric, or a call whose labels do not
            name exactly the rubric's criteria (each problem with file and field).
    """
    path = Path(path)
    labelled = load_model(LabelledSet, path)
    base = path.resolve().parent
    rubric_ref = labelled.rubric
    if rubric_ref.endswith((".yaml", ".yml")):
        rubric_ref = str(base / rubric_ref)
    try:
        scenario, _ = load_scenario(base / labelled.scenario)
        rubric = load_rubric(rubric_ref)
    except NotFoundError as exc:
        raise ContentError([ContentProblem(path, None, "scenario/rubric", str(exc))]) from exc
    wanted = {c.id for c in rubric.criteria}
    problems = []
    for i, call in enumerate(labelled.calls):
        if set(call.labels) != wanted:
            missing = ", ".join(sorted(wanted - set(call.labels))) or "none"
            extra = ", ".join(sorted(set(call.labels) - wanted)) or "none"
            problems.append(
                ContentProblem(
                    path,
                    None,
                    f"calls.{i}.labels",
                    f"call {call.id!r}: expected a label for every criterion of {rubric.id}; "
                    f"missing: {missing}; unknown: {extra}",
                )
            )
    if problems:
        raise ContentError(problems)
    return [
        Case(
            id=call.id,
            result=result_from_turns(call),
            scenario=scenario,
            rubric=rubric,
            labels=dict(call.labels),
            exemplary=call.exemplary,
        )
        for call in labelled.calls
    ]


def labelled_overall(case: Case) -> float:
    """The overall score the labels give, computed the rubric's way (weights, fatal)."""
    criteria = [
        CriterionGrade(
            id=c.id,
            score=case.labels.get(c.id),
            weight=c.weight,
            fatal=c.fatal,
            pass_mark=c.pass_mark,
        )
        for c in case.rubric.criteria
    ]
    return Grade.from_criteria(case.rubric.id, "labels", criteria).overall


def _kappa(labels: list[float], scores: list[float]) -> float | None:
    ints = [round(v * 2) for v in labels]
    preds = [round(level(v) * 2) for v in scores]
    if len(set(ints) | set(preds)) < 2:
        return 1.0 if ints == preds and ints else None
    value = float(cohen_kappa_score(ints, preds, weights="quadratic", labels=[0, 1, 2]))
    return None if math.isnan(value) else round(value, 4)


def _criterion_report(
    criterion: str,
    pairs: list[tuple[float | None, float | None]],
    agreed: list[bool] | None = None,
) -> CriterionReport:
    exact = sum(
        1
        for label, score in pairs
        if (label is None and score is None)
        or (label is not None and score is not None and level(score) == label)
    )
    scored = [(lb, sc) for lb, sc in pairs if lb is not None and sc is not None]
    mae = round(sum(abs(sc - lb) for lb, sc in scored) / len(scored), 4) if scored else None
    kappa = _kappa([lb for lb, _ in scored], [sc for _, sc in scored]) if scored else None
    return CriterionReport(
        criterion=criterion,
        n=len(pairs),
        scored=len(scored),
        exact=round(exact / len(pairs), 4) if pairs else 0.0,
        mae=mae,
        kappa=kappa,
        pass_agreement=round(sum(agreed) / len(agreed), 4) if agreed else None,
    )


def compare(cases: list[Case], grades: list[Grade], grader: str) -> EvaluationReport:
    """Compare grades with the cases' labels (see the module docs for each figure).

    Args:
        cases: the labelled calls.
        grades: one grade per case, in the same order.
        grader: the grader's name, for the report.
    """
    order: list[str] = []
    for case in cases:
        order += [c.id for c in case.rubric.criteria if c.id not in order]
    per: dict[str, list[tuple[float | None, float | None]]] = {cid: [] for cid in order}
    everything: list[tuple[float | None, float | None]] = []
    agreed: dict[str, list[bool]] = {cid: [] for cid in order}
    disagreements: list[Disagreement] = []
    for case, grade in zip(cases, grades, strict=True):
        for cid, label in case.labels.items():
            got = grade.criterion(cid)
            score = got.score if got is not None else None
            per.setdefault(cid, []).append((label, score))
            everything.append((label, score))
            if got is not None and len(got.pass_scores) > 1:
                agreed.setdefault(cid, []).append(not got.needs_review)
            agrees = (label is None and score is None) or (
                label is not None and score is not None and level(score) == label
            )
            if not agrees:
                disagreements.append(
                    Disagreement(case.id, cid, label, score, got.rationale if got else "")
                )
    reports = [_criterion_report(cid, per[cid], agreed.get(cid)) for cid in order if per[cid]]
    reports.append(
        _criterion_report("overall", everything, [a for v in agreed.values() for a in v])
    )
    wins, pairs = 0.0, 0
    for (case_a, grade_a), (case_b, grade_b) in combinations(zip(cases, grades, strict=True), 2):
        la, lb = labelled_overall(case_a), labelled_overall(case_b)
        if la == lb:
            continue
        pairs += 1
        ga, gb = grade_a.overall, grade_b.overall
        if ga == gb:
            wins += 0.5
        elif (ga > gb) == (la > lb):
            wins += 1
    return EvaluationReport(
        grader=grader,
        calls=len(cases),
        criteria=reports,
        ranking=round(wins / pairs, 4) if pairs else None,
        pairs=pairs,
        fatal_exemplary=[
            case.id
            for case, grade in zip(cases, grades, strict=True)
            if case.exemplary and grade.fatal_failed
        ],
        disagreements=disagreements,
    )


async def evaluate(cases: list[Case], grader: Grader) -> EvaluationReport:
    """Grade every case with ``grader`` and compare with the labels."""
    grades = [await grader.grade(case.result, case.rubric, case.scenario) for case in cases]
    return compare(cases, grades, grader.name)


def coach_case(
    attempt_id: int,
    result: ConversationResult,
    scenario: Scenario,
    rubric: Rubric,
    graded: Grade,
    overrides: dict[str, float],
) -> Case:
    """Return a reviewed attempt as a case: coach overrides, else the score the coach kept.

    Args:
        attempt_id: the attempt, for the report.
        result: its transcript.
        scenario: the scenario snapshot it was practised on.
        rubric: the rubric its grade used.
        graded: the grade the coach reviewed.
        overrides: criterion id -> the coach's latest override (0..1).
    """
    labels: dict[str, float | None] = {}
    for criterion in rubric.criteria:
        if criterion.id in overrides:
            labels[criterion.id] = level(overrides[criterion.id])
        else:
            kept = graded.criterion(criterion.id)
            labels[criterion.id] = None if kept is None or kept.score is None else level(kept.score)
    return Case(f"attempt {attempt_id}", result, scenario, rubric, labels)
