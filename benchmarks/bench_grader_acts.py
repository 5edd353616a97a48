"""The offline grader's act recognisers on real calls nobody on the team wrote or labelled.

Run from the repository root::

    python benchmarks/bench_grader_acts.py

The grader's recognisers (``understudy.graders.acts``) were written, tuned and measured on the
repository's labelled practice calls (``examples/grading``), which the same person wrote. This
benchmark measures them on independent, human-labelled data instead: the agent segments of the
Harper Valley bank calls (``../shared/data/harper_valley``, Apache-2.0, Copyright 2020 Gridspace
Inc.), whose dialogue-act labels map onto three grader acts:

* ``greeting`` (label ``gridspace_greeting``) against ``acts.GREETING`` or ``acts.COURTESY``;
* ``closing`` (``gridspace_closing``) against ``acts.CLOSING`` or ``acts.POLITE_CLOSE``;
* ``identity question`` (``gridspace_data_question``) against ``acts.identity_fields_asked``;
  the label covers every data question, the recogniser only identity fields, so its recall is
  bounded by design and only its precision says much.

Beside each, a TF-IDF (word 1-2 grams) + logistic regression fitted on the calibration calls'
segments (the split of ``benchmarks/bench_realism.py``), and "either" (recogniser or model).
Every figure is on the report calls' segments, never used for fitting. The benchmark is not run
by the tests; it needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from understudy.content.importers.harper_valley import is_calibration_call, load_calls
from understudy.graders import acts

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "harper_valley"

RECOGNISERS: dict[str, tuple[str, Callable[[acts.Sentence], bool]]] = {
    "greeting": (
        "gridspace_greeting",
        lambda s: bool(acts.GREETING.search(s.low) or acts.COURTESY.search(s.low)),
    ),
    "closing": (
        "gridspace_closing",
        lambda s: bool(acts.CLOSING.search(s.low) or acts.POLITE_CLOSE.search(s.low)),
    ),
    "identity question": (
        "gridspace_data_question",
        lambda s: bool(acts.identity_fields_asked(s)),
    ),
}
"""Grader act -> (Harper Valley label, the grader's recogniser on one sentence)."""


def segments(calibration: bool, path: Path) -> list[tuple[str, frozenset[str]]]:
    """Agent segments (text, labels) of one part of the calls."""
    out = []
    for call in load_calls(path):
        if is_calibration_call(call.id) != calibration:
            continue
        for seg in call.segments():
            if seg.speaker == "agent":
                out.append((seg.text, frozenset(seg.acts)))
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
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA / "calls.jsonl")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    train, test = segments(True, args.data), segments(False, args.data)
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"[a-z0-9']+", sublinear_tf=True)
    x_train = vectoriser.fit_transform([t for t, _ in train])
    x_test = vectoriser.transform([t for t, _ in test])
    print(
        f"Grader acts on Harper Valley agent segments: fitted on {len(train)} (calibration), "
        f"measured on {len(test)} (report)"
    )
    print(f"{'act':<20}{'way':<12}{'precision':>10}{'recall':>8}{'F1':>6}")
    for name, (label, recognise) in RECOGNISERS.items():
        truth = [label in labels for _, labels in test]
        model = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced")
        model.fit(x_train, [label in labels for _, labels in train])
        learnt = [bool(p) for p in model.predict(x_test)]
        rules = [any(recognise(s) for s in acts.sentences(text)) for text, _ in test]
        either = [a or b for a, b in zip(rules, learnt, strict=True)]
        for way, predicted in (("grader", rules), ("model", learnt), ("either", either)):
            p, r, f = scores(predicted, truth)
            print(f"{name:<20}{way:<12}{p:>10.2f}{r:>8.2f}{f:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
