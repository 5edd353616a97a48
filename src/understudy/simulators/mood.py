"""The customer's mood model, shared by the offline and the LLM user simulators.

The model is pure and deterministic: it holds two numbers and moves them by signals read from the
agent's turns. Chance (whether an angry customer actually asks for a human) is left to the caller's
seeded random generator.

State:
    * ``valence``, 0-100: how the customer feels. Bands, best to worst: ``happy`` >= 75,
      ``calm`` >= 50, ``frustrated`` >= 25, ``angry`` below 25. A persona's initial mood sets the
      start (happy 85, calm 65, confused 55, frustrated 38, angry 18).
    * ``confusion``, a small counter: a confused persona starts at 2; unclear agent turns
      (fallbacks, repeated questions) raise it by 1 for personas prone to confusion (initial mood
      confused, or non-native level >= 0.4); progress, empathy and resolution lower it by 1.
      While it is above 0 and valence is in the calm or happy band, the mood reads ``confused``.
    * ``patience``, 0-100: what is left of the customer's willingness to go on. It starts at
      ``30 + 70 * behaviour.patience`` and every annoying signal costs its (drift-scaled)
      valence drop; good signals give back a quarter of their gain (people forgive slowly). At 0
      the customer leaves (``customer_left``).

Signal sizes, for ``medium`` drift (valence points): fallback -10, repeated_question -8,
ignored -8, slow_progress -4, pushy -12, rude -12, progress +6, empathy +5, resolution +15. Mood
drift scales every change: slow x0.5, medium x1.0, fast x1.8. The sizes are a design choice tuned so
that, against an agent that falls back on every turn, a frustrated, impatient persona with fast
drift leaves within about three turns while a calm, patient persona with slow drift still holds on
after fifteen; a pushy cross-sell costs more than a single misunderstanding because in
contact-centre practice it is the most cited reason for a customer to hang up on a sales call.
A rude or dismissive line ("calm down", "that's not my problem", "you should have read the
reviews", "as I already said") costs as much as a pushy one: both tell the customer they are not
being served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from understudy.domain.persona import Mood, MoodDrift, Persona


class MoodSignal(StrEnum):
    """What an agent turn did to the customer, as far as mood is concerned."""

    fallback = "fallback"
    repeated_question = "repeated_question"
    ignored = "ignored"
    slow_progress = "slow_progress"
    pushy = "pushy"
    rude = "rude"
    progress = "progress"
    empathy = "empathy"
    resolution = "resolution"


SIGNAL_DELTAS: dict[MoodSignal, float] = {
    MoodSignal.fallback: -10.0,
    MoodSignal.repeated_question: -8.0,
    MoodSignal.ignored: -8.0,
    MoodSignal.slow_progress: -4.0,
    MoodSignal.pushy: -12.0,
    MoodSignal.rude: -12.0,
    MoodSignal.progress: 6.0,
    MoodSignal.empathy: 5.0,
    MoodSignal.resolution: 15.0,
}
"""Valence change per signal at medium drift (see the module docstring)."""

DRIFT_SCALE: dict[MoodDrift, float] = {
    MoodDrift.slow: 0.5,
    MoodDrift.medium: 1.0,
    MoodDrift.fast: 1.8,
}
"""Multiplier of every valence change, by mood drift."""

INITIAL_VALENCE: dict[Mood, float] = {
    Mood.happy: 85.0,
    Mood.calm: 65.0,
    Mood.confused: 55.0,
    Mood.frustrated: 38.0,
    Mood.angry: 18.0,
}
"""Starting valence by the persona's initial mood."""

_UNCLEAR = {MoodSignal.fallback, MoodSignal.repeated_question}
_CLEARING = {MoodSignal.progress, MoodSignal.empathy, MoodSignal.resolution}


def mood_for(valence: float, confusion: int = 0) -> Mood:
    """Return the mood band of a valence (0-100), reading ``confused`` when confusion > 0.

    Args:
        valence: how the customer feels, 0 (furious) to 100 (delighted).
        confusion: the confusion counter; above 0 turns calm or happy into confused.
    """
    if valence < 25:
        return Mood.angry
    if valence < 50:
        return Mood.frustrated
    if confusion > 0:
        return Mood.confused
    return Mood.happy if valence >= 75 else Mood.calm


@dataclass
class MoodModel:
    """The mood of one customer during one conversation.

    Build it with ``MoodModel.for_persona(persona)``, then call ``update`` once per agent turn
    with the signals read from that turn (an empty list is fine).

    Attributes:
        drift: the persona's mood drift.
        valence: current valence, 0-100.
        patience: patience left, 0-100; 0 means the customer leaves.
        confusion: confusion counter (see the module docstring).
        confusable: whether unclear turns raise confusion for this persona.
    """

    drift: MoodDrift
    valence: float
    patience: float
    confusion: int = 0
    confusable: bool = False

    @classmethod
    def for_persona(cls, persona: Persona) -> MoodModel:
        """Return the starting mood model of ``persona`` (initial mood, drift, patience)."""
        confusable = persona.mood is Mood.confused or persona.behaviour.non_native_level >= 0.4
        return cls(
            drift=persona.mood_drift,
            valence=INITIAL_VALENCE[persona.mood],
            patience=30.0 + 70.0 * persona.behaviour.patience,
            confusion=2 if persona.mood is Mood.confused else 0,
            confusable=confusable,
        )

    @property
    def mood(self) -> Mood:
        """The current mood."""
        return mood_for(self.valence, self.confusion)

    @property
    def exhausted(self) -> bool:
        """True when patience has run out: the customer leaves."""
        return self.patience <= 0.0

    @property
    def angry(self) -> bool:
        """True in the angry band: the customer may ask for a human."""
        return self.mood is Mood.angry

    def update(self, signals: Iterable[MoodSignal]) -> Mood:
        """Apply the signals of one agent turn and return the new mood.

        Args:
            signals: what the agent's turn did; repeated signals count once each time given.

        Returns:
            The mood after the update.
        """
        scale = DRIFT_SCALE[self.drift]
        for signal in signals:
            delta = SIGNAL_DELTAS[signal] * scale
            self.valence = min(100.0, max(0.0, self.valence + delta))
            if delta < 0:
                self.patience = max(0.0, self.patience + delta)
            else:
                self.patience = min(100.0, self.patience + delta / 4.0)
            if signal in _UNCLEAR and self.confusable:
                self.confusion += 1
            elif signal in _CLEARING and self.confusion > 0:
                self.confusion -= 1
        return self.mood
