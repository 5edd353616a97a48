"""The mood model: signals move valence and patience, scaled by drift."""

from __future__ import annotations

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Behaviour, Mood, MoodDrift, Persona
from understudy.simulators.mood import MoodModel, MoodSignal, mood_for


def persona(
    mood: Mood, drift: MoodDrift, patience: float = 0.5, non_native: float = 0.0
) -> Persona:
    return Persona(
        id="p",
        name="P",
        mood=mood,
        mood_drift=drift,
        behaviour=Behaviour(patience=patience, non_native_level=non_native),
    )


def fallbacks_until_leaving(model: MoodModel, limit: int = 100) -> int:
    for n in range(1, limit + 1):
        model.update([MoodSignal.fallback])
        if model.exhausted:
            return n
    return limit + 1


def test_initial_mood_is_the_personas() -> None:
    for mood in Mood:
        assert MoodModel.for_persona(persona(mood, MoodDrift.medium)).mood is mood


def test_calm_slow_is_forgiving_and_frustrated_fast_is_not() -> None:
    calm = MoodModel.for_persona(resolve_persona("calm"))
    frustrated = MoodModel.for_persona(resolve_persona("frustrated-cardholder"))
    assert fallbacks_until_leaving(calm) > 15, "calm + slow puts up with many fallbacks"
    assert fallbacks_until_leaving(frustrated) <= 4, "frustrated + fast leaves after a few"


def test_drift_scales_how_far_one_signal_moves_the_mood() -> None:
    drops = {}
    for drift in MoodDrift:
        model = MoodModel.for_persona(persona(Mood.calm, drift))
        start = model.valence
        model.update([MoodSignal.fallback])
        drops[drift] = start - model.valence
    assert drops[MoodDrift.slow] < drops[MoodDrift.medium] < drops[MoodDrift.fast], drops


def test_good_signals_lift_the_mood_and_bad_ones_lower_it() -> None:
    model = MoodModel.for_persona(persona(Mood.frustrated, MoodDrift.medium))
    assert model.update([MoodSignal.empathy, MoodSignal.progress]) is Mood.frustrated
    assert model.update([MoodSignal.progress]) is Mood.calm
    assert model.update([MoodSignal.resolution, MoodSignal.empathy]) is Mood.happy
    model = MoodModel.for_persona(persona(Mood.calm, MoodDrift.fast))
    assert model.update([MoodSignal.pushy]) is Mood.frustrated
    model.update([MoodSignal.repeated_question, MoodSignal.ignored])
    assert model.angry, "repeated and ignored questions make a customer angry"


def test_pushiness_costs_more_than_a_misunderstanding() -> None:
    pushed = MoodModel.for_persona(persona(Mood.happy, MoodDrift.fast))
    misunderstood = MoodModel.for_persona(persona(Mood.happy, MoodDrift.fast))
    pushed.update([MoodSignal.pushy])
    misunderstood.update([MoodSignal.fallback])
    assert pushed.valence < misunderstood.valence


def test_patience_is_spent_by_annoyances_and_barely_restored() -> None:
    model = MoodModel.for_persona(persona(Mood.calm, MoodDrift.medium, patience=0.0))
    model.update([MoodSignal.fallback, MoodSignal.fallback])
    spent = model.patience
    model.update([MoodSignal.resolution])
    assert spent < model.patience <= spent + 4, "good news gives back only a quarter"
    model.update([MoodSignal.fallback] * 3)
    assert model.exhausted


def test_unclear_turns_confuse_a_non_native_speaker_and_progress_clears_it() -> None:
    model = MoodModel.for_persona(persona(Mood.calm, MoodDrift.slow, non_native=0.7))
    assert model.update([MoodSignal.fallback]) is Mood.confused
    assert model.update([MoodSignal.progress]) is Mood.calm
    native = MoodModel.for_persona(persona(Mood.calm, MoodDrift.slow))
    assert native.update([MoodSignal.fallback]) is Mood.calm


def test_mood_bands() -> None:
    assert [mood_for(v) for v in (90, 60, 30, 10)] == [
        Mood.happy,
        Mood.calm,
        Mood.frustrated,
        Mood.angry,
    ]
    assert mood_for(60, confusion=1) is Mood.confused
    assert mood_for(30, confusion=1) is Mood.frustrated
