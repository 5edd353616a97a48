"""The simulated customer: who they are, how they feel, what they know, how they type.

Fields follow the personas of contact-centre practice tools (name, mood, mood drift, language,
voice, backstory, knowledge) plus the personality settings of roleplay tools (trait, emotional
state, communication style, decision making, voice character) and the behaviour knobs the offline
simulator needs (typo rate, verbosity, patience, off-topic tendency, non-native level).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from understudy.domain.base import Origin, StrictModel
from understudy.domain.moods import Mood as Mood
from understudy.domain.moods import MoodDrift as MoodDrift

# BCP 47 language tag, simplified: language, optional script, optional region, optional variants.
_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")


class Demographics(StrictModel):
    """Optional demographics; they help wording stay consistent."""

    age: int | None = Field(default=None, ge=0, le=120, description="Age in years.")
    gender: str | None = None
    occupation: str | None = None
    location: str | None = None


class Knowledge(StrictModel):
    """What the persona knows, and crucially what it does not.

    Attributes:
        knows: facts as key/value pairs, e.g. ``order_id: ORD-7711``. Keys are slot names.
        doesnt_know: items the persona cannot answer, e.g. ``refund policy``, ``account number``.
    """

    knows: dict[str, str] = Field(default_factory=dict)
    doesnt_know: list[str] = Field(default_factory=list)


class Personality(StrictModel):
    """Free-text personality settings, each a short phrase (used by the LLM simulator's prompt)."""

    trait: str | None = None
    emotional_state: str | None = None
    communication_style: str | None = None
    decision_making: str | None = None
    voice_character: str | None = None


class Behaviour(StrictModel):
    """Numeric behaviour knobs of the offline simulator; every value is a fraction in [0, 1].

    Attributes:
        typo_rate: chance that a word gets a typo (0.15 means about 15% of words).
        verbosity: 0 is terse (a few words), 1 is chatty (long turns with filler).
        patience: 0 leaves at the first annoyance, 1 puts up with a lot.
        off_topic_tendency: chance per customer turn of wandering off-topic (at most once per call
            unless the value is above 0.5).
        non_native_level: 0 is native; higher means simpler grammar, misphrasing and requests to
            repeat.
        reassurance_seeking: chance of asking whether things will be all right after progress.
    """

    typo_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    verbosity: float = Field(default=0.5, ge=0.0, le=1.0)
    patience: float = Field(default=0.5, ge=0.0, le=1.0)
    off_topic_tendency: float = Field(default=0.1, ge=0.0, le=1.0)
    non_native_level: float = Field(default=0.0, ge=0.0, le=1.0)
    reassurance_seeking: float = Field(default=0.0, ge=0.0, le=1.0)


class Persona(StrictModel):
    """A simulated customer, reusable across scenarios (scenarios refer to it by ``id``).

    Attributes:
        id: stable identifier, lower-case with dashes, e.g. ``typo-prone``.
        name: display name, e.g. ``Maya``.
        summary: one line shown in lists and briefings.
        mood: the initial mood.
        mood_drift: how fast the mood moves.
        language: BCP 47 tag of the spoken language, e.g. ``en-US``.
        voice: TTS voice name for the customer side (stored; used by voice practice).
        backstory: a paragraph about who they are and why they call.
        style_tags: wording styles the offline simulator applies (``terse``, ``verbose``,
            ``reassurance``, ``simple_grammar``, ``polite``, ``demanding``).
        draft: True for a generated persona not yet reviewed.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    summary: str = ""
    demographics: Demographics = Field(default_factory=Demographics)
    mood: Mood = Mood.calm
    mood_drift: MoodDrift = MoodDrift.medium
    language: str = "en-US"
    voice: str | None = None
    backstory: str = ""
    knowledge: Knowledge = Field(default_factory=Knowledge)
    personality: Personality = Field(default_factory=Personality)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    style_tags: list[str] = Field(default_factory=list)
    draft: bool = False
    origin: Origin = Field(default_factory=Origin)

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        if not _BCP47.match(value):
            raise ValueError(f"expected a BCP 47 language tag such as en-US, got {value!r}")
        return value
