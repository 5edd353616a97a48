"""Train the offline simulator's agent dialogue-act recogniser on the Harper Valley calls.

Reads ``harper_valley/calls.jsonl`` under ``--data`` (Gridspace-Stanford Harper Valley corpus,
Apache-2.0, Copyright 2020 Gridspace Inc.): every agent segment with its dialogue-act labels.
The calls are split as ``benchmarks/bench_realism.py`` splits them
(``understudy.content.importers.harper_valley.is_calibration_call``):

* calibration calls: the model is fitted on them, and the choice of which acts the simulator
  takes from the model is made on them, by 5-fold cross-validation grouped by call: an act is
  *used* when the simulator's reading with the model (``read_agent_turn``) beats the cues
  alone by at least ``MIN_GAIN`` in F1, averaged over the folds;
* report calls: never seen by either step; the figures printed (and stored in the artifact's
  ``evaluation``) are measured on them.

Model: ``TfidfVectorizer`` (word 1-2 grams, sublinear tf) and one ``LogisticRegression`` per act
(balanced class weights). The fitted weights are written as JSON to
``src/understudy/simulators/offline/data/agent_acts.json``; the package reads them with
``understudy.simulators.offline.agent_acts`` in plain Python (no scikit-learn at run time).

Usage::

    python scripts/train_agent_acts.py [--data ../shared/data] [--out PATH] [--check]

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

from understudy.content.importers.harper_valley import (
    Call,
    is_calibration_call,
    load_calls,
    scenario_for,
)
from understudy.simulators.offline.agent_acts import ACTS, AgentActModel
from understudy.simulators.offline.understanding import cue_acts, read_agent_turn

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "understudy" / "simulators" / "offline" / "data" / "agent_acts.json"
TOKEN_PATTERN = r"[a-z0-9']+"
PREFIX = "gridspace_"
CANDIDATES = ("data_question", "confirm_data", "closing", "bear_with_me")
"""Acts the simulator may take from the model; ``open_question`` is measured but not used,
since its label joins "how can I help" and "anything else", which the customer answers
differently."""
MIN_GAIN = 0.02
"""Smallest mean cross-validated F1 gain for an act to be taken from the model: below it the
difference is within what one fold's relabelling of a few segments moves."""


@dataclass(frozen=True)
class Example:
    """One agent segment: its call, words, Harper Valley acts and the caller's slot keys."""

    call: str
    text: str
    acts: frozenset[str]
    keys: tuple[str, ...]


def examples(calls: Iterable[Call]) -> list[Example]:
    """Every non-empty agent segment of ``calls``, with the acts of ``ACTS`` it carries."""
    out: list[Example] = []
    for call in calls:
        goal = scenario_for(call).goal
        keys = (*goal.known_info, *goal.unknown_info)
        for segment in call.segments():
            if segment.speaker != "agent":
                continue
            acts = frozenset(a.removeprefix(PREFIX) for a in segment.acts) & set(ACTS)
            out.append(Example(call.id, segment.text, acts, keys))
    return out


def fit_sklearn(train: Sequence[Example]) -> tuple[Any, list[Any]]:
    """Fit the vectoriser and one classifier per act of ``ACTS`` (in that order)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, lowercase=True
    )
    matrix = vectoriser.fit_transform([e.text for e in train])
    models = []
    for act in ACTS:
        labels = [int(act in e.acts) for e in train]
        model = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced")
        models.append(model.fit(matrix, labels))
    return vectoriser, models


def export(vectoriser: Any, models: Sequence[Any]) -> dict[str, Any]:
    """The artifact's JSON: token pattern, idf and one weight per act for every n-gram."""
    terms = vectoriser.get_feature_names_out()
    vocabulary = {
        str(term): [round(float(idf), 6), [round(float(m.coef_[0][i]), 6) for m in models]]
        for i, (term, idf) in enumerate(zip(terms, vectoriser.idf_, strict=True))
    }
    return {
        "token_pattern": TOKEN_PATTERN,
        "acts": list(ACTS),
        "intercepts": [round(float(m.intercept_[0]), 6) for m in models],
        "thresholds": [0.5] * len(ACTS),
        "used": [],
        "vocabulary": vocabulary,
    }


def fit(train: Sequence[Example]) -> dict[str, Any]:
    """Fit on ``train`` and return the artifact's JSON (``used`` left empty)."""
    return export(*fit_sklearn(train))


def f1(predicted: Sequence[bool], truth: Sequence[bool]) -> float:
    """F1 of the positive class (0 when neither side has a positive)."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def predictions(model: AgentActModel, data: Sequence[Example]) -> dict[str, dict[str, list[bool]]]:
    """Per way of reading and act: the prediction per example.

    The ways: ``cues`` (the hand-written cues alone), ``model`` (the recogniser alone, every
    act), ``simulator`` (what ``read_agent_turn`` reads with ``model``: the cues plus the model
    for the acts in ``model.used``, in the simulator's terms through ``cue_acts``).
    """
    out: dict[str, dict[str, list[bool]]] = {
        way: {act: [] for act in ACTS} for way in ("cues", "model", "simulator")
    }
    for example in data:
        cues = cue_acts(read_agent_turn(example.text, example.keys, use_model=False))
        heard = model.acts_heard(example.text, only_used=False)
        simulator = cue_acts(read_agent_turn(example.text, example.keys, model=model))
        for act in ACTS:
            out["cues"][act].append(act in cues)
            out["model"][act].append(act in heard)
            out["simulator"][act].append(act in simulator)
    return out


def figures(model: AgentActModel, data: Sequence[Example]) -> dict[str, dict[str, float]]:
    """Per act and way of reading (``predictions``): F1 and accuracy; plus macro F1 per way."""
    predicted = predictions(model, data)
    out: dict[str, dict[str, float]] = {}
    for way, by_act in predicted.items():
        row: dict[str, float] = {}
        for act in ACTS:
            truth = [act in e.acts for e in data]
            row[f"{act}.f1"] = round(f1(by_act[act], truth), 3)
            hits = sum(p == t for p, t in zip(by_act[act], truth, strict=True))
            row[f"{act}.accuracy"] = round(hits / max(len(data), 1), 3)
        row["macro_f1"] = round(sum(row[f"{a}.f1"] for a in ACTS) / len(ACTS), 3)
        out[way] = row
    return out


def select(calibration: Sequence[Example], folds: int = 5) -> list[str]:
    """Acts of ``CANDIDATES`` the simulator takes from the model, by grouped cross-validation.

    Each fold's model is used for every candidate act; an act is kept when the simulator's
    reading beats the cues alone on it.

    Returns:
        The acts whose F1 gain, averaged over ``folds`` folds grouped by call, is at least
        ``MIN_GAIN``.
    """
    from sklearn.model_selection import GroupKFold

    gains = dict.fromkeys(ACTS, 0.0)
    groups = [e.call for e in calibration]
    for train, test in GroupKFold(n_splits=folds).split(calibration, groups=groups):
        raw = fit([calibration[i] for i in train])
        raw["used"] = list(CANDIDATES)
        scores = figures(AgentActModel.from_json(raw), [calibration[i] for i in test])
        for act in ACTS:
            gains[act] += scores["simulator"][f"{act}.f1"] - scores["cues"][f"{act}.f1"]
    return [act for act in CANDIDATES if gains[act] / folds >= MIN_GAIN]


def table(scores: dict[str, dict[str, float]], used: Sequence[str]) -> str:
    """The held-apart figures as a Markdown table."""
    lines = [
        "| act | cues F1 | model F1 | simulator F1 | cues accuracy | simulator accuracy | used |",
        "|---|---|---|---|---|---|---|",
    ]
    for act in ACTS:
        lines.append(
            f"| {act} | {scores['cues'][f'{act}.f1']:.2f} | {scores['model'][f'{act}.f1']:.2f}"
            f" | {scores['simulator'][f'{act}.f1']:.2f} | {scores['cues'][f'{act}.accuracy']:.2f}"
            f" | {scores['simulator'][f'{act}.accuracy']:.2f} | {'yes' if act in used else 'no'} |"
        )
    lines.append(
        f"| macro | {scores['cues']['macro_f1']:.2f} | {scores['model']['macro_f1']:.2f}"
        f" | {scores['simulator']['macro_f1']:.2f} | | | |"
    )
    lines.append(
        f"\nMacro F1 of what the simulator reads (model for the used acts, cues for the rest): "
        f"{scores['simulator']['macro_f1']:.2f}, against {scores['cues']['macro_f1']:.2f} "
        f"for the cues alone."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Train, select, evaluate on report calls, and write the artifact."""
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
    model = AgentActModel.from_json(raw)
    scores = figures(model, report)
    raw["evaluation"] = {
        "source": "Harper Valley agent segments; fitted on calibration calls, measured on "
        "report calls",
        "train_segments": len(calibration),
        "report_segments": len(report),
        "report": scores,
    }
    print(
        f"agent segments: {len(calibration)} calibration (training), "
        f"{len(report)} report (held apart)"
    )
    print(f"acts used by the simulator (cross-validated on calibration calls): {used}")
    print(table(scores, used))
    if not args.check:
        args.out.write_text(json.dumps(raw, sort_keys=True, separators=(",", ":")) + "\n")
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
