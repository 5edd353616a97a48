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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import act_training
from act_training import MIN_GAIN, REPO, prf, segment_acts

from understudy.content.importers.harper_valley import Call, scenario_for
from understudy.simulators.offline.agent_acts import ACTS, AgentActModel
from understudy.simulators.offline.understanding import cue_acts, read_agent_turn

OUT = REPO / "src" / "understudy" / "simulators" / "offline" / "data" / "agent_acts.json"
CANDIDATES = ("data_question", "confirm_data", "closing", "bear_with_me")
"""Acts the simulator may take from the model; ``open_question`` is measured but not used,
since its label joins "how can I help" and "anything else", which the customer answers
differently."""


@dataclass(frozen=True)
class Example:
    """One agent segment: its call, words, Harper Valley acts and the caller's slot keys."""

    call: str
    text: str
    acts: frozenset[str]
    keys: tuple[str, ...]


def examples(calls: Iterable[Call]) -> list[Example]:
    """Every agent segment of ``calls``, with the acts of ``ACTS`` it carries."""
    out: list[Example] = []
    for call in calls:
        goal = scenario_for(call).goal
        keys = (*goal.known_info, *goal.unknown_info)
        for segment in call.segments():
            if segment.speaker != "agent":
                continue
            out.append(Example(call.id, segment.text, segment_acts(segment.acts, ACTS), keys))
    return out


def fit(train: Sequence[Example]) -> dict[str, Any]:
    """Fit on ``train`` and return the artifact's JSON (``used`` left empty)."""
    return act_training.fit(train, ACTS)


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
            row[f"{act}.f1"] = round(prf(by_act[act], truth)[2], 3)
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

    def gains(train: list[Example], test: list[Example]) -> dict[str, float]:
        raw = fit(train)
        raw["used"] = list(CANDIDATES)
        scores = figures(AgentActModel.from_json(raw), test)
        return {a: scores["simulator"][f"{a}.f1"] - scores["cues"][f"{a}.f1"] for a in ACTS}

    mean = act_training.mean_gains(calibration, ACTS, gains, folds)
    return [act for act in CANDIDATES if mean[act] >= MIN_GAIN]


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


def summary(calibration: int, report: int, used: list[str], scores: Any) -> str:
    """What the run prints: the segments, the acts used and the held-apart figures."""
    return "\n".join(
        [
            f"agent segments: {calibration} calibration (training), {report} report (held apart)",
            f"acts used by the simulator (cross-validated on calibration calls): {used}",
            table(scores, used),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Train, select, evaluate on report calls, and write the artifact."""
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
