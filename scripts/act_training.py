"""What the act-model training scripts share: ``train_grader_acts.py``, ``train_agent_acts.py``.

Both read the agent segments of the Harper Valley calls (Gridspace-Stanford Harper Valley
corpus, Apache-2.0, Copyright 2020 Gridspace Inc.) under ``--data``, split as
``benchmarks/bench_realism.py`` splits them
(``understudy.content.importers.harper_valley.is_calibration_call``), and:

* fit a TF-IDF (word 1-2 grams, sublinear tf) and one logistic regression per act (balanced class
  weights) on the calibration calls' segments (``fit``), exported as the JSON that
  ``understudy.simulators.offline.agent_acts.AgentActModel`` reads in plain Python;
* choose where the model is used by cross-validation on the calibration calls, in folds grouped
  by call (``mean_gains``), an act being used when its mean F1 gain is at least ``MIN_GAIN``;
* measure the figures on the report calls, stored in the artifact's ``evaluation``, and write
  the artifact unless ``--check`` is given (``run``: each script's ``main``).

The scripts import it from their own folder (``python scripts/NAME.py`` puts it on the path).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from understudy.content.importers.harper_valley import Call, is_calibration_call, load_calls
from understudy.simulators.offline.agent_acts import AgentActModel

REPO = Path(__file__).resolve().parents[1]
TOKEN_PATTERN = r"[a-z0-9']+"
PREFIX = "gridspace_"
"""What Harper Valley's act labels start with (``gridspace_greeting`` is ``greeting``)."""
MIN_GAIN = 0.02
"""Smallest mean cross-validated F1 gain for an act to use the model: below it the difference
is within what relabelling a few segments of one fold moves."""


class Labelled(Protocol):
    """An agent segment: its call's id, its words and the acts it carries."""

    @property
    def call(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def acts(self) -> frozenset[str]: ...


Example = TypeVar("Example", bound=Labelled)


def segment_acts(labels: Iterable[str], acts: Sequence[str]) -> frozenset[str]:
    """The acts of ``acts`` among a segment's Harper Valley ``labels`` (``PREFIX`` removed)."""
    return frozenset(label.removeprefix(PREFIX) for label in labels) & set(acts)


def fit_sklearn(train: Sequence[Labelled], acts: Sequence[str]) -> tuple[Any, list[Any]]:
    """Fit the vectoriser and one classifier per act of ``acts`` (in that order) on ``train``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, lowercase=True
    )
    matrix = vectoriser.fit_transform([e.text for e in train])
    models = []
    for act in acts:
        model = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced")
        models.append(model.fit(matrix, [int(act in e.acts) for e in train]))
    return vectoriser, models


def export(vectoriser: Any, models: Sequence[Any], acts: Sequence[str]) -> dict[str, Any]:
    """The artifact's JSON: token pattern, acts, intercepts, thresholds (0.5), ``used`` (empty)
    and, for every n-gram, its idf and one weight per act (6 decimals)."""
    terms = vectoriser.get_feature_names_out()
    return {
        "token_pattern": TOKEN_PATTERN,
        "acts": list(acts),
        "intercepts": [round(float(m.intercept_[0]), 6) for m in models],
        "thresholds": [0.5] * len(acts),
        "used": [],
        "vocabulary": {
            str(term): [round(float(idf), 6), [round(float(m.coef_[0][i]), 6) for m in models]]
            for i, (term, idf) in enumerate(zip(terms, vectoriser.idf_, strict=True))
        },
    }


def fit(train: Sequence[Labelled], acts: Sequence[str]) -> dict[str, Any]:
    """Fit on ``train`` and return the artifact's JSON (``used`` left empty)."""
    return export(*fit_sklearn(train, acts), acts)


def prf(predicted: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class (0 where undefined)."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def mean_gains(
    examples: Sequence[Example],
    acts: Sequence[str],
    gains: Callable[[list[Example], list[Example]], Mapping[str, float]],
    folds: int = 5,
) -> dict[str, float]:
    """Per act, the mean over ``folds`` folds of ``examples`` grouped by call (no call in two
    folds) of ``gains(train, test)``: one fold's F1 gains per act."""
    from sklearn.model_selection import GroupKFold

    total = dict.fromkeys(acts, 0.0)
    groups = [e.call for e in examples]
    for train, test in GroupKFold(n_splits=folds).split(examples, groups=groups):
        fold = gains([examples[i] for i in train], [examples[i] for i in test])
        for act in acts:
            total[act] += fold[act]
    return {act: total[act] / folds for act in acts}


def parse_args(description: str, out: Path, argv: list[str] | None) -> argparse.Namespace:
    """The scripts' options: ``--data`` (default ``../shared/data``), ``--out`` (default
    ``out``) and ``--check`` (print the figures, write nothing)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--check", action="store_true", help="print figures, write nothing")
    return parser.parse_args(argv)


def split_calls(data: Path) -> tuple[list[Call], list[Call]] | None:
    """The calibration and the report calls of ``data/harper_valley/calls.jsonl``; None (said
    on stderr) when the file is missing."""
    path = data / "harper_valley" / "calls.jsonl"
    if not path.exists():
        print(f"no data at {path}", file=sys.stderr)
        return None
    calls = load_calls(path)
    return (
        [c for c in calls if is_calibration_call(c.id)],
        [c for c in calls if not is_calibration_call(c.id)],
    )


def evaluation(train_segments: int, report_segments: int, report: Any) -> dict[str, Any]:
    """The artifact's ``evaluation``: where the figures come from, and the figures."""
    return {
        "source": "Harper Valley agent segments; fitted on calibration calls, measured on "
        "report calls",
        "train_segments": train_segments,
        "report_segments": report_segments,
        "report": report,
    }


def write_artifact(raw: Mapping[str, Any], out: Path) -> None:
    """Write ``raw`` to ``out`` as compact JSON with sorted keys, and say so."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(raw, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


def run(
    argv: list[str] | None,
    *,
    description: str,
    out: Path,
    examples: Callable[[Iterable[Call]], list[Example]],
    select: Callable[[list[Example]], list[str]],
    fit: Callable[[Sequence[Example]], dict[str, Any]],
    figures: Callable[[AgentActModel, Sequence[Example]], Any],
    summary: Callable[[int, int, list[str], Any], str],
) -> int:
    """A training script's run: choose the acts used on the calibration calls (``select``), fit
    on all of them, measure on the report calls (``figures``), print ``summary(calibration
    segments, report segments, used, figures)`` and write the artifact unless ``--check``.

    Returns:
        The exit code: 0, or 2 when the data is missing.
    """
    args = parse_args(description, out, argv)
    split = split_calls(args.data)
    if split is None:
        return 2
    calibration, report = (examples(calls) for calls in split)
    used = select(calibration)
    raw = fit(calibration)
    raw["used"] = used
    scores = figures(AgentActModel.from_json(raw), report)
    raw["evaluation"] = evaluation(len(calibration), len(report), scores)
    print(summary(len(calibration), len(report), used, scores))
    if not args.check:
        write_artifact(raw, args.out)
    return 0
