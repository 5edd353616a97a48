"""Slot names and the phrases agents use for them ("order number" for ``order_id``).

Canonical slots and synonyms are hand-written from the slot names of task-oriented support data
(the ABCD ontology and the tau2 customer tasks in ``../shared/data``) and common agent wording.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

SLOT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_id": (
        "order id",
        "order number",
        "order no",
        "order #",
        "order reference",
        "purchase number",
        "purchase id",
        "order code",
    ),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail address"),
    "zip": ("zip", "zip code", "zipcode", "postcode", "postal code", "post code"),
    "name": ("name", "full name", "first name", "last name", "surname", "your name"),
    "username": ("username", "user name", "user id", "login", "login name"),
    "account_id": (
        "account id",
        "account number",
        "account no",
        "customer id",
        "customer number",
        "member id",
        "membership number",
    ),
    "address": (
        "address",
        "shipping address",
        "home address",
        "street address",
        "delivery address",
        "mailing address",
        "billing address",
        "postal address",
        "where should we send",
        "where should we ship",
        "where should we mail",
        "where should we deliver",
        "where should it be sent",
        "where should it go",
        "where would you like it sent",
        "where would you like it shipped",
        "where would you like us to send",
        "where do you want it sent",
        "where to send",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "mobile number",
        "cell number",
        "contact number",
    ),
    "card": (
        "card",
        "card number",
        "credit card",
        "debit card",
        "last four digits",
        "last 4 digits",
        "last four",
        "last 4",
        "final four digits",
        "last digits",
        "card ending",
        "card on file",
    ),
    "payment_method": (
        "payment method",
        "method of payment",
        "paid with",
        "pay with",
        "how you paid",
        "how did you pay",
        "how would you like to pay",
        "how do you want to pay",
        "how will you pay",
        "how you'd like to pay",
        "how you would like to pay",
        "form of payment",
        "payment type",
        "payment option",
        "means of payment",
    ),
    "refund_method": (
        "refund method",
        "method of refund",
        "refund option",
        "refund type",
        "type of refund",
        "refund to",
        "refunded to",
        "receive the refund",
        "receive your refund",
        "refund be sent",
        "refund sent",
        "how would you like to be refunded",
        "how do you want to be refunded",
        "how you'd like to be refunded",
        "how you would like to be refunded",
        "how would you like the refund",
        "how would you like your refund",
        "how would you like to receive the refund",
        "how would you like to receive your refund",
        "where should the refund go",
        "where would you like the refund",
    ),
    "amount": ("amount", "how much", "the charge", "the price", "the total", "charged amount"),
    "product": ("product", "item", "which item", "what did you buy", "what did you order"),
    "date_of_birth": (
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "dob",
        "d.o.b",
        "when were you born",
        "born on",
    ),
    "invoice_id": ("invoice number", "invoice id", "invoice no"),
    "city": ("city", "town"),
    "country": ("country",),
    "account_type": ("account type", "type of account", "plan", "subscription"),
    "membership": ("membership", "membership level", "tier", "member level"),
    "card_type": ("card type", "type of card", "kind of card", "which card", "what card"),
    "source_account": (
        "source account",
        "source",
        "from which account",
        "which account from",
        "transfer from",
        "transferring from",
        "account to transfer from",
    ),
    "destination_account": (
        "destination account",
        "destination",
        "to which account",
        "transfer to",
        "transferring to",
        "account to transfer to",
        "receiving account",
    ),
    "company": ("company", "company name", "payee", "biller", "who is the bill", "bill to"),
    "company_address": ("company address", "address of the company", "payee address"),
    "day": ("day", "what day", "which day", "date"),
    "time": ("time", "what time", "which time"),
}
"""Canonical slot name -> phrases an agent may use for it."""


@lru_cache(maxsize=1024)
def _norm_key(key: str) -> str:
    return re.sub(r"[_\s-]+", " ", key.strip().lower())


_SYNONYM_TO_SLOT = {
    _norm_key(phrase): slot
    for slot, phrases in SLOT_SYNONYMS.items()
    for phrase in (*phrases, _norm_key(slot))
}


@lru_cache(maxsize=1024)
def canonical_slot(key: str) -> str | None:
    """Return the canonical slot a fact key or item names, or None when it names none.

    ``order_number``, ``Order ID`` and ``order id`` all give ``order_id``; ``e-mail address``
    gives ``email``; ``refund policy`` gives None.
    """
    return _SYNONYM_TO_SLOT.get(_norm_key(key))


def slot_phrases(key: str) -> tuple[str, ...]:
    """Return the phrases that refer to ``key``: the key itself plus its canonical synonyms."""
    own = _norm_key(key)
    slot = canonical_slot(key)
    extra = SLOT_SYNONYMS.get(slot, ()) if slot else ()
    return tuple(dict.fromkeys((own, *extra)))


def slot_label(key: str) -> str:
    """Return a short human label of a slot: ``order_id`` -> ``order number``."""
    slot = canonical_slot(key)
    labels = {
        "order_id": "order number",
        "email": "email address",
        "zip": "zip code",
        "account_id": "account number",
        "phone": "phone number",
        "date_of_birth": "date of birth",
        "invoice_id": "invoice number",
    }
    if slot in labels:
        return labels[slot]
    return _norm_key(key)


class SlotMatcher:
    """Finds which of a conversation's slots a sentence mentions (longest phrase wins).

    Args:
        keys: slot keys and unknown items to look for, in priority order.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        owner: dict[str, str] = {}
        for key in keys:
            for phrase in slot_phrases(key):
                owner.setdefault(_norm_key(phrase), key)
        self._owner = owner
        alternatives = sorted(owner, key=len, reverse=True)
        body = "|".join(re.escape(p).replace(r"\ ", r"[\s_-]+") for p in alternatives)
        self._regex = re.compile(rf"(?<![\w-])({body})(?![\w-])", re.IGNORECASE) if body else None

    def find(self, text: str) -> list[str]:
        """Return the keys mentioned in ``text``, in order of first mention, without repeats."""
        if self._regex is None:
            return []
        found: list[str] = []
        for match in self._regex.finditer(text):
            key = self._owner.get(_norm_key(match.group(1)), "")
            if key and key not in found:
                found.append(key)
        return found


@lru_cache(maxsize=256)
def slot_matcher(keys: tuple[str, ...]) -> SlotMatcher:
    """Return a cached ``SlotMatcher`` for ``keys`` (scenarios repeat across a batch)."""
    return SlotMatcher(keys)
