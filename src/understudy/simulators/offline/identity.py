"""Who the customer is in one conversation, and which persona facts a scenario may use.

**Names.** Fifty conversations of one persona are fifty callers, not one caller fifty times: the
customer's full name is the persona's first name with a surname drawn per conversation from a
seeded generator (``draw_name``), unless the scenario fixes the name in ``goal.known_info``. The
persona stays recognisable (Maya is Maya) while a batch holds different people. Surnames are the
most common surnames of the United States census of 2010, as published by the Census Bureau.

**Details.** The persona's other facts are drawn per conversation too (``draw_facts``), in the
shape of the persona's value: every digit of an order number, phone, card or amount is drawn
("ORD-7711" becomes "ORD-3094"), a date moves by up to a year, and an e-mail address whose local
part holds the persona's first name is rebuilt from the conversation's name
("sam.rivera@example.com" becomes "sam.nguyen@example.com"). A value the persona's backstory or
summary tells ("charged $42.99 twice") is part of who the persona is and stays. Scenario facts
are never drawn: what the scenario fixes, it fixes.

**Case facts.** A persona's facts about the case (order number, amount, card, product, invoice,
account) fill a slot only when the scenario speaks of that kind of thing (``scenario_uses``):
an airline cancellation never opens with an order number from the persona. Contact details
(name, e-mail, phone, address, zip, date of birth) are the customer's own and always known.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.simulators.offline.slots import canonical_slot, slot_phrases

SURNAMES: tuple[str, ...] = (
    *("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis"),
    *("Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson"),
    *("Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White"),
    *("Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen"),
    *("King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams"),
    *("Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez"),
    *("Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes"),
    *("Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz"),
    *("Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim"),
    *("Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett"),
    *("Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel"),
    *("Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell"),
    *("Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher"),
    *("Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham"),
    *("Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera"),
    *("Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro"),
    *("Marshall", "Owens", "Harrison", "Fernandez", "Mcdonald", "Woods", "Washington", "Kennedy"),
    *("Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns"),
    *("Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw"),
    *("Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner"),
    *("Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills"),
    *("Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto"),
    *("Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins"),
)
"""Common United States surnames (census 2010), about two hundred."""

_CASE_KINDS: dict[str, str] = {
    "order_id": r"\border|\bpurchase|\bbought\b|\bdeliver|\bshipp|\bpackage",
    "invoice_id": r"\binvoice|\bbill\b",
    "account_id": r"\baccount\b",
    "card": r"\bcard\b|\bcharge",
    "amount": r"\bamount|\bcharge|\bpaid\b|\bprice|\bcost|\brefund|\$\d|\bdollars?\b",
    "product": r"\bproduct|\bitem\b|\border|\bbought\b|\bpurchase",
    "membership": r"\bmember",
    "username": r"\busername|\blog ?in\b|\baccount\b",
    "payment_method": r"\bpay|\bcharge|\brefund",
    "refund_method": r"\brefund",
    "account_type": r"\baccount\b|\bplan\b|\bsubscription",
}
"""Case slots -> words by which a scenario speaks of that kind of thing."""

CONTACT_SLOTS = frozenset({"name", "email", "phone", "address", "zip", "date_of_birth", "city"})
"""Slots that are the customer's own details, known whatever the call is about."""


def scenario_text(scenario: Scenario) -> str:
    """Everything a scenario says about the case, in one lower-case string."""
    goal = scenario.goal
    parts = [
        goal.reason_for_call,
        (goal.intent or "").replace("_", " "),
        goal.task_instructions,
        scenario.opening_line,
        *scenario.objections,
        *goal.success_conditions,
        *(k.replace("_", " ") for k in goal.known_info),
        *goal.unknown_info,
    ]
    return " ".join(parts).lower()


@lru_cache(maxsize=4096)
def _uses(key: str, text: str) -> bool:
    slot = canonical_slot(key)
    if slot in CONTACT_SLOTS:
        return True
    if any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in slot_phrases(key)):
        return True
    kind = _CASE_KINDS.get(slot or "")
    return bool(kind and re.search(kind, text))


def scenario_uses(key: str, scenario: Scenario) -> bool:
    """True when a persona fact about ``key`` belongs in ``scenario`` (module docstring)."""
    return _uses(key, scenario_text(scenario))


def draw_name(persona: Persona, rng: random.Random) -> str:
    """The customer's full name for one conversation: the persona's first name, a drawn surname.

    Args:
        persona: gives the first name (the first word of ``name``).
        rng: a generator seeded for this conversation.
    """
    first = persona.name.split()[0] if persona.name.strip() else "Alex"
    return f"{first} {rng.choice(SURNAMES)}"


@dataclass(frozen=True)
class Identity:
    """Who the customer is in one conversation.

    Attributes:
        name: the full name (``draw_name``).
        facts: the persona's facts with their drawn values (``draw_facts``), by key.
    """

    name: str
    facts: dict[str, str]


def identity_rng(rng: random.Random) -> random.Random:
    """A generator seeded by the conversation's, without drawing from it.

    The conversation's own stream stays as it was, so adding identity draws changes no other
    choice of the conversation.
    """
    return random.Random(hash(rng.getstate()[1]))


def conversation_identity(persona: Persona, rng: random.Random) -> Identity:
    """Draw the customer's name and details for one conversation (module docstring).

    Args:
        persona: the persona.
        rng: the conversation's generator (not drawn from; see ``identity_rng``).
    """
    identity = identity_rng(rng)
    name = draw_name(persona, identity)
    return Identity(name=name, facts=draw_facts(persona, identity, name))


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def draw_facts(persona: Persona, rng: random.Random, name: str) -> dict[str, str]:
    """The persona's facts with values drawn for one conversation, in the shape of its own.

    Args:
        persona: gives ``knowledge.knows``; a value its backstory or summary tells is kept.
        rng: a generator seeded for this conversation.
        name: the conversation's full name (e-mail addresses are built from it).

    Returns:
        key -> value, every key of ``persona.knowledge.knows``; the name fact is ``name``.
    """
    story = f"{persona.backstory} {persona.summary}"
    first = persona.name.split()[0].lower() if persona.name.strip() else ""
    out: dict[str, str] = {}
    for key, value in persona.knowledge.knows.items():
        if canonical_slot(key) == "name":
            out[key] = name
        elif not value or value in story:
            out[key] = value
        elif "@" in value:
            local, _, domain = value.partition("@")
            if first and first in local.lower():
                out[key] = "{}.{}@{}".format(*name.lower().split()[:2], domain)
            else:
                out[key] = f"{_redraw_digits(local, rng)}@{domain}"
        elif match := _DATE.match(value):
            try:
                day = datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                out[key] = value
            else:
                out[key] = (day + datetime.timedelta(days=rng.randint(-365, 365))).isoformat()
        else:
            out[key] = _redraw_digits(value, rng)
    return out


def _redraw_digits(value: str, rng: random.Random) -> str:
    """Every digit drawn again; a leading non-zero digit stays non-zero (no "$04.99")."""
    chars = []
    leading = True
    for char in value:
        if char.isdigit():
            low = 1 if leading and char != "0" else 0
            chars.append(str(rng.randint(low, 9)))
            leading = False
        else:
            chars.append(char)
            if not char.isalnum() and char not in ".,":  # "555-0142": a new group starts
                leading = True
    return "".join(chars)
