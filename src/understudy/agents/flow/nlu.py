"""Intent matching for flows: which intent a customer's text means, and how sure we are.

Two matchers, chosen by the flow's ``nlu.matcher``:

- ``tfidf``: the weighting of scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
  ngram_range=(2, 4), sublinear_tf=True)`` (character n-grams within word boundaries, smoothed
  IDF, L2-normalised rows), fitted on the flow's example phrases. A text's score for an intent is
  the cosine similarity to that intent's nearest example (a dot product of unit rows).
  Character n-grams keep a misspelt word close to the right one ("refnud" shares "re", "ref",
  "fn"... with "refund"), which is why typos still match under a lenient threshold.
- ``fuzzy``: rapidfuzz ``token_set_ratio`` to the nearest example, divided by 100.

Scores are in 0..1; the flow's ``confidence_threshold`` decides what counts. Results are cached
per text (customer wording repeats across a batch). The fit and the weighting of a text are
computed here with NumPy, giving the same vocabulary, IDF and rows as ``TfidfVectorizer``
(``tests/test_nlu_tfidf.py`` compares them on every example flow): importing scikit-learn (and
with it SciPy) took half a second, a third of a 10-conversation run's start, and its per-call
input validation cost milliseconds per text and dominated a 1,000-conversation batch.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from understudy.domain.flow import Intent, Matcher

_CACHE_SIZE = 4096
_NGRAMS = (2, 4)


def char_wb_ngrams(text: str, low: int = _NGRAMS[0], high: int = _NGRAMS[1]) -> list[str]:
    """Return the character n-grams of ``text``, lower-cased, ``low`` to ``high`` long, taken
    within words each padded with one space either side; a padded word no longer than ``n`` gives
    itself once and no longer n-grams (scikit-learn's ``char_wb`` analyser)."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            starts = max(len(padded) - n + 1, 1)
            grams.extend(padded[i : i + n] for i in range(starts))
            if starts == 1:
                break
    return grams


def fit_tfidf(documents: list[str]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Fit TF-IDF weights on ``documents``.

    Returns:
        ``(vocabulary, idf, matrix)``: n-gram -> column (columns in sorted n-gram order);
        ``idf[j] = ln((1 + documents) / (1 + documents containing j)) + 1``; ``matrix``,
        documents x n-grams, each row ``(1 + ln count) * idf`` scaled to unit length (a row
        with no n-gram stays zero).
    """
    counts = [Counter(char_wb_ngrams(d)) for d in documents]
    vocabulary = {g: j for j, g in enumerate(sorted(set().union(*counts)))}
    frequency = np.zeros(len(vocabulary), dtype=np.float64)
    matrix = np.zeros((len(documents), len(vocabulary)), dtype=np.float64)
    for row, document in enumerate(counts):
        for gram, count in document.items():
            frequency[vocabulary[gram]] += 1.0
            matrix[row, vocabulary[gram]] = 1.0 + math.log(count)
    idf = np.log((1.0 + len(documents)) / (1.0 + frequency)) + 1.0
    matrix *= idf
    norms = np.sqrt((matrix * matrix).sum(axis=1, keepdims=True))
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return vocabulary, idf, matrix


@dataclass(frozen=True)
class IntentMatch:
    """The best intent for a text.

    Attributes:
        intent: the intent name, or None when the flow has no intents or the text is empty.
        confidence: its score, 0..1.
    """

    intent: str | None
    confidence: float


class IntentMatcher:
    """Scores a text against a flow's intents; built once per flow and shared by its agents.

    Args:
        intents: the flow's intents.
        matcher: ``tfidf`` or ``fuzzy``.
    """

    def __init__(self, intents: list[Intent], matcher: Matcher = Matcher.tfidf) -> None:
        self.matcher = matcher
        self._examples = [e.lower() for i in intents for e in i.examples]
        self._labels = [i.name for i in intents for _ in i.examples]
        self._cache: OrderedDict[str, IntentMatch] = OrderedDict()
        self._analyzer: Callable[[str], list[str]] | None = None
        if matcher is Matcher.tfidf and self._examples:
            # Examples x n-grams, dense: a flow has tens of examples and a few thousand n-grams.
            self._vocabulary, self._idf, self._matrix = fit_tfidf(self._examples)
            self._analyzer = char_wb_ngrams

    def match(self, text: str) -> IntentMatch:
        """Return the best intent and its confidence for ``text`` (cached per text)."""
        key = text.strip().lower()
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        result = self._score(key)
        self._cache[key] = result
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def _score(self, text: str) -> IntentMatch:
        if not text or not self._examples:
            return IntentMatch(None, 0.0)
        if self._analyzer is not None:
            counts = Counter(g for g in self._analyzer(text) if g in self._vocabulary)
            if not counts:
                return IntentMatch(None, 0.0)
            columns = np.fromiter((self._vocabulary[g] for g in counts), dtype=np.intp)
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
            weights = tf * self._idf[columns]
            weights /= float(np.sqrt(weights @ weights))
            similarities = self._matrix[:, columns] @ weights
            best = int(similarities.argmax())
            return IntentMatch(self._labels[best], round(float(similarities[best]), 4))
        found = process.extractOne(text, self._examples, scorer=fuzz.token_set_ratio)
        if found is None:
            return IntentMatch(None, 0.0)
        _, score, index = found
        return IntentMatch(self._labels[index], round(float(score) / 100.0, 4))
