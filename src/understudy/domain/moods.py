"""The customer's mood scale and how fast it moves: plain enums, importable without pydantic.

``understudy.domain.persona`` re-exports both; the CLI declares its ``--mood`` and ``--drift``
options with them without loading the persona model.
"""

from __future__ import annotations

from enum import StrEnum


class Mood(StrEnum):
    """The customer's emotional state, best to worst: happy, calm, confused, frustrated, angry."""

    happy = "happy"
    calm = "calm"
    confused = "confused"
    frustrated = "frustrated"
    angry = "angry"


class MoodDrift(StrEnum):
    """How fast agent behaviour moves the mood: slow is forgiving, fast is unforgiving."""

    slow = "slow"
    medium = "medium"
    fast = "fast"
