"""Intent matching for flows: which intent a customer's text means, and how sure we are.

Two matchers, chosen by the flow's ``nlu.matcher``:

- ``tfidf``: scikit-learn's ``TfidfVectorizer`` over character n-grams within word boundaries
  (``char_wb``, lengths 2-4, sublinear term frequency), fitted on the flow's example phrases. A
  text's score for an intent is the cosine similarity to that intent's nearest example (rows are
  L2-normalised, so a dot product is the cosine). Character n-grams keep a misspelt word close to
  the right one ("refnud" shares "re", "ref", "fn"... with "refund"), which is why typos still
  match under a lenient threshold.
- ``fuzzy``: rapidfuzz ``token_set_ratio`` to the nearest example, divided by 100.

Scores are in 0..1; the flow's ``confidence_threshold`` decides what counts. Results are cached
per text (customer wording repeats across a batch). scikit-learn fits the vectoriser once per flow;
a single text is then weighted with the fitted analyser, vocabulary and IDF directly (the same
numbers as ``TfidfVectorizer.transform``, without its per-call input validation, which costs
milliseconds per call and dominated a 1,000-conversation batch).
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from understudy.domain.flow import Intent, Matcher

_CACHE_SIZE = 4096


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
            vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=True
            )
            matrix = vectorizer.fit_transform(self._examples)
            self._analyzer = vectorizer.build_analyzer()
            self._vocabulary: dict[str, int] = {
                str(k): int(v) for k, v in vectorizer.vocabulary_.items()
            }
            self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            # Examples x features, dense: a flow has tens of examples and a few thousand n-grams.
            self._matrix = np.asarray(matrix.todense(), dtype=np.float64)

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
