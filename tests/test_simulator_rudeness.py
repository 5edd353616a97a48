"""Rudeness sours the offline customer's mood, line by line and over a call."""

from __future__ import annotations

import random

import pytest

from simulator_fixtures import NO_OPENING, persona, play, step
from understudy.domain.transcript import Message
from understudy.simulators.offline import OfflineSimulator


@pytest.mark.parametrize(
    "line",
    [
        "Calm down.",
        "You should have read the reviews before buying it.",
        "Well, that's not my problem.",
        "As I already said, we can't do that.",
    ],
)
def test_rude_agent_lines_lower_the_mood(line: str) -> None:
    sim = OfflineSimulator(persona("calm"), NO_OPENING, random.Random(2))
    messages: list[Message] = []
    step(sim, messages, None)
    before = sim.mood.valence
    step(sim, messages, line)
    assert sim.mood.valence < before, f"{line!r} should lower the customer's mood"


def test_a_rude_trainee_sours_the_customer_over_a_call() -> None:
    script = [
        "What do you want?",
        "Calm down.",
        "You should have read the reviews before buying it.",
    ]
    result = play("calm", script, 4)
    assert result.moods[-1].value in ("frustrated", "angry"), (
        f"three rude lines should sour a calm customer, mood went {[m.value for m in result.moods]}"
    )
