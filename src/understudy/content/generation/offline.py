"""The offline persona generator: words -> mood and drift, seed -> name, age and facts."""

from __future__ import annotations

import hashlib
import random
import re
from typing import Protocol

from understudy.content.cues import read_cues
from understudy.content.generation.situations import pick_situation
from understudy.content.ids import slugify
from understudy.domain.base import Origin
from understudy.domain.persona import Demographics, Knowledge, Mood, Persona, Personality


def _words(text: str) -> tuple[str, ...]:
    """Split a comma-separated word list (kept as one string so the lists stay compact)."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


_FEMALE = _words(
    "Margaret, Aisha, Lucia, Hannah, Priya, Grace, Mei, Sofia, Ingrid, Fatima, Chloe, "
    "Rosa, Yuki, Amara, Elena, Joan"
)
_MALE = _words(
    "Harold, Omar, Diego, Tom, Ravi, Samuel, Kenji, Lukas, Tariq, Walter, Nikolai, "
    "Andre, Felix, Kwame, Liam, Arthur"
)
_SURNAMES = _words(
    "Okafor, Lindqvist, Moreau, Patel, Brennan, Kowalski, Nakamura, Haddad, Garcia, "
    "Fischer, Osei, Romano, Novak, Campbell, Ito, Reyes"
)
_FEMALE_WORDS = _words(
    "woman, mother, mom, mum, grandmother, grandma, lady, she, her, wife, daughter, "
    "girl, widow, actress, waitress"
)
_MALE_WORDS = _words(
    "man, father, dad, grandfather, grandpa, guy, he, his, husband, son, boy, gentleman, widower"
)
_OCCUPATIONS = _words(
    "teacher, nurse, student, engineer, lawyer, accountant, plumber, chef, farmer, "
    "developer, programmer, doctor, electrician, librarian, mechanic, driver, pilot, "
    "designer, shop owner, business owner, consultant, pharmacist, firefighter, "
    "police officer, journalist, musician, artist, salesperson, manager, cleaner, "
    "carpenter, freelancer, photographer, scientist, professor, receptionist, waiter, "
    "waitress, cashier, veteran, truck driver, retiree, pensioner, homemaker, parent, "
    "mother, father, grandmother, grandfather"
)
_DEFAULT_JOBS = _words(
    "office manager, warehouse supervisor, dental hygienist, bus driver, "
    "marketing assistant, software tester, hairdresser, bookkeeper"
)
_LANGUAGE_WORDS = (
    ("british", "en-GB"),
    ("scottish", "en-GB"),
    ("australian", "en-AU"),
    ("indian", "en-IN"),
    ("canadian", "en-CA"),
    ("irish", "en-IE"),
    ("spanish-speaking", "es-ES"),
    ("mexican", "es-MX"),
    ("french", "fr-FR"),
    ("german", "de-DE"),
    ("brazilian", "pt-BR"),
)
_LIKES = re.compile(
    r"\b(hates|loves|can't stand|cannot stand|dislikes|prefers|insists on)\s+"
    r"([a-z' -]{3,40}?)(?=$|[,.;]| and | who | but )"
)
_AGE = re.compile(r"\b(\d{2})[- ]year[- ]old\b|\baged? (\d{2})\b|\b(\d{2})s\b")

_STYLE_BY_MOOD = {
    Mood.angry: "blunt, raises the volume in writing, demands action",
    Mood.frustrated: "short sentences, repeats the problem, wants it fixed now",
    Mood.confused: "asks for things to be explained again, step by step",
    Mood.happy: "warm and chatty, thanks often",
    Mood.calm: "polite and clear, answers what is asked",
}


class PersonaGenerator(Protocol):
    """What every persona generator provides (the offline one, and an LLM-backed one).

    ``generate`` must return a valid ``Persona`` with ``draft=True`` and
    ``origin=Origin(kind="generated", source=description)``; the same description and seed
    should give the same persona where the backend allows it.
    """

    async def generate(self, description: str, *, seed: int | None = None) -> Persona:
        """Draft a persona from a one-line description."""
        ...


class OfflinePersonaGenerator:
    """``PersonaGenerator`` backed by ``generate_persona`` (no network, deterministic)."""

    name = "offline"

    async def generate(self, description: str, *, seed: int | None = None) -> Persona:
        """Draft a persona; see ``generate_persona``."""
        return generate_persona(description, seed=seed)


def _seed_for(description: str, seed: int | None) -> int:
    digest = hashlib.sha256(f"{seed}|{description}".encode()).hexdigest()
    return int(digest[:12], 16)


def _gender(low: str, rng: random.Random) -> str:
    words = set(re.findall(r"[a-z]+", low))
    if words & set(_FEMALE_WORDS):
        return "female"
    if words & set(_MALE_WORDS):
        return "male"
    return rng.choice(("female", "male"))


def _occupation(low: str, rng: random.Random) -> str:
    for job in sorted(_OCCUPATIONS, key=len, reverse=True):
        match = re.search(
            r"\b((?:retired|former|part-time|young|new|small-)\s+)?" + job + r"s?\b", low
        )
        if match:
            return match.group(0).strip()
    if "retired" in low:
        return "retired " + rng.choice(_DEFAULT_JOBS)
    return rng.choice(_DEFAULT_JOBS)


def _age(low: str, elderly: bool, occupation: str, rng: random.Random) -> int:
    match = _AGE.search(low)
    if match:
        value = int(next(g for g in match.groups() if g))
        return value + rng.randint(0, 9) if match.group(3) else value
    if elderly or "retired" in occupation:
        return rng.randint(66, 84)
    if "student" in low or "teen" in low or "young" in low:
        return rng.randint(18, 24)
    return rng.randint(27, 58)


def _language(low: str) -> str:
    for word, tag in _LANGUAGE_WORDS:
        if word in low:
            return tag
    return "en-US"


def generate_persona(description: str, *, seed: int | None = None) -> Persona:
    """Draft a full persona from a one-line description, offline.

    Mood, mood drift, behaviour and style tags follow the words (rules in
    ``understudy.content.cues``); the situation ("double charged" -> a billing backstory with
    an amount, a date and a card) follows keywords (``situations.pick_situation``); name, age
    (when not stated), occupation (when not stated) and invented facts come from a generator
    seeded with the description and ``seed``.

    Args:
        description: e.g. "impatient retired teacher who was double charged and hates phone
            menus".
        seed: any integer; the same description and seed give the same persona. None is a
            fixed seed too (not random), so a call without a seed is also reproducible.

    Returns:
        A valid ``Persona`` with ``draft=True`` and ``origin`` generated from the description.

    Raises:
        ValueError: the description is empty.
    """
    text = " ".join(description.split())
    if not text:
        raise ValueError("expected a one-line description of the customer, got an empty string")
    low = text.lower().replace("’", "'")
    rng = random.Random(_seed_for(text, seed))
    cues = read_cues(text)
    gender = _gender(low, rng)
    first = rng.choice(_FEMALE if gender == "female" else _MALE)
    last = rng.choice(_SURNAMES)
    occupation = _occupation(low, rng)
    age = _age(low, cues.elderly, occupation, rng)
    situation = pick_situation(low)
    facts = situation.facts(rng)
    pronoun = "she" if gender == "female" else "he"
    story_fill = {**facts, "pronoun": pronoun, "pronoun_cap": pronoun.capitalize()}
    situation_line = situation.story.format(**story_fill)
    likes = [f"{verb} {what.strip()}" for verb, what in _LIKES.findall(low)]
    years = rng.randint(2, 15)
    article = "an" if str(age).startswith("8") or age in (11, 18) else "a"  # "an 84-year-old"
    backstory = (
        f"{first} {last} is {article} {age}-year-old {occupation} and has been a customer "
        f"for {years} years. {situation_line}"
    )
    if likes:
        backstory += f" {pronoun.capitalize()} {'; '.join(likes)}."
    email = f"{first.lower()}.{last.lower()}{rng.randint(10, 99)}@example.com"
    knows = {"name": f"{first} {last}", "email": email, **facts}
    digest = hashlib.sha256(f"{seed}|{text}".encode()).hexdigest()[:6]
    style = _STYLE_BY_MOOD[cues.mood]
    if "terse" in cues.style_tags:
        style += "; few words per turn"
    if "verbose" in cues.style_tags:
        style += "; long turns with asides"
    return Persona(
        id=f"{slugify(first)}-{slugify(last)}-{digest}",
        name=f"{first} {last}",
        summary=text[0].upper() + text[1:],
        demographics=Demographics(age=age, gender=gender, occupation=occupation),
        mood=cues.mood,
        mood_drift=cues.mood_drift,
        language=_language(low),
        backstory=backstory,
        knowledge=Knowledge(knows=knows, doesnt_know=list(situation.unknown)),
        personality=Personality(
            trait=", ".join(cues.matched[:3]) or None,
            emotional_state=cues.mood.value,
            communication_style=style,
            decision_making="wants a clear fix before agreeing to anything"
            if cues.mood in (Mood.angry, Mood.frustrated)
            else "weighs the options, then agrees",
        ),
        behaviour=cues.behaviour,
        style_tags=cues.style_tags,
        draft=True,
        origin=Origin(kind="generated", source=text),
    )
