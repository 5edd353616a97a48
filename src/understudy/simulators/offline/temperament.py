"""Personality words that change what the offline customer does.

A persona's ``personality`` (trait, emotional state, communication style, decision making, voice
character; a scenario's Personality step replaces them per call) is free text. ``Temperament``
reads it with the same word lists as the persona generator (``understudy.content.cues``) and:

* fills the behaviour numbers the persona leaves unset (a number written in the persona file
  always wins): impatient, short-tempered, busy, in a hurry -> patience 0.2 and verbosity 0.2;
  patient, easygoing -> patience 0.8; chatty, detailed, informal, small talk -> verbosity 0.85
  and off-topic tendency 0.35; brief, direct, to the point, reserved -> verbosity 0.2; anxious,
  worried -> reassurance seeking 0.6;
* ``impatient``: when such a customer wanders off-topic, it does so tersely ("Also, open
  Sundays?") and comes straight back, whatever its style;
* ``sceptical`` (sceptical, doubts, asks for proof, analytical, facts and numbers): told that
  the issue is resolved, it asks once for proof ("Can you send me a confirmation of that?")
  before thanking.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from understudy.content.cues import read_cues
from understudy.domain.persona import MoodDrift, Persona

_IMPATIENT = re.compile(
    r"\b(impatient|short-tempered|hurried|in a hurry|rushed|busy|stressed|short on patience|"
    r"hates waiting|no time|results-driven|demanding)\b",
    re.IGNORECASE,
)
_SCEPTICAL = re.compile(
    r"\b(sceptical|skeptical|doubts?|doubtful|distrustful|suspicious|asks for proof|"
    r"wants proof|analytical|facts and numbers|in writing)\b",
    re.IGNORECASE,
)
_CHATTY = re.compile(
    r"\b(chatty|talkative|detailed|long explanations|informal|small talk|rambl\w+|warm and)\b",
    re.IGNORECASE,
)
_BRIEF = re.compile(
    r"\b(brief|terse|direct|to the point|reserved|short answers|says little|curt|clipped)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Temperament:
    """What the personality words say (see the module docstring).

    Attributes:
        impatient: wanders off-topic tersely and comes back at once.
        sceptical: asks for proof once when told the issue is resolved.
        persona: the persona with unset behaviour numbers filled from the words.
    """

    impatient: bool
    sceptical: bool
    persona: Persona

    @classmethod
    def of(cls, persona: Persona) -> Temperament:
        """Read ``persona``'s personality (already merged with the scenario's)."""
        p = persona.personality
        words = " ; ".join(
            w
            for w in (
                p.trait,
                p.emotional_state,
                p.communication_style,
                p.decision_making,
                p.voice_character,
            )
            if w
        )
        if not words:
            return cls(False, False, persona)
        impatient, sceptical, wanted = _reading(words)
        behaviour = persona.behaviour
        unset = set(type(behaviour).model_fields) - behaviour.model_fields_set
        fill = {k: v for k, v in wanted if k in unset}
        if fill:
            persona = persona.model_copy(update={"behaviour": behaviour.model_copy(update=fill)})
        return cls(impatient, sceptical, persona)


@functools.lru_cache(maxsize=256)
def _reading(words: str) -> tuple[bool, bool, tuple[tuple[str, float], ...]]:
    """``(impatient, sceptical, behaviour numbers the words set)`` of personality ``words``.

    Cached: every conversation of a batch reads the same words, and reading them runs about 90
    regular expressions (``read_cues``).
    """
    impatient = bool(_IMPATIENT.search(words))
    cues = read_cues(words)
    fill: dict[str, float] = {}
    if impatient or cues.mood_drift is MoodDrift.fast:
        fill.update(patience=0.2, verbosity=0.2)
    elif cues.mood_drift is MoodDrift.slow:
        fill["patience"] = 0.8
    if _CHATTY.search(words):
        fill.update(verbosity=0.85, off_topic_tendency=0.35)
    elif _BRIEF.search(words):
        fill["verbosity"] = 0.2
    if cues.behaviour.reassurance_seeking > 0:
        fill["reassurance_seeking"] = 0.6
    return impatient, bool(_SCEPTICAL.search(words)), tuple(fill.items())
