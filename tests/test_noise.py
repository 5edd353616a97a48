"""The typing-noise layer: seeded, measurable, and never touching slot values."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from understudy.simulators.offline.noise import NEIGHBOURS, add_noise, typo

SENTENCE = "I would like to check the status of my recent order please"


def test_rate_zero_leaves_text_unchanged() -> None:
    assert add_noise(SENTENCE + ".", 0.0, random.Random(1)) == SENTENCE + "."


def test_same_seed_same_noise_and_different_seeds_differ() -> None:
    a = add_noise(SENTENCE, 0.3, random.Random(5))
    b = add_noise(SENTENCE, 0.3, random.Random(5))
    others = {add_noise(SENTENCE, 0.3, random.Random(seed)) for seed in range(20)}
    assert a == b, "noise is reproducible from the seed"
    assert len(others) >= 15, f"different seeds give different noise ({len(others)} of 20)"


def test_share_of_changed_words_follows_the_typo_rate() -> None:
    rng = random.Random(0)
    changed = total = 0
    for _ in range(400):
        noisy = add_noise(SENTENCE, 0.2, rng).lower().split()
        clean = SENTENCE.lower().split()
        total += len(clean)
        changed += sum(1 for w in clean if w not in noisy)
    share = changed / total
    assert 0.15 <= share <= 0.35, f"typo rate 0.2 should change ~20-30% of words, got {share:.2f}"


def test_neighbour_substitutions_use_qwerty_neighbours() -> None:
    assert set(NEIGHBOURS["s"]) == set("qweadzxc"), NEIGHBOURS["s"]
    assert "p" in NEIGHBOURS["o"] and "z" not in NEIGHBOURS["o"]
    rng = random.Random(3)
    for _ in range(200):
        word = typo("order", rng)
        assert 4 <= len(word) <= 6, f"one typo changes the length by at most one: {word!r}"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    words=st.lists(
        st.sampled_from(["my", "order", "number", "is", "please", "thanks"]), min_size=1
    ),
    value=st.sampled_from(["ORD-7711", "maya@example.com", "Visa ending 4422", "80202"]),
    seed=st.integers(0, 10_000),
    rate=st.floats(0.0, 1.0),
)
def test_protected_values_come_through_unchanged(
    words: list[str], value: str, seed: int, rate: float
) -> None:
    text = " ".join([*words, value, *words]) + "."
    noisy = add_noise(text, rate, random.Random(seed), protected=[value])
    assert value in noisy, f"the value {value!r} must survive the noise: {noisy!r}"
