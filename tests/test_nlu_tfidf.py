"""The flow matcher's TF-IDF is scikit-learn's: same n-grams, vocabulary, IDF, rows and scores.

``understudy.agents.flow.nlu`` computes the weighting itself (importing scikit-learn cost half a
second of every run's start); here ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4),
sublinear_tf=True)`` is the reference, on every example flow and on awkward texts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from understudy.agents.flow.nlu import IntentMatcher, char_wb_ngrams, fit_tfidf
from understudy.content.flows import load_flow

FLOWS = sorted((Path(__file__).resolve().parents[1] / "examples" / "flows").glob("*.yaml"))
AWKWARD = [
    "Refund",
    "i  want\tmy   MONEY back!!",
    "a b c",
    "ok",
    "refnud my ordr pls",
    "Où est ma commande ?",
    "x",
    "   ",
    "order #A-12345 arrived damaged",
]


def _reference() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)


@pytest.mark.parametrize("text", AWKWARD)
def test_the_n_grams_are_scikit_learns(text: str) -> None:
    assert char_wb_ngrams(text) == _reference().build_analyzer()(text)


@pytest.mark.parametrize("flow_file", FLOWS, ids=lambda p: p.name)
def test_the_fit_and_the_scores_are_scikit_learns(flow_file: Path) -> None:
    intents = load_flow(flow_file).intents
    examples = [e.lower() for i in intents for e in i.examples]
    assert examples, "the example flow has intent examples"
    vocabulary, idf, matrix = fit_tfidf(examples)

    reference = _reference()
    expected = reference.fit_transform(examples).toarray()
    assert vocabulary == {str(k): int(v) for k, v in reference.vocabulary_.items()}
    np.testing.assert_allclose(idf, reference.idf_, rtol=1e-12)
    np.testing.assert_allclose(matrix, expected, rtol=1e-12, atol=1e-15)

    matcher = IntentMatcher(intents)
    labels = [i.name for i in intents for _ in i.examples]
    for text in [*AWKWARD, *examples[:5], "i never got my package and want the money"]:
        key = text.strip().lower()
        row = reference.transform([key]).toarray()[0]
        got = matcher.match(text)
        if not row.any():
            assert got.intent is None and got.confidence == 0.0
            continue
        similarities = expected @ row
        best = int(similarities.argmax())
        assert (got.intent, got.confidence) == (labels[best], round(float(similarities[best]), 4))
