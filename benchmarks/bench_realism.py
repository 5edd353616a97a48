"""How much the offline customer sounds like a real caller: replayed Harper Valley calls.

Run from the repository root::

    python benchmarks/bench_realism.py                      # report part, every built-in persona
    python benchmarks/bench_realism.py --part calibration   # the part the wording was tuned on
    python benchmarks/bench_realism.py --persona calm --show 3
    python benchmarks/bench_realism.py --seeds 1            # one seed (faster, noisier)

For each of the 60 spoken bank calls in ``../shared/data/harper_valley/calls.jsonl``, the call's
task card becomes a voice scenario (``understudy.content.importers.harper_valley.scenario_for``)
and the real agent's turns are played, in order, to the offline simulator, which answers each
one. The simulated caller turns are then compared with the real caller turns of the same calls.

The calls are split once, deterministically: a call whose SHA-256 of its id has an even first
byte is a calibration call, the rest are report calls (30 / 30 on this sample). Wording and
rates were tuned looking at calibration calls only; the figures that count are on report calls.

Per persona it prints:

* ``auc``: the ROC AUC of a two-sample classifier (TF-IDF of word 1-2 grams + logistic
  regression) telling simulated from real caller turns, out of fold, with 5-fold cross-validation
  grouped by call (the real and simulated turns of one call are always in the same fold). 0.5
  means indistinguishable, 1.0 always told apart. Both sides are normalised the same way first:
  lower case, punctuation removed, digits kept (real transcripts spell numbers out, so a
  simulator that says "135" is told apart, as a listener would hear it too).
* ``words``: mean words per turn; ``filler``: share of turns with a filler (uh, um, hmm...);
  ``one-word``: share of one-word turns; ``question``: share of turns asking something;
  ``non-answer``: share of replies to an agent's data question (its Harper Valley label
  ``gridspace_data_question``) that give no fact, no yes or no and no "I don't know";
  ``reveal``: share of turns that state a fact of the task card or the caller's name (digits and
  number words count as a number).

Each persona's figures are the mean over ``--seeds`` replays (default 3); one seed's AUC moves by
about 0.03 from seed to seed. The ``real`` line gives the same figures for the real callers of
the same calls. The benchmark is not run by the tests; it needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from understudy.content.importers.harper_valley import (
    Call,
    is_calibration_call,
    load_calls,
    scenario_for,
)
from understudy.domain.transcript import Message, Role
from understudy.engine.seams import ConversationState

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "harper_valley"
PERSONAS = ("calm", "elderly", "impatient", "non-native", "typo-prone")
FILLERS = frozenset({"uh", "um", "uhm", "umm", "hmm", "hm", "er", "erm", "ah", "mm", "mhm"})
NUMBER_WORDS = frozenset(
    [
        "zero",
        "oh",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
    ]
)
ANSWER_WORDS = frozenset(
    [
        "yes",
        "yeah",
        "yep",
        "yup",
        "no",
        "nope",
        "correct",
        "right",
        "sure",
        "okay",
        "ok",
        "alright",
        "uh-huh",
    ]
)
QUESTION = re.compile(
    r"\b(what|when|where|which|who|why|how)\b|"
    r"\b(can|could|would|will|do|does|did|is|are|should|may)\s+(you|i|it|we|that|this|there)\b",
)
DONT_KNOW = re.compile(r"\b(don'?t|do not|not) (know|sure|have|remember)\b")
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)['-]|['-](?!\w)")


def normalise(text: str) -> str:
    """Lower case, punctuation removed, spaces collapsed (both sides get this)."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def is_calibration(call: Call) -> bool:
    """True for a calibration call (even first byte of the SHA-256 of its id)."""
    return is_calibration_call(call.id)


@dataclass
class Turn:
    """One caller turn to compare: its call, normalised text, the agent turn it answers."""

    call: str
    text: str
    after_request: bool
    fact_words: frozenset[str]


def fact_words(call: Call) -> frozenset[str]:
    """Content words of the caller's facts: card values and name (numbers count apart)."""
    words: set[str] = set()
    for value in call.facts().values():
        for word in normalise(value).split():
            if not word.isdigit() and len(word) > 2 and word not in {"street", "main", "first"}:
                words.add(word)
    return frozenset(words)


def reveals(turn: Turn) -> bool:
    """The turn states a fact: a card word, the caller's name, or a number."""
    words = turn.text.split()
    if any(w in turn.fact_words for w in words):
        return True
    return any(any(c.isdigit() for c in w) or (w in NUMBER_WORDS) for w in words)


def answers(turn: Turn) -> bool:
    """The turn gives a fact, a yes or no, or says it does not know."""
    words = set(turn.text.split())
    return reveals(turn) or bool(words & ANSWER_WORDS) or bool(DONT_KNOW.search(turn.text))


def real_turns(call: Call) -> list[Turn]:
    """The real caller turns of ``call``."""
    facts = fact_words(call)
    out: list[Turn] = []
    previous_request = False
    for turn in call.turns():
        if turn.speaker == "agent":
            previous_request = "gridspace_data_question" in turn.acts
            continue
        out.append(Turn(call.id, normalise(turn.text), previous_request, facts))
        previous_request = False
    return out


def simulated_turns(call: Call, persona_id: str, seed: int) -> tuple[list[Turn], list[str]]:
    """Replay the real agent turns of ``call`` to the offline simulator.

    Returns:
        The simulated caller turns, and the transcript as lines (for ``--show``).
    """
    from understudy.content.personas import resolve_persona
    from understudy.simulators import make_simulator

    persona = resolve_persona(persona_id)
    scenario = scenario_for(call, persona=persona_id)
    simulator = make_simulator("offline", persona, scenario, random.Random(f"{call.id}:{seed}"))
    state = ConversationState(conversation_id=call.id, scenario=scenario)
    facts = fact_words(call)
    out: list[Turn] = []
    lines: list[str] = []

    def say(role: Role, text: str) -> None:
        state.messages.append(Message(index=len(state.messages) + 1, role=role, text=text))
        lines.append(f"{role.value:>8}: {text}")

    turns = call.turns()
    if turns and turns[0].speaker == "caller":
        reply = simulator.step(state)  # type: ignore[attr-defined]
        say(Role.customer, reply.text)
        out.append(Turn(call.id, normalise(reply.text), False, facts))
    for turn in turns:
        if turn.speaker != "agent":
            continue
        say(Role.agent, turn.text)
        reply = simulator.step(state)  # type: ignore[attr-defined]
        say(Role.customer, reply.text)
        request = "gridspace_data_question" in turn.acts
        out.append(Turn(call.id, normalise(reply.text), request, facts))
        if reply.done:
            break
    return out, lines


def rates(turns: list[Turn]) -> dict[str, float]:
    """The per-turn rates of the module docstring."""
    n = max(len(turns), 1)
    lengths = [len(t.text.split()) for t in turns]
    requested = [t for t in turns if t.after_request]
    return {
        "turns": float(len(turns)),
        "words": statistics.fmean(lengths) if lengths else 0.0,
        "filler": sum(bool(set(t.text.split()) & FILLERS) for t in turns) / n,
        "one-word": sum(n_ == 1 for n_ in lengths) / n,
        "question": sum(bool(QUESTION.search(t.text)) for t in turns) / n,
        "non-answer": sum(not answers(t) for t in requested) / max(len(requested), 1),
        "reveal": sum(reveals(t) for t in turns) / n,
    }


def two_sample_auc(real: list[Turn], simulated: list[Turn], folds: int = 5) -> float:
    """ROC AUC of TF-IDF + logistic regression, out of fold, grouped by call."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline

    texts = [t.text or "<empty>" for t in (*real, *simulated)]
    labels = [0] * len(real) + [1] * len(simulated)
    groups = [t.call for t in (*real, *simulated)]
    scores = [0.0] * len(texts)
    for train, test in GroupKFold(n_splits=folds).split(texts, labels, groups):
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"[\w'-]+", sublinear_tf=True),
            LogisticRegression(max_iter=1000, C=1.0),
        )
        model.fit([texts[i] for i in train], [labels[i] for i in train])
        probs = model.predict_proba([texts[i] for i in test])[:, 1]
        for i, p in zip(test, probs, strict=True):
            scores[i] = float(p)
    return float(roc_auc_score(labels, scores))


COLUMNS = ("auc", "words", "filler", "one-word", "question", "non-answer", "reveal", "turns")


def row(name: str, figures: dict[str, float]) -> str:
    """One printed line of figures."""
    cells = []
    for column in COLUMNS:
        value = figures.get(column)
        if value is None:
            cells.append(f"{'-':>11}")
        elif column == "turns":
            cells.append(f"{int(value):>11}")
        else:
            cells.append(f"{value:>11.2f}")
    return f"{name:<22}" + "".join(cells)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per persona and one for the real callers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA / "calls.jsonl")
    parser.add_argument("--part", choices=("report", "calibration", "all"), default="report")
    parser.add_argument("--persona", action="append", help=f"default: {', '.join(PERSONAS)}")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument(
        "--seeds", type=int, default=3, help="seeds to average over (default 3: 0, 1, 2)"
    )
    parser.add_argument("--show", type=int, default=0, help="print N replayed calls per persona")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    calls = load_calls(args.data)
    if args.part != "all":
        calls = [c for c in calls if is_calibration(c) == (args.part == "calibration")]
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNDERSTUDY_HOME"] = home
        real = [t for call in calls for t in real_turns(call)]
        last = args.seed + args.seeds - 1
        print(
            f"Harper Valley realism, {args.part} part: {len(calls)} calls, "
            f"mean over seeds {args.seed}-{last}"
        )
        print(f"{'':<22}" + "".join(f"{c:>11}" for c in COLUMNS))
        print(row("real callers", rates(real)))
        for persona in args.persona or PERSONAS:
            per_seed: list[dict[str, float]] = []
            for seed in range(args.seed, args.seed + args.seeds):
                simulated: list[Turn] = []
                for index, call in enumerate(calls):
                    turns, lines = simulated_turns(call, persona, seed)
                    simulated.extend(turns)
                    if index < args.show and seed == args.seed:
                        print(f"--- {persona} / {call.task_type} / {call.id}")
                        print("\n".join(lines))
                figures = rates(simulated)
                figures["auc"] = two_sample_auc(real, simulated)
                per_seed.append(figures)
            print(row(persona, {k: statistics.fmean(f[k] for f in per_seed) for k in per_seed[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
