"""A dialogue-act recogniser for agent turns, trained on real labelled bank calls.

The model is a TF-IDF of word 1-2 grams with one logistic regression per act, fitted by
``scripts/train_agent_acts.py`` with scikit-learn on the agent segments of the calibration part of
the Harper Valley calls (Gridspace-Stanford Harper Valley corpus, Apache-2.0; labels from its
fixed set of dialogue acts, e.g. ``gridspace_data_question``). The fitted weights ship as
``data/agent_acts.json``, so the simulator needs neither the data nor scikit-learn at run time:
``AgentActModel.scores`` repeats the vectoriser's arithmetic (lower case, the token pattern,
sublinear term frequency, idf, L2 norm) and the logistic function in plain Python.

Each act carries ``used``: whether the trained model improved on the hand-written cues of
``understanding`` for that act in cross-validation on the calibration calls (grouped by call).
``read_agent_turn`` consults the model only for used acts; the others stay with the cues. The
held-apart figures (report calls, never seen in training or selection) are in the artifact's
``evaluation`` and in docs/simulator-realism.md.

Acts, in Harper Valley's terms:

* ``data_question``: the agent asks the caller for a piece of information;
* ``confirm_data``: the agent reads a fact back for a yes or no;
* ``open_question``: "how can I help you", "is there anything else";
* ``closing``: goodbyes;
* ``bear_with_me``: the agent asks the caller to wait while it acts.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["ACTS", "AgentActModel", "agent_act_model"]

ACTS = ("data_question", "confirm_data", "open_question", "closing", "bear_with_me")
"""The acts the model recognises, named after Harper Valley's labels without their prefix."""

_ARTIFACT = "agent_acts.json"


@dataclass(frozen=True, eq=False)
class AgentActModel:
    """Fitted TF-IDF + logistic-regression weights for the acts of ``ACTS``.

    Attributes:
        token_pattern: the vectoriser's token regular expression (applied to lower case).
        vocabulary: n-gram -> (idf, one weight per act in ``acts``).
        acts: the act names, in weight order.
        intercepts: one intercept per act.
        thresholds: probability above which an act is heard, per act.
        used: acts the simulator takes from the model (it beat the cues in cross-validation).
        evaluation: held-apart figures written by the training script (for documentation).
    """

    token_pattern: re.Pattern[str]
    vocabulary: dict[str, tuple[float, tuple[float, ...]]]
    acts: tuple[str, ...]
    intercepts: tuple[float, ...]
    thresholds: tuple[float, ...]
    used: frozenset[str]
    evaluation: dict[str, Any]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AgentActModel:
        """Build a model from the training script's JSON (see ``scripts/train_agent_acts.py``).

        Raises:
            KeyError: a field is missing.
        """
        acts = tuple(str(a) for a in raw["acts"])
        vocabulary = {
            str(term): (float(entry[0]), tuple(float(w) for w in entry[1]))
            for term, entry in raw["vocabulary"].items()
        }
        return cls(
            token_pattern=re.compile(str(raw["token_pattern"])),
            vocabulary=vocabulary,
            acts=acts,
            intercepts=tuple(float(b) for b in raw["intercepts"]),
            thresholds=tuple(float(t) for t in raw["thresholds"]),
            used=frozenset(str(a) for a in raw["used"]),
            evaluation=dict(raw.get("evaluation") or {}),
        )

    def scores(self, text: str) -> dict[str, float]:
        """Probability of each act for one agent turn or clause.

        Args:
            text: the agent's words (any case, punctuation or none).

        Returns:
            act -> probability in [0, 1], as scikit-learn's ``predict_proba`` would give.
        """
        tokens = self.token_pattern.findall(text.lower())
        grams = Counter(tokens)
        grams.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
        weights: list[tuple[float, tuple[float, ...]]] = []
        for term, count in grams.items():
            entry = self.vocabulary.get(term)
            if entry is not None:
                value = (1.0 + math.log(count)) * entry[0]
                weights.append((value, entry[1]))
        norm = math.sqrt(sum(v * v for v, _ in weights)) or 1.0
        out: dict[str, float] = {}
        for index, act in enumerate(self.acts):
            z = self.intercepts[index] + sum(v * w[index] for v, w in weights) / norm
            out[act] = 1.0 / (1.0 + math.exp(-z))
        return out

    def acts_heard(self, text: str, only_used: bool = True) -> frozenset[str]:
        """Acts whose probability reaches their threshold.

        Args:
            text: the agent's words.
            only_used: keep only acts the simulator takes from the model.
        """
        return self._heard(text, only_used)

    @lru_cache(maxsize=8192)  # noqa: B019 - models live as long as the process anyway
    def _heard(self, text: str, only_used: bool) -> frozenset[str]:
        scores = self.scores(text)
        return frozenset(
            act
            for act, threshold in zip(self.acts, self.thresholds, strict=True)
            if scores[act] >= threshold and (act in self.used or not only_used)
        )


@lru_cache(maxsize=1)
def agent_act_model() -> AgentActModel:
    """The fitted model shipped with the package (loaded once)."""
    text = resources.files("understudy.simulators.offline").joinpath("data", _ARTIFACT)
    return AgentActModel.from_json(json.loads(text.read_text(encoding="utf-8")))
