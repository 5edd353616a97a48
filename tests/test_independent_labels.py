"""The independent labelled sets in examples/grading are well-formed (no grader is run here).

Each set is one rubric's calls split into a calibration half and a held-out half
(``independent-NAME-calibration.yaml`` / ``independent-NAME-heldout.yaml``, each half possibly
continued in later parts such as ``independent-NAME-calibration-2.yaml``; see "The independent
set" in docs/grader-labelling.md). These tests read them through the project's labelled-call
loader only: every call labels every criterion of its rubric on the guide's scale, ids are unique
across both halves, both halves exist (calibration within the share SETS allows), each criterion
can be measured in each half, exemplary calls pass their fatal criteria, and "not applicable" is
used only where the trainee had no turn left to show the behaviour.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from understudy.domain.labels import LABEL_LEVELS
from understudy.domain.transcript import Role, TerminationReason
from understudy.graders.evaluation import Case, labelled_overall, load_labelled_set

GRADING = Path(__file__).resolve().parents[1] / "examples" / "grading"
SETS = {
    "returns": ("customer-service-call", 40, 0.5),
    "sales": ("sales-discovery-call", 24, 0.7),
}
"""Set name -> (rubric id, least number of calls over both halves, largest calibration share).

The split was fixed at about 40/60 when each set was written. The sales set's calibration half was
later grown on purpose by a second writer (``independent-sales-calibration-2.yaml``, more material
to tune ranking on) while its held-out half stayed as it was, so calibration may reach 70% there;
held-out still keeps at least 30%."""

SPLITS = ("calibration", "heldout")


def files(name: str, split: str) -> list[Path]:
    """The half's file and any later parts (``independent-NAME-SPLIT-2.yaml``, ...), in order."""
    parts = sorted(GRADING.glob(f"independent-{name}-{split}-*.yaml"))
    return [GRADING / f"independent-{name}-{split}.yaml", *parts]


def load(name: str, split: str) -> list[Case]:
    return [case for path in files(name, split) for case in load_labelled_set(path)]


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


@pytest.mark.parametrize("name", sorted(SETS))
def test_both_halves_load_with_every_criterion_labelled_on_the_scale(name: str) -> None:
    rubric_id, least, most_calibration = SETS[name]
    halves = {split: load(name, split) for split in SPLITS}
    total = sum(len(cases) for cases in halves.values())
    assert total >= least
    share = len(halves["calibration"]) / total
    assert 0.3 <= share <= most_calibration, (
        f"calibration is {share:.0%} of the {name} set, expected 30-{most_calibration:.0%}"
    )
    ids = [case.id for cases in halves.values() for case in cases]
    assert len(ids) == len(set(ids)), "call ids repeat across the two halves"
    for cases in halves.values():
        for case in cases:
            assert case.rubric.id == rubric_id
            assert set(case.labels) == {c.id for c in case.rubric.criteria}, case.id
            for criterion, label in case.labels.items():
                assert label is None or label in LABEL_LEVELS, (case.id, criterion, label)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(SETS))
def test_each_half_can_measure_every_criterion_and_rank_calls(name: str, split: str) -> None:
    cases = load(name, split)
    for criterion in cases[0].rubric.criteria:
        levels = {case.labels[criterion.id] for case in cases} - {None}
        assert len(levels) >= 2, f"{split}: every call has {criterion.id} = {levels}"
    overall = [labelled_overall(case) for case in cases]
    assert any(case.exemplary for case in cases), f"{split} has no exemplary call"
    assert max(overall) == 1.0 and min(overall) < 0.5, "no spread of overall scores to rank"


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(SETS))
def test_exemplary_calls_are_labelled_as_model_answers(name: str, split: str) -> None:
    for case in load(name, split):
        if case.exemplary:
            assert all(label in (1.0, None) for label in case.labels.values()), case.id
            assert labelled_overall(case) == 1.0, case.id


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(SETS))
def test_not_applicable_only_when_the_trainee_had_no_turn_left(name: str, split: str) -> None:
    for case in load(name, split):
        if None not in case.labels.values():
            continue
        last = case.result.messages[-1]
        assert last.role is Role.customer, f"{case.id}: n/a but the trainee spoke last"
        assert case.result.termination_reason is not TerminationReason.trainee_ended, (
            f"{case.id}: n/a but the trainee ended the call and could have spoken"
        )


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(SETS))
def test_calls_open_with_the_scenario_line_and_alternate_speakers(name: str, split: str) -> None:
    for case in load(name, split):
        first = case.result.messages[0]
        assert first.role is Role.customer
        assert words(first.text) == words(case.scenario.opening_line), case.id
        roles = [m.role for m in case.result.messages]
        assert all(a is not b for a, b in pairwise(roles)), case.id
