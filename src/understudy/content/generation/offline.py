"""The offline persona generator: words -> mood and drift, seed -> name, age and facts."""

from __future__ import annotations

import hashlib
import random
import re
from typing import Protocol

from understudy.content.cues import read_cues
from understudy.content.generation.description import (
    LACKED_KEYS,
    Description,
    read_description,
)
from understudy.content.generation.situations import Situation, pick_situation
from understudy.content.ids import slugify
from understudy.domain.base import Origin
from understudy.domain.persona import Demographics, Knowledge, Mood, Persona, Personality
from understudy.simulators.languages import primary


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
# Names that fit the customer's language, for languages other than English:
# (female first names, male first names, surnames).
_LOCAL_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "es": (
        _words("Lucia, Carmen, Sofia, Elena, Rosa, Marta, Isabel, Paula"),
        _words("Diego, Javier, Carlos, Miguel, Luis, Andres, Pablo, Jorge"),
        _words("Garcia, Reyes, Fernandez, Lopez, Martinez, Sanchez, Romero, Torres"),
    ),
    "fr": (
        _words("Camille, Claire, Elodie, Manon, Juliette, Sophie"),
        _words("Julien, Thomas, Nicolas, Antoine, Mathieu, Louis"),
        _words("Moreau, Dubois, Laurent, Lefebvre, Girard, Bernard"),
    ),
    "de": (
        _words("Ingrid, Katrin, Anna, Sabine, Lena, Ursula"),
        _words("Lukas, Jonas, Stefan, Matthias, Felix, Dieter"),
        _words("Fischer, Schmidt, Becker, Wagner, Hoffmann, Keller"),
    ),
    "pt": (
        _words("Ana, Beatriz, Mariana, Joana, Ines, Rita"),
        _words("Joao, Pedro, Tiago, Rafael, Bruno, Paulo"),
        _words("Silva, Santos, Oliveira, Costa, Pereira, Almeida"),
    ),
    "it": (
        _words("Giulia, Chiara, Francesca, Elena, Sara, Marta"),
        _words("Marco, Luca, Matteo, Giorgio, Paolo, Andrea"),
        _words("Romano, Rossi, Bianchi, Ricci, Greco, Conti"),
    ),
    "ja": (
        _words("Yuki, Haruka, Aiko, Mei, Sakura, Emi"),
        _words("Kenji, Hiroshi, Takumi, Daiki, Kenta, Sora"),
        _words("Nakamura, Ito, Tanaka, Suzuki, Sato, Watanabe"),
    ),
}
_DEFAULT_JOBS = _words(
    "office manager, warehouse supervisor, dental hygienist, bus driver, "
    "marketing assistant, software tester, hairdresser, bookkeeper"
)
_LIKES = re.compile(
    r"\b(hates|loves|can't stand|cannot stand|dislikes|prefers|insists on)\s+"
    r"([a-z' -]{3,40}?)(?=$|[,.;]| and | who | but )"
)

_STYLE_BY_MOOD = {
    Mood.angry: "blunt, raises the volume in writing, demands action",
    Mood.frustrated: "repeats the problem, wants it fixed now",
    Mood.confused: "asks for things to be explained again, step by step",
    Mood.happy: "warm, thanks often",
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


def _name(desc: Description, rng: random.Random) -> tuple[str, str, str]:
    """(gender, first name, surname): the stated gender, names that fit the language."""
    gender = desc.gender or rng.choice(("female", "male"))
    female, male, surnames = _LOCAL_NAMES.get(
        primary(desc.language or "en"), (_FEMALE, _MALE, _SURNAMES)
    )
    return gender, rng.choice(female if gender == "female" else male), rng.choice(surnames)


def _age(desc: Description, elderly: bool, rng: random.Random) -> int:
    if desc.age is not None:
        return desc.age
    low, high = desc.age_range or ((66, 84) if elderly or desc.retired else (27, 58))
    if desc.retired:
        low = max(low, 60)
    return rng.randint(low, max(low, high))


def _occupation(desc: Description, age: int, rng: random.Random) -> str:
    if desc.occupation:
        return desc.occupation
    if age < 20:
        return "student"
    if desc.retired or age >= 67:
        return "retired " + rng.choice(_DEFAULT_JOBS)
    return rng.choice(_DEFAULT_JOBS)


def _with_article(item: str) -> str:
    if item.endswith("s") or item.split()[0] in ("a", "an", "the", "some"):
        return item
    return ("an " if item[0] in "aeiou" else "a ") + item


def _stated_facts(desc: Description, key: str, facts: dict[str, str]) -> dict[str, str]:
    """The situation's invented facts with the values the description states laid over."""
    facts = dict(facts)
    if desc.amount:
        slot = {"billing": "charge_amount", "banking": "last_transaction"}.get(key)
        slot = slot or ("monthly_price" if key == "subscription" else "amount")
        facts[slot] = desc.amount
    if desc.device and key == "tech":
        facts["device"] = desc.device
    if desc.item and key == "delivery":
        facts["item"] = _with_article(desc.item)
    if desc.destination and key == "travel":
        facts["destination"] = desc.destination
    if desc.order_id:
        facts["order_id"] = desc.order_id
    if desc.card_last_four:
        facts["card_last_four"] = desc.card_last_four
    for lacked in desc.lacks:
        facts.pop(LACKED_KEYS.get(lacked, lacked.replace(" ", "_")), None)
    return facts


def _style(mood: Mood, tags: list[str]) -> str:
    style = _STYLE_BY_MOOD[mood]
    if "terse" in tags:
        style = "short sentences, " + style + "; few words per turn"
    if "verbose" in tags:
        style += "; long turns with asides"
    return style


def _story(desc: Description, situation: Situation, facts: dict[str, str], pron: str) -> str:
    """The problem in the description's own words, then the facts; the situation's story when
    the description gives no clause."""
    fill = {**facts, "pronoun": pron, "pronoun_cap": pron.capitalize()}
    if not desc.problem:
        line = situation.story.format(**fill)
        if situation.key == "billing" and re.search(r"double|twice|two times", desc.text.lower()):
            line = line.replace(" on the card", " twice on the card")
        return line
    poss = {"she": "her", "he": "his"}[pron]
    problem = desc.problem.replace("{poss}", poss)
    problem = re.sub(r"\bher\b|\bhis\b", poss, problem) if desc.gender is None else problem
    if problem.startswith(poss + " "):
        first = problem[0].upper() + problem[1:]
    else:
        first = f"{pron.capitalize()} {problem}"
    return f"{first.rstrip('.')}. {_fill(situation.details, fill)}".strip()


def _fill(template: str, fill: dict[str, str]) -> str:
    """Fill ``template`` clause by clause, leaving out a clause whose fact is not known."""
    kept = []
    for clause in re.split(r"(?<=[.;]) ", template):
        names = re.findall(r"{(\w+)}", clause)
        if all(name in fill for name in names):
            sentence = clause.format(**fill).rstrip(";.")
            kept.append(sentence[0].upper() + sentence[1:] + ".")
    return " ".join(kept)


def generate_persona(description: str, *, seed: int | None = None) -> Persona:
    """Draft a full persona from a one-line description, offline.

    What the description states is kept as stated (``description.read_description``): age (or
    the range its words imply), gender, language, occupation, the problem in its own words and
    any value it gives (amount, device, item, destination, order number, card digits), and a
    fact it says the customer lacks is left out of what they know. Mood, mood drift, behaviour
    and style tags follow the words (rules in ``understudy.content.cues``); the situation
    ("double charged" -> billing facts: an amount, a date and a card) follows keywords
    (``situations.pick_situation``). Everything the description leaves open (name, age within
    its range, occupation, the remaining facts) comes from a generator seeded with the
    description and ``seed``; names fit the customer's language.

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
    desc = read_description(text)
    gender, first, last = _name(desc, rng)
    age = _age(desc, cues.elderly, rng)
    occupation = _occupation(desc, age, rng)
    situation = pick_situation(low)
    facts = _stated_facts(desc, situation.key, situation.facts(rng))
    pronoun = "she" if gender == "female" else "he"
    likes = [f"{verb} {what.strip()}" for verb, what in _LIKES.findall(low)]
    years = rng.randint(1, max(1, min(15, age - 17)))
    article = "an" if str(age).startswith("8") or age in (11, 18) else "a"  # "an 84-year-old"
    who = "person without a job" if occupation == "unemployed" else occupation
    backstory = (
        f"{first} {last} is {article} {age}-year-old {who} and has been a customer "
        f"for {years} year{'s' if years > 1 else ''}. {_story(desc, situation, facts, pronoun)}"
    )
    likes = [like for like in likes if like not in backstory]
    if likes:
        backstory += f" {pronoun.capitalize()} {'; '.join(likes)}."
    email = f"{first.lower()}.{last.lower()}{rng.randint(10, 99)}@example.com"
    knows = {"name": f"{first} {last}", "email": email, **facts}
    lacked = [f"the {thing}" for thing in desc.lacks]
    for thing in desc.lacks:
        knows.pop(LACKED_KEYS.get(thing, thing.replace(" ", "_")), None)
    digest = hashlib.sha256(f"{seed}|{text}".encode()).hexdigest()[:6]
    return Persona(
        id=f"{slugify(first)}-{slugify(last)}-{digest}",
        name=f"{first} {last}",
        summary=text[0].upper() + text[1:],
        demographics=Demographics(age=age, gender=gender, occupation=occupation),
        mood=cues.mood,
        mood_drift=cues.mood_drift,
        language=desc.language or "en-US",
        backstory=backstory,
        knowledge=Knowledge(knows=knows, doesnt_know=[*lacked, *situation.unknown]),
        personality=Personality(
            trait=", ".join(cues.matched[:3]) or None,
            emotional_state=cues.mood.value,
            communication_style=_style(cues.mood, cues.style_tags),
            decision_making="wants a clear fix before agreeing to anything"
            if cues.mood in (Mood.angry, Mood.frustrated)
            else "weighs the options, then agrees",
        ),
        behaviour=cues.behaviour,
        style_tags=cues.style_tags,
        draft=True,
        origin=Origin(kind="generated", source=text),
    )
