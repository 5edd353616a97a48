"""Fuzzy phrase matching shared by exit conditions and graders (rapidfuzz).

A phrase "matches" a text when rapidfuzz's ``partial_ratio`` of the two, lower-cased, is at least
``threshold`` (0-100). ``partial_ratio`` scores the best-aligned substring, so "we will refund
you" matches "Okay, we will refund you today" and tolerates small wording or spelling changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 85.0

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case and fold white space."""
    return _SPACES.sub(" ", text.lower()).strip()


def phrase_score(phrase: str, text: str) -> float:
    """Return how well ``phrase`` occurs in ``text``, 0-100 (100: verbatim)."""
    p, t = normalise(phrase), normalise(text)
    if not p or not t:
        return 0.0
    if p in t:
        return 100.0
    if len(p) > len(t):
        return float(fuzz.ratio(p, t))
    return float(fuzz.partial_ratio(p, t))


def best_match(
    phrases: Iterable[str], text: str, threshold: float = DEFAULT_THRESHOLD
) -> tuple[str, float] | None:
    """Return the best-scoring phrase and its score if it reaches ``threshold``, else None."""
    best: tuple[str, float] | None = None
    for phrase in phrases:
        score = phrase_score(phrase, text)
        if score >= threshold and (best is None or score > best[1]):
            best = (phrase, score)
    return best
