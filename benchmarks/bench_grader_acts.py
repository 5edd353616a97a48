"""The offline grader's act recognisers on real calls nobody on the team wrote or labelled.

Run from the repository root::

    python benchmarks/bench_grader_acts.py

The grader's rules (``understudy.graders.acts``) were written, tuned and measured on the
repository's labelled practice calls (``examples/grading``). This benchmark measures them on
independent, human-labelled data instead: the agent segments of the Harper Valley bank calls
(``../shared/data/harper_valley``, Apache-2.0, Copyright 2020 Gridspace Inc.), report calls only
(the calibration calls trained the grader's act model, ``scripts/train_grader_acts.py``). Per
act, three ways of recognising:

* ``rule``: the hand-written rule alone (what the grader did before the model was wired in);
* ``model``: the shipped act model alone (``understudy/graders/data/grader_acts.json``);
* ``grader now``: what the grader uses, ``acts.recognise`` (the rule, or rule-or-model for the
  acts where that won in cross-validation on the calibration calls).

Acts and labels:

* ``greeting`` (``gridspace_greeting``): rule ``acts.GREETING``; ``greeting or courtesy`` is
  the old benchmark row, ``acts.GREETING`` or ``acts.COURTESY`` ("thank you for calling" counts
  as a greeting anywhere), kept for comparison;
* ``closing`` (``gridspace_closing``): rule ``acts.CLOSING`` or ``acts.POLITE_CLOSE``;
* ``data question`` (``gridspace_data_question``): rule ``acts.ASKING`` (the model counts only in
  a sentence of ``acts.REQUEST_FORM``);
* ``identity question``: a data question that names an identity field (``acts.IDENTITY_FIELDS``),
  against ``acts.identity_fields_asked`` (before: field named and ``acts.ASKING``). Few segments
  qualify, so this row is indicative only.

A segment counts as positive when any of its sentences is. The benchmark is not run by the
tests; it needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from understudy.content.importers.harper_valley import is_calibration_call, load_calls
from understudy.graders import acts

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "harper_valley"

Recogniser = Callable[[acts.Sentence], bool]


def _names_field(sentence: acts.Sentence) -> bool:
    return any(p.search(sentence.low) for p in acts.IDENTITY_FIELDS.values())


def _model(act: str) -> Recogniser:
    return lambda s: act in acts.act_model().acts_heard(s.low, only_used=False)


ROWS: list[tuple[str, str, dict[str, Recogniser]]] = [
    (
        "greeting",
        "gridspace_greeting",
        {
            "greeting or courtesy": lambda s: bool(
                acts.GREETING.search(s.low) or acts.COURTESY.search(s.low)
            ),
            "rule": acts.RULES["greeting"],
            "model": _model("greeting"),
            "grader now": lambda s: acts.recognise("greeting", s),
        },
    ),
    (
        "closing",
        "gridspace_closing",
        {
            "rule": acts.RULES["closing"],
            "model": _model("closing"),
            "grader now": lambda s: acts.recognise("closing", s),
        },
    ),
    (
        "data question",
        "gridspace_data_question",
        {
            "rule": acts.RULES["data_question"],
            "model": _model("data_question"),
            "grader now": lambda s: acts.recognise("data_question", s),
        },
    ),
    (
        "identity question",
        "gridspace_data_question",
        {
            "rule": lambda s: _names_field(s) and acts.RULES["data_question"](s),
            "grader now": lambda s: bool(acts.identity_fields_asked(s)),
        },
    ),
]
"""(grader act, Harper Valley label, way of recognising -> recogniser on one sentence)."""


def segments(path: Path) -> list[tuple[list[acts.Sentence], frozenset[str]]]:
    """Agent segments of the report calls: (sentences, labels)."""
    out = []
    for call in load_calls(path):
        if is_calibration_call(call.id):
            continue
        for seg in call.segments():
            if seg.speaker == "agent" and seg.text.strip():
                out.append((acts.sentences(seg.text), frozenset(seg.acts)))
    return out


def scores(predicted: list[bool], truth: list[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def main(argv: list[str] | None = None) -> int:
    """Print precision, recall and F1 per act and way of recognising, on report calls."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA / "calls.jsonl")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    test = segments(args.data)
    used = sorted(acts.act_model().used)
    print(
        f"Grader acts on {len(test)} Harper Valley agent segments of the report calls "
        f"(model used for: {', '.join(used) or 'none'})"
    )
    print(f"{'act':<20}{'way':<22}{'precision':>10}{'recall':>8}{'F1':>6}{'positives':>11}")
    for name, label, ways in ROWS:
        if name == "identity question":
            truth = [label in labels and any(map(_names_field, ss)) for ss, labels in test]
        else:
            truth = [label in labels for _, labels in test]
        for way, recognise in ways.items():
            predicted = [any(recognise(s) for s in ss) for ss, _ in test]
            p, r, f = scores(predicted, truth)
            print(f"{name:<20}{way:<22}{p:>10.2f}{r:>8.2f}{f:>6.3f}{sum(truth):>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
