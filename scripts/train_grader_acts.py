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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import act_training
from act_training import MIN_GAIN, REPO, prf, segment_acts

from understudy.content.importers.harper_valley import Call
from understudy.graders import acts
from understudy.simulators.offline.agent_acts import AgentActModel

OUT = REPO / "src" / "understudy" / "graders" / "data" / "grader_acts.json"


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
            labels = segment_acts(segment.acts, acts.MODEL_ACTS)
            out.append(Example(call.id, segment.text, labels))
    return out


def fit(train: Sequence[Example]) -> dict[str, Any]:
    """Fit on ``train`` and return the artifact's JSON (``used`` left empty)."""
    return act_training.fit(train, acts.MODEL_ACTS)


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

    def gains(train: list[Example], test: list[Example]) -> dict[str, float]:
        scores = figures(AgentActModel.from_json(fit(train)), test)
        return {a: scores[a]["rule or model"][2] - scores[a]["rule"][2] for a in acts.MODEL_ACTS}

    mean = act_training.mean_gains(calibration, acts.MODEL_ACTS, gains, folds)
    return [act for act in acts.MODEL_ACTS if mean[act] >= MIN_GAIN]


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


def summary(calibration: int, report: int, used: list[str], scores: Any) -> str:
    """What the run prints: the segments, the acts used and the held-apart figures."""
    return "\n".join(
        [
            f"agent segments: {calibration} calibration (training and selection), "
            f"{report} report (held apart)",
            f"acts where the grader adds the model to its rule (cross-validated): {used}",
            table(scores, used),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Train, select on calibration calls, measure on report calls, write the artifact."""
    return act_training.run(
        argv,
        description=__doc__.splitlines()[0],
        out=OUT,
        examples=examples,
        select=select,
        fit=fit,
        figures=figures,
        summary=summary,
    )


if __name__ == "__main__":
    raise SystemExit(main())
