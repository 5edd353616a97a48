"""The offline, rule-based grader: every criterion scored by its checks, no LLM.

A criterion's score is the mean of its applicable checks' scores (see ``graders.checks``); its
rationale joins the checks' sentences and its evidence their quotes. A criterion with no
applicable check (e.g. empathy when the customer never complained) gets no score and does not
count towards the overall score.
"""

from __future__ import annotations

from understudy.domain.grade import CriterionGrade, Grade
from understudy.domain.rubric import Criterion, Rubric
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ConversationResult
from understudy.graders.base import Grader
from understudy.graders.checks import run_check


class OfflineGrader(Grader):
    """Scores each criterion from its rule-based checks (deterministic, instant)."""

    name = "offline"

    async def grade(self, result: ConversationResult, rubric: Rubric, scenario: Scenario) -> Grade:
        """Return the grade of ``result`` against ``rubric`` (see the module docs)."""
        criteria = [grade_criterion(c, result, scenario) for c in rubric.criteria]
        return Grade.from_criteria(rubric.id, self.name, criteria)


def grade_criterion(
    criterion: Criterion, result: ConversationResult, scenario: Scenario
) -> CriterionGrade:
    """Score one criterion: mean of its applicable checks."""
    outcomes = [run_check(check, result, scenario) for check in criterion.checks]
    scores = [o.score for o in outcomes if o.score is not None]
    score = round(sum(scores) / len(scores), 4) if scores else None
    evidence = []
    seen: set[tuple[int, str]] = set()
    for outcome in outcomes:
        for item in outcome.evidence:
            if (item.turn, item.quote) not in seen:
                seen.add((item.turn, item.quote))
                evidence.append(item)
    return CriterionGrade(
        id=criterion.id,
        description=criterion.description,
        score=score,
        weight=criterion.weight,
        fatal=criterion.fatal,
        pass_mark=criterion.pass_mark,
        rationale=" ".join(o.rationale for o in outcomes),
        evidence=evidence,
    )
