"""Read mood, mood drift and behaviour from the words of a description.

Used by the offline persona generator (``understudy personas generate``) and by the importers
(a tau2 persona paragraph such as "you tend to get flustered quickly" becomes a confused persona
with a fast drift). The word lists are this project's own judgement of everyday English; each
rule below says what it reads and what it sets.

Rules, in order:

* **mood**: the most severe feeling word found wins, from angry ("furious", "livid") through
  frustrated ("annoyed", "fed up"), confused ("overwhelmed", "flustered") and happy ("cheerful",
  "friendly") to calm ("calm", "patient"). With no feeling word, a temperament or circumstance
  word sets it ("impatient", "hates..." frustrated; "elderly", "first time" confused), so
  "cheerful but impatient" stays happy (with a fast drift). A complaint situation ("double
  charged", "never arrived") with neither gives frustrated. Otherwise calm.
* **mood drift**: "patient", "easygoing", "understanding"... give slow; "impatient",
  "short-tempered", "hates waiting"... give fast; a negated slow word ("not patient") gives fast.
  Angry personas drift fast unless a slow word says otherwise. Otherwise medium.
* **behaviour**: fractions in [0, 1], see ``Behaviour``; e.g. "typos" sets ``typo_rate`` 0.12,
  "chatty" sets ``verbosity`` 0.85 and ``off_topic_tendency`` 0.35.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from understudy.domain.persona import Behaviour, Mood, MoodDrift


def _words(text: str) -> tuple[str, ...]:
    """Split a comma-separated word list (kept as one string so the lists stay compact)."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


_MOOD_WORDS: list[tuple[Mood, tuple[str, ...]]] = [
    (
        Mood.angry,
        _words(
            "furious, angry, livid, irate, enraged, fuming, outraged, hostile, rude, yelling, "
            "shouting, seething, raging, mad as, hot-headed, aggressive, threatening"
        ),
    ),
    (
        Mood.frustrated,
        _words(
            "frustrated, frustration, annoyed, fed up, irritated, wit's end, "
            "stressed, exasperated, upset, disappointed, unhappy, grumpy, cranky, sick of, "
            "tired of, complaining, at the end of"
        ),
    ),
    (
        Mood.confused,
        _words(
            "confused, unsure, overwhelmed, uneasy, flustered, puzzled, bewildered, anxious, "
            "nervous, worried, doesn't understand, does not understand, uncertain"
        ),
    ),
    (
        Mood.happy,
        _words(
            "happy, cheerful, friendly, delighted, excited, enthusiastic, pleasant, grateful, "
            "upbeat, jolly, warm, loyal, satisfied"
        ),
    ),
    (
        Mood.calm,
        _words(
            "calm, patient, relaxed, polite, easygoing, easy-going, laid-back, laid back, "
            "composed, professional, courteous, methodical, detail-oriented"
        ),
    ),
]

# Temperament and circumstance words: they set the mood only when no feeling word does
# ("cheerful but impatient" is happy with a fast drift; "cheerful elderly man" is happy).
_FALLBACK_MOOD_WORDS: list[tuple[Mood, tuple[str, ...]]] = [
    (
        Mood.frustrated,
        _words("impatient, short-tempered, demanding, in a hurry, rushed, hates"),
    ),
    (
        Mood.confused,
        _words("not tech-savvy, not tech savvy, technophobe, first time, elderly, forgetful"),
    ),
]

_COMPLAINT_WORDS = _words(
    "double charged, charged twice, overcharged, never arrived, broken, damaged, "
    "declined, wrong item, late delivery, not working, stopped working, fraud, refund, "
    "missing, outage, cancelled flight, lost"
)

_SLOW_WORDS = _words(
    "patient, easygoing, easy-going, laid-back, laid back, relaxed, understanding, "
    "forgiving, tolerant, mellow, calm, composed, serene, even-tempered"
)
_FAST_WORDS = _words(
    "impatient, short-tempered, hot-headed, quick to anger, volatile, explosive, "
    "irritable, touchy, hates waiting, no patience, little patience, easily annoyed, "
    "in a hurry, rushed, hates phone menus, flustered quickly, get flustered, "
    "demanding, furious, livid"
)
_NEGATION = re.compile(r"\b(?:not|never|isn't|is not|aren't|hardly)\s+(?:very\s+|at all\s+)?$")

_TYPO_WORDS = ("typo", "typos", "sloppy typing", "fat finger", "types fast", "misspell")
_CHATTY_WORDS = _words(
    "chatty, talkative, rambling, rambles, verbose, loves to talk, loves talking, "
    "long-winded, storyteller, gossip, lonely"
)
_TERSE_WORDS = _words(
    "terse, brief, concise, curt, to the point, short answers, blunt, private person, "
    "does not want to reveal, doesn't want to reveal, only share information when, "
    "only provide, direct"
)
_OFF_TOPIC_WORDS = _words(
    "off-topic, off topic, distracted, tangent, rambles, chatty, loves talking about, "
    "lonely, storyteller"
)
_NON_NATIVE_WORDS = _words(
    "non-native, non native, english is not perfect, second language, limited english, "
    "broken english, esl, recent immigrant, by birth, foreign words, learning english, "
    "accent"
)
_REASSURANCE_WORDS = _words(
    "reassurance, anxious, worried, nervous, needs to be sure, anxious questions, "
    "worries, uneasy, insecure"
)
_POLITE_WORDS = ("polite", "courteous", "kind", "gentle", "respectful", "friendly")
_ELDERLY_WORDS = _words(
    "elderly, retired, pensioner, grandmother, grandfather, grandma, grandpa, senior, "
    "old-fashioned, retiree"
)


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(_find(text, word) for word in words)


def _find(text: str, word: str) -> bool:
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def _has_unnegated(text: str, words: tuple[str, ...]) -> tuple[bool, bool]:
    """Return (found plainly, found negated) for any of ``words``."""
    plain = negated = False
    for word in words:
        for match in re.finditer(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text):
            if _NEGATION.search(text[: match.start()]):
                negated = True
            else:
                plain = True
    return plain, negated


@dataclass
class Cues:
    """What the words of a description say about a customer.

    Attributes:
        mood: initial mood.
        mood_drift: how fast agent behaviour moves the mood.
        behaviour: the offline simulator's behaviour knobs.
        style_tags: wording styles (``terse``, ``verbose``, ``reassurance``,
            ``simple_grammar``, ``polite``, ``demanding``).
        matched: the cue words found, for explanations and tests.
        mood_from_words: whether a mood word (not only the default) set the mood.
        elderly: whether the text suggests an older customer.
    """

    mood: Mood = Mood.calm
    mood_drift: MoodDrift = MoodDrift.medium
    behaviour: Behaviour = field(default_factory=Behaviour)
    style_tags: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    mood_from_words: bool = False
    elderly: bool = False


def read_cues(text: str) -> Cues:
    """Read mood, drift, behaviour and style tags from free text (see the module rules).

    Args:
        text: a one-line description or a persona paragraph, any case.

    Returns:
        The cues; the defaults (calm, medium, default behaviour) when no word matches.
    """
    low = text.lower().replace("’", "'")
    cues = Cues()
    for groups in (_MOOD_WORDS, _FALLBACK_MOOD_WORDS):
        for mood, words in groups:
            hits = [word for word in words if _has_unnegated(low, (word,))[0]]
            if hits:
                cues.mood = mood
                cues.mood_from_words = True
                cues.matched.extend(hits)
                break
        if cues.mood_from_words:
            break
    if not cues.mood_from_words and _has(low, _COMPLAINT_WORDS):
        cues.mood = Mood.frustrated
        cues.matched.extend(w for w in _COMPLAINT_WORDS if _find(low, w))

    slow, slow_negated = _has_unnegated(low, _SLOW_WORDS)
    fast = _has(low, _FAST_WORDS) or slow_negated
    temperament = [w for w in _FAST_WORDS if _find(low, w)] if fast else []
    if slow and not fast:
        temperament = [w for w in _SLOW_WORDS if _has_unnegated(low, (w,))[0]]
    cues.matched.extend(w for w in temperament if w not in cues.matched)
    if slow and not fast:
        cues.mood_drift = MoodDrift.slow
    elif fast or cues.mood is Mood.angry:
        cues.mood_drift = MoodDrift.fast

    cues.elderly = _has(low, _ELDERLY_WORDS)
    cues.behaviour = _behaviour(low, cues)
    cues.style_tags = _style_tags(low, cues)
    return cues


def _behaviour(low: str, cues: Cues) -> Behaviour:
    patience = {MoodDrift.slow: 0.8, MoodDrift.medium: 0.5, MoodDrift.fast: 0.2}[cues.mood_drift]
    if cues.mood is Mood.angry:
        patience = min(patience, 0.15)
    verbosity = 0.5
    if _has(low, _CHATTY_WORDS):
        verbosity = 0.85
    elif _has(low, _TERSE_WORDS) or cues.mood_drift is MoodDrift.fast:
        verbosity = 0.2
    return Behaviour(
        typo_rate=0.12 if _has(low, _TYPO_WORDS) else 0.0,
        verbosity=verbosity,
        patience=patience,
        off_topic_tendency=0.35 if _has(low, _OFF_TOPIC_WORDS) else 0.1,
        non_native_level=0.5 if _has(low, _NON_NATIVE_WORDS) else 0.0,
        reassurance_seeking=0.6 if _has(low, _REASSURANCE_WORDS) or cues.elderly else 0.0,
    )


def _style_tags(low: str, cues: Cues) -> list[str]:
    tags = []
    if cues.behaviour.verbosity <= 0.25:
        tags.append("terse")
    if cues.behaviour.verbosity >= 0.8:
        tags.append("verbose")
    if cues.behaviour.reassurance_seeking > 0:
        tags.append("reassurance")
    if cues.behaviour.non_native_level > 0:
        tags.append("simple_grammar")
    if _has(low, _POLITE_WORDS) or cues.mood is Mood.happy:
        tags.append("polite")
    if cues.mood in (Mood.angry, Mood.frustrated) and cues.mood_drift is MoodDrift.fast:
        tags.append("demanding")
    return tags


def is_behavioural(text: str) -> bool:
    """Whether ``text`` describes how a customer behaves or feels (not only what to do).

    True when any mood, drift or behaviour word occurs, e.g. "You are a private person that does
    not want to reveal much about yourself."
    """
    low = text.lower().replace("’", "'")
    groups: list[tuple[str, ...]] = [words for _mood, words in _MOOD_WORDS]
    groups += [
        _SLOW_WORDS,
        _FAST_WORDS,
        _TYPO_WORDS,
        _CHATTY_WORDS,
        _TERSE_WORDS,
        _NON_NATIVE_WORDS,
        _REASSURANCE_WORDS,
        _POLITE_WORDS,
    ]
    return any(_has(low, words) for words in groups)
