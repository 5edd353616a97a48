"""Grades: per-criterion scores with a rationale and evidence, and coach reviews that adjust them.

Scores are fractions in [0, 1] (shown as percentages). The overall score is the weighted mean of
the applicable criteria's scores; when a ``fatal`` criterion fails (scores below its pass mark) the
overall score is 0 and the criterion is listed in ``fatal_failed``. A coach review may override
criterion scores; ``Grade.effective`` applies the latest override of each criterion.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from understudy.domain.transcript import Role


class Evidence(BaseModel):
    """A quote from the transcript that supports a score.

    Attributes:
        turn: 1-based message index in the transcript.
        role: who said it.
        quote: text found verbatim in that message.
    """

    turn: int
    role: Role
    quote: str


class CriterionGrade(BaseModel):
    """The grade of one criterion.

    Attributes:
        id: criterion id.
        description: criterion description, copied from the rubric.
        score: 0..1, or None when no check applied to this call (then it does not count).
        weight: the criterion's weight.
        fatal: whether failing it zeroes the overall score.
        pass_mark: score at or above which it counts as passed.
        rationale: a sentence or two explaining the score.
        evidence: quotes with turn numbers.
        overridden_by: coach who overrode the score, if any (set by ``Grade.effective``).
        flags: problems found while grading, e.g. a fabricated quote the LLM grader dropped.
        pass_scores: the score of each pass when the grader graded the call more than once
            (the LLM grader with ``passes: 2``); empty otherwise.
        needs_review: the passes disagreed (see ``pass_scores``), so a coach should look.
    """

    id: str
    description: str = ""
    score: float | None = Field(default=None, ge=0, le=1)
    weight: float = 1.0
    fatal: bool = False
    pass_mark: float = 0.5
    rationale: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    overridden_by: str | None = None
    flags: list[str] = Field(default_factory=list)
    pass_scores: list[float | None] = Field(default_factory=list)
    needs_review: bool = False

    @property
    def passed(self) -> bool | None:
        """True when the score reaches the pass mark; None when not applicable."""
        return None if self.score is None else self.score >= self.pass_mark


class CoachReview(BaseModel):
    """A coach's feedback on an attempt.

    Attributes:
        coach: who wrote it.
        note: the feedback text.
        overrides: criterion id -> score (0..1) that replaces the grader's score.
        created_at: when it was written (UTC).
    """

    coach: str
    note: str = ""
    overrides: dict[str, float] = Field(default_factory=dict)
    created_at: datetime


class Grade(BaseModel):
    """The grade of one attempt against one rubric.

    Attributes:
        rubric_id: the rubric used.
        grader: name of the grader (``offline``, ``llm``...).
        criteria: one entry per criterion, in rubric order.
        overall: weighted score 0..1 (0 when a fatal criterion failed).
        fatal_failed: ids of failed fatal criteria.
    """

    rubric_id: str
    grader: str
    criteria: list[CriterionGrade]
    overall: float = Field(ge=0, le=1)
    fatal_failed: list[str] = Field(default_factory=list)

    @classmethod
    def from_criteria(cls, rubric_id: str, grader: str, criteria: list[CriterionGrade]) -> Grade:
        """Build a grade, computing ``overall`` and ``fatal_failed`` from ``criteria``."""
        overall, fatal = _overall(criteria)
        return cls(
            rubric_id=rubric_id,
            grader=grader,
            criteria=criteria,
            overall=overall,
            fatal_failed=fatal,
        )

    @property
    def to_review(self) -> list[str]:
        """Ids of the criteria whose grading passes disagreed (``needs_review``)."""
        return [c.id for c in self.criteria if c.needs_review]

    @property
    def pass_agreement(self) -> float | None:
        """Share of the criteria graded more than once whose passes agreed (0..1); None when no
        criterion was graded more than once."""
        graded = [c for c in self.criteria if len(c.pass_scores) > 1]
        if not graded:
            return None
        return round(sum(not c.needs_review for c in graded) / len(graded), 4)

    def criterion(self, criterion_id: str) -> CriterionGrade | None:
        """Return the grade of ``criterion_id``, or None."""
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def effective(self, reviews: list[CoachReview]) -> Grade:
        """Return this grade with coach overrides applied, latest review last.

        Args:
            reviews: the attempt's reviews, oldest first.
        """
        criteria = [c.model_copy() for c in self.criteria]
        by_id = {c.id: c for c in criteria}
        for review in reviews:
            for criterion_id, score in review.overrides.items():
                if criterion_id in by_id:
                    by_id[criterion_id].score = score
                    by_id[criterion_id].overridden_by = review.coach
        return Grade.from_criteria(self.rubric_id, self.grader, criteria)


def _overall(criteria: list[CriterionGrade]) -> tuple[float, list[str]]:
    fatal = [c.id for c in criteria if c.fatal and c.passed is False]
    scored = [c for c in criteria if c.score is not None and c.weight > 0]
    total = sum(c.weight for c in scored)
    if fatal or total == 0:
        return 0.0, fatal
    value = sum(c.weight * (c.score or 0.0) for c in scored) / total
    return round(min(max(value, 0.0), 1.0), 4), fatal
