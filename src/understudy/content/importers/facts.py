"""Turn sentences such as "You are Yusuf Rossi in zip code 19122." into key/value facts.

Recognised facts (slot names as keys): ``name``, ``user_id`` (``mia_garcia_4516``), ``email``,
``phone_number`` (``555-123-2002``), ``zip_code`` (a five-digit number), ``order_id``
(``#W2378156``), ``reservation_id`` (six letters and digits after "reservation" or
"confirmation"), ``location`` (after "live in", "from", "residing in"...), ``date_of_birth``,
``address``, ``annual_income``, ``credit_score``. A second value of the same kind gets a suffix
(``email_2``). Sentences that yield no fact are kept, word for word, under ``notes``.
"""

from __future__ import annotations

import re

Facts = dict[str, str]

_NAME = r"([A-Z][a-z'-]+(?:[ -][A-Z][a-z'-]+){0,2})"
_NAME_PATTERNS = (
    re.compile(
        r"^(?:You are|You're|Your name is|You name is)\s+(?:an? [^.,]*? called\s+)?"
        + _NAME
        + r"(?=$|[\s,.(])"
    ),
    re.compile(r"\bnamed\s+" + _NAME),
    re.compile(
        r"^(?:\*\*Your character:\*\*\s*)?(?:You are\s+)?" + _NAME + r", an? \d{2}-year-old"
    ),
)
_NOT_NAMES = {"You", "Your", "The", "If", "When", "Rho", "Agent"}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_USER_ID = re.compile(r"\b[a-z]+_[a-z]+_\d{3,5}\b|\buser_\d+\b")
_PHONE = re.compile(r"\(?\b\d{3}\)?[-. ]\d{3}-\d{4}\b")
_ORDER = re.compile(r"#W\d{5,}")
_RESERVATION = re.compile(
    r"\b(?:reservation|confirmation)(?: (?:id|number|ID|code))?(?: is)?:?\s+([A-Z0-9]{6})\b",
    re.IGNORECASE,
)
_ZIP = re.compile(r"(?<![\d$.,-])\b(\d{5})\b(?![\d,.]\d)")
_LOCATION = re.compile(
    r"\b(?:live in|living in|residing in|reside in|from|abroad in|at home in)\s+"
    r"((?:the )?[A-Z][A-Za-z]+(?:[ ,]+[A-Z][A-Za-z]+)*)"
)
_DOB = re.compile(r"\b(\d{2}/\d{2}/\d{4})\b")
_INCOME = re.compile(
    r"(\$[\d,]+)\s*(?:annually|a year|per year)|annual income(?: is|:)?\s*(\$[\d,]+)", re.IGNORECASE
)
_CREDIT = re.compile(r"credit score (?:of|is)\s*(\d{3})", re.IGNORECASE)
_LABELLED = re.compile(
    r"(?:^|[-|]\s*)([A-Z][A-Za-z +]{1,30}):\s*([^|\n]+?)"
    r"(?=\s+[-|]\s+[A-Z][A-Za-z +]{1,30}:|\s*\||\s*$)"
)

_LABEL_KEYS = {
    "name": "name",
    "full name": "name",
    "your full name": "name",
    "phone": "phone_number",
    "phone number": "phone_number",
    "your phone number": "phone_number",
    "email": "email",
    "your email": "email",
    "email address": "email",
    "dob": "date_of_birth",
    "date of birth": "date_of_birth",
    "your date of birth": "date_of_birth",
    "address": "address",
    "your address": "address",
    "annual income": "annual_income",
    "rho-bank+ subscription": "subscription",
}


def _put(facts: Facts, key: str, value: str) -> bool:
    value = value.strip().strip(".,;'\"")
    if not value or value in facts.values():
        return False
    if key not in facts:
        facts[key] = value
        return True
    n = 2
    while f"{key}_{n}" in facts:
        n += 1
    facts[f"{key}_{n}"] = value
    return True


def sentences(text: str) -> list[str]:
    """Split text into sentences and lines (on newlines and on ``. `` before a capital)."""
    parts: list[str] = []
    for line in text.splitlines():
        parts.extend(re.split(r"(?<=[.!?])\s+(?=[A-Z])", line.strip()))
    return [p.strip() for p in parts if p.strip() and p.strip() != "."]


def facts_from_sentence(sentence: str, facts: Facts) -> bool:
    """Add the facts found in one sentence to ``facts``; return whether any was new."""
    found = False
    rest = sentence
    for match in _LABELLED.finditer(sentence):
        key = _LABEL_KEYS.get(match.group(1).strip().lower())
        if key:
            found |= _put(facts, key, match.group(2))
    for email in _EMAIL.findall(rest):
        found |= _put(facts, "email", email)
    rest = _EMAIL.sub(" ", rest)
    for user_id in _USER_ID.findall(rest):
        found |= _put(facts, "user_id", user_id)
    for phone in _PHONE.findall(rest):
        found |= _put(facts, "phone_number", phone)
    rest = _PHONE.sub(" ", rest)
    for order in _ORDER.findall(rest):
        found |= _put(facts, "order_id", order)
    for reservation in _RESERVATION.findall(rest):
        if re.search(r"\d", reservation) and re.search(r"[A-Z]", reservation):
            found |= _put(facts, "reservation_id", reservation)
    for dob in _DOB.findall(rest):
        found |= _put(facts, "date_of_birth", dob)
    for pair in _INCOME.findall(rest):
        found |= _put(facts, "annual_income", pair[0] or pair[1])
    for score in _CREDIT.findall(rest):
        found |= _put(facts, "credit_score", score)
    if "name" not in facts:
        for pattern in _NAME_PATTERNS:
            named = pattern.search(sentence.strip())
            if named and named.group(1).split()[0] not in _NOT_NAMES:
                found |= _put(facts, "name", named.group(1))
                break
    if "address" not in facts:
        for zip_code in _ZIP.findall(rest):
            found |= _put(facts, "zip_code", zip_code)
    loc = _LOCATION.search(rest)
    if loc and "location" not in facts and "address" not in facts:
        place = loc.group(1).strip(" ,")
        if place.split()[0] not in _NOT_NAMES:
            found |= _put(facts, "location", place)
    return found


def parse_facts(text: str | None) -> Facts:
    """Parse free text into facts; sentences without a fact are kept under ``notes``.

    Args:
        text: e.g. ``"You are Yusuf Rossi in zip code 19122."``; None gives no facts.

    Returns:
        e.g. ``{"name": "Yusuf Rossi", "zip_code": "19122"}``.
    """
    facts: Facts = {}
    notes: list[str] = []
    for sentence in sentences(text or ""):
        if not facts_from_sentence(sentence, facts):
            notes.append(sentence)
    if notes:
        facts["notes"] = " ".join(notes)
    return facts


def ids_from_text(text: str | None, facts: Facts) -> None:
    """Add identifiers mentioned in ``text`` (orders, reservations, emails, phones) to ``facts``.

    Used on a reason for call ("You received your order #W2378156...") so the customer can
    give the order id when asked. Names, zip codes and locations are not taken from here.
    """
    if not text:
        return
    for order in _ORDER.findall(text):
        _put(facts, "order_id", order)
    for reservation in _RESERVATION.findall(text):
        if re.search(r"\d", reservation) and re.search(r"[A-Z]", reservation):
            _put(facts, "reservation_id", reservation)
    for email in _EMAIL.findall(text):
        _put(facts, "email", email)
    for phone in _PHONE.findall(text):
        _put(facts, "phone_number", phone)


_UNKNOWN = re.compile(
    r"^(?:you\s+)?(?:do not|don't|can't|cannot|can not|doesn't|does not)\s+"
    r"(?:remember|know|recall|have)\s+(?:any of\s+)?(.+?)\.?$",
    re.IGNORECASE,
)
_UNKNOWN_SLOTS = (
    ("email", "email"),
    ("reservation", "reservation_id"),
    ("order number", "order_id"),
    ("payment method", "payment_method"),
    ("flight number", "flight_number"),
    ("cabin", "cabin"),
    ("dob", "date_of_birth"),
    ("date of birth", "date_of_birth"),
)


def parse_unknown(text: str | None) -> tuple[list[str], list[str]]:
    """Split an ``unknown_info`` text into items the customer does not know, and the rest.

    "You do not remember your email address." gives the item ``email``; a sentence that is
    not of the "you don't know/remember/have X" kind is returned as an instruction.

    Returns:
        ``(unknown items, other sentences)``.
    """
    items: list[str] = []
    other: list[str] = []
    for sentence in sentences(text or ""):
        match = _UNKNOWN.match(sentence.strip())
        if not match:
            other.append(sentence)
            continue
        thing = re.sub(r"^(?:your|the|an?)\s+", "", match.group(1).strip(), flags=re.IGNORECASE)
        slot = None
        if "'s " not in thing:
            slot = next((s for word, s in _UNKNOWN_SLOTS if word in thing.lower()), None)
        item = slot or thing
        if item not in items:
            items.append(item)
    return items, other
