"""Labelled practice calls: transcripts with a human score per rubric criterion.

A labelled-calls file (``# kind: labelled-calls``; format in ``docs/grader-labelling.md``) holds
practice calls written out turn by turn, each labelled per criterion of one rubric by a person
following the labelling guide. ``understudy graders evaluate FILE`` grades every call and reports
how far a grader agrees with the labels.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from understudy.domain.base import StrictModel
from understudy.domain.transcript import TerminationReason

LABEL_LEVELS = (0.0, 0.5, 1.0)
"""The scores a labeller may give a criterion (besides ``null`` for not applicable): 0 missed,
0.5 partly done, 1 done. Three levels, because two coaches rarely agree on finer steps."""


class LabelledCall(StrictModel):
    """One practice call with its labels.

    Attributes:
        id: unique within the file.
        varies: the behaviour this call varies from the exemplary call, in a few words.
        exemplary: True for a call a coach would hold up as a model answer (it must not fail
            a fatal criterion).
        ended: why the call ended (default ``trainee_ended``; ``goal_met`` when the exit
            condition cut it short).
        turns: the transcript, one ``{C: text}`` (customer) or ``{A: text}`` (agent, the
            trainee) mapping per turn, in order.
        labels: criterion id -> 0, 0.5 or 1, or null when the criterion could not be observed
            on this call; every criterion of the rubric must be labelled.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    varies: str = ""
    exemplary: bool = False
    ended: TerminationReason = TerminationReason.trainee_ended
    turns: list[dict[str, str]] = Field(min_length=1)
    labels: dict[str, float | None]

    @field_validator("turns")
    @classmethod
    def _one_speaker_per_turn(cls, turns: list[dict[str, str]]) -> list[dict[str, str]]:
        for turn in turns:
            if len(turn) != 1 or next(iter(turn)) not in {"C", "A"}:
                raise ValueError(f"expected one key, C (customer) or A (agent), got {turn!r}")
        return turns

    @field_validator("labels")
    @classmethod
    def _known_levels(cls, labels: dict[str, float | None]) -> dict[str, float | None]:
        for criterion, value in labels.items():
            if value is not None and value not in LABEL_LEVELS:
                raise ValueError(f"expected 0, 0.5, 1 or null for {criterion!r}, got {value!r}")
        return labels


class LabelledSet(StrictModel):
    """A file of labelled practice calls for one scenario and rubric.

    Attributes:
        scenario: path of the scenario practised, relative to this file.
        rubric: rubric id or path (relative to this file) the labels score.
        calls: the labelled calls; ids unique.
    """

    scenario: str
    rubric: str
    calls: list[LabelledCall] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> LabelledSet:
        seen: set[str] = set()
        for call in self.calls:
            if call.id in seen:
                raise ValueError(f"expected unique call ids, got {call.id!r} twice")
            seen.add(call.id)
        return self
