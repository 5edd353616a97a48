"""Train the offline grader's act model on the Harper Valley calls, and choose where it is used.

The grader recognises what an agent sentence does with hand-written rules
(``understudy.graders.acts.RULES``). For three acts the Harper Valley bank calls carry human
labels (Gridspace-Stanford Harper Valley corpus, Apache-2.0, Copyright 2020 Gridspace Inc.):

* ``greeting`` (``gridspace_greeting``): rule ``acts.GREETING`` (hi, hello, good morning...);
* ``data_question`` (``gridspace_data_question``): rule ``acts.ASKING`` (the sentence asks the
  caller for something); the grader's identity question is an identity field named in a
  sentence that asks (``acts.identity_fields_asked``);
* ``closing`` (``gridspace_closing``): rule ``acts.CLOSING`` or ``acts.POLITE_CLOSE``.

The calls are split as ``benchmarks/bench_realism.py`` splits them
(``understudy.content.importers.harper_valley.is_calibration_call``):

* calibration calls: a TF-IDF (word 1-2 grams, sublinear tf) + one logistic regression per act
  (balanced class weights) is fitted on their agent segments, and the choice of where the grader
  uses it is made on them by 5-fold cross-validation grouped by call: an act is *used* (the rule
  or the model, ``acts.recognise``) when that union beats the rule alone by at least
  ``MIN_GAIN`` in mean F1;
* report calls: never seen by either step; the figures printed (and stored in the artifact's
  ``evaluation``) are measured on them.

The weights are written as JSON to ``src/understudy/graders/data/grader_acts.json`` and read in
plain Python (``understudy.simulators.offline.agent_acts.AgentActModel``): no scikit-learn and no
data at run time.

Usage::

    python scripts/train_grader_acts.py [--data ../shared/data] [--out PATH] [--check]

``--check`` trains and prints the figures without writing the artifact.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from understudy.content.importers.harper_valley import Call, is_calibration_call, load_calls
from understudy.graders import acts
from understudy.simulators.offline.agent_acts import AgentActModel

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "understudy" / "graders" / "data" / "grader_acts.json"
TOKEN_PATTERN = r"[a-z0-9']+"
PREFIX = "gridspace_"
MIN_GAIN = 0.02
"""Smallest mean cross-validated F1 gain of rule-or-model over the rule for an act to use the
model: below it the difference is within what relabelling a few segments moves."""


@dataclass(frozen=True)
class Example:
    """One agent segment: its call, words and the grader acts (``acts.MODEL_ACTS``) it carries."""

    call: str
    text: str
    acts: frozenset[str]


def examples(calls: Iterable[Call]) -> list[Example]:
    """Every non-empty agent segment of ``calls``."""
    out: list[Example] = []
    for call in calls:
        for segment in call.segments():
            if segment.speaker != "agent" or not segment.text.strip():
                continue
            labels = frozenset(a.removeprefix(PREFIX) for a in segment.acts)
            out.append(Example(call.id, segment.text, labels & set(acts.MODEL_ACTS)))
    return out


def fit(train: Sequence[Example]) -> dict[str, Any]:
    """Fit on ``train`` and return the artifact's JSON (``used`` left empty)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, lowercase=True
    )
    matrix = vectoriser.fit_transform([e.text for e in train])
    models = []
    for act in acts.MODEL_ACTS:
        model = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced")
        models.append(model.fit(matrix, [int(act in e.acts) for e in train]))
    terms = vectoriser.get_feature_names_out()
    return {
        "token_pattern": TOKEN_PATTERN,
        "acts": list(acts.MODEL_ACTS),
        "intercepts": [round(float(m.intercept_[0]), 6) for m in models],
        "thresholds": [0.5] * len(acts.MODEL_ACTS),
        "used": [],
        "vocabulary": {
            str(term): [round(float(idf), 6), [round(float(m.coef_[0][i]), 6) for m in models]]
            for i, (term, idf) in enumerate(zip(terms, vectoriser.idf_, strict=True))
        },
    }


def prf(predicted: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class (0 where undefined)."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


WAYS = ("rule", "model", "rule or model", "grader")


def predictions(model: AgentActModel, data: Sequence[Example]) -> dict[str, dict[str, list[bool]]]:
    """Per act and way of recognising, one prediction per example (a segment is positive when
    any of its sentences is). ``grader`` is what ``acts.recognise`` does with ``model``: the
    rule, or rule-or-model for the acts in ``model.used``."""
    out = {act: {way: [] for way in WAYS} for act in acts.MODEL_ACTS}
    for example in data:
        parts = acts.sentences(example.text)
        heard = model.acts_heard(example.text, only_used=False)
        for act in acts.MODEL_ACTS:
            rule = any(acts.RULES[act](s) for s in parts)
            learnt = act in heard
            out[act]["rule"].append(rule)
            out[act]["model"].append(learnt)
            out[act]["rule or model"].append(rule or learnt)
            out[act]["grader"].append(any(acts.recognise(act, s, model) for s in parts))
    return out


def figures(model: AgentActModel, data: Sequence[Example]) -> dict[str, dict[str, list[float]]]:
    """Per act and way: [precision, recall, F1], rounded to 3 places."""
    predicted = predictions(model, data)
    return {
        act: {
            way: [round(v, 3) for v in prf(p, [act in e.acts for e in data])]
            for way, p in by_way.items()
        }
        for act, by_way in predicted.items()
    }


def select(calibration: Sequence[Example], folds: int = 5) -> list[str]:
    """Acts whose rule-or-model F1 beats the rule's by ``MIN_GAIN`` on average over ``folds``
    folds of the calibration calls, grouped by call."""
    from sklearn.model_selection import GroupKFold

    gains = dict.fromkeys(acts.MODEL_ACTS, 0.0)
    groups = [e.call for e in calibration]
    for train, test in GroupKFold(n_splits=folds).split(calibration, groups=groups):
        model = AgentActModel.from_json(fit([calibration[i] for i in train]))
        scores = figures(model, [calibration[i] for i in test])
        for act in acts.MODEL_ACTS:
            gains[act] += scores[act]["rule or model"][2] - scores[act]["rule"][2]
    return [act for act in acts.MODEL_ACTS if gains[act] / folds >= MIN_GAIN]


def table(scores: dict[str, dict[str, list[float]]], used: Sequence[str]) -> str:
    """The held-apart figures as a Markdown table."""
    lines = [
        "| act | rule P / R / F1 | model P / R / F1 | grader now P / R / F1 | model used |",
        "|---|---|---|---|---|",
    ]
    for act, by_way in scores.items():
        cells = [" / ".join(f"{v:.2f}" for v in by_way[w]) for w in ("rule", "model", "grader")]
        lines.append(f"| {act} | {' | '.join(cells)} | {'yes' if act in used else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Train, select on calibration calls, measure on report calls, write the artifact."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="print figures, write nothing")
    args = parser.parse_args(argv)
    path = args.data / "harper_valley" / "calls.jsonl"
    if not path.exists():
        print(f"no data at {path}", file=sys.stderr)
        return 2
    calls = load_calls(path)
    calibration = examples(c for c in calls if is_calibration_call(c.id))
    report = examples(c for c in calls if not is_calibration_call(c.id))
    used = select(calibration)
    raw = fit(calibration)
    raw["used"] = used
    scores = figures(AgentActModel.from_json(raw), report)
    raw["evaluation"] = {
        "source": "Harper Valley agent segments; fitted on calibration calls, measured on "
        "report calls",
        "train_segments": len(calibration),
        "report_segments": len(report),
        "report": scores,
    }
    print(
        f"agent segments: {len(calibration)} calibration (training and selection), "
        f"{len(report)} report (held apart)"
    )
    print(f"acts where the grader adds the model to its rule (cross-validated): {used}")
    print(table(scores, used))
    if not args.check:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(raw, sort_keys=True, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
