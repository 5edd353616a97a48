"""Situations a one-line description can point to, and the facts each one invents.

A situation is picked by keywords ("double charged" -> billing); it supplies a backstory
sentence, the facts the customer knows (key -> value, invented with the seeded generator) and
the things they do not know. Values are plausible, not real: they become the persona's own
knowledge. The word lists are this project's own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

Facts = dict[str, str]


@dataclass(frozen=True)
class Situation:
    """A kind of problem a customer calls about.

    Attributes:
        key: short name, e.g. ``billing``.
        words: keywords that pick it (lower case).
        story: backstory sentence template; ``{facts}`` fields are filled from ``facts``.
        facts: builds the known facts from a seeded generator.
        unknown: things this customer does not know.
        details: a sentence giving the facts without saying what went wrong, used after the
            description's own words for the problem (so the story never contradicts them).
    """

    key: str
    words: tuple[str, ...]
    story: str
    facts: Callable[[random.Random], Facts]
    unknown: tuple[str, ...]
    details: str = ""


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"${rng.randint(low, high)}.{rng.randint(0, 99):02d}"


def _date(rng: random.Random) -> str:
    months = ("March", "April", "May", "June", "September", "October", "November")
    return f"{rng.choice(months)} {rng.randint(2, 27)}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _billing(rng: random.Random) -> Facts:
    return {
        "account_number": f"AC-{_digits(rng, 6)}",
        "charge_amount": _money(rng, 19, 240),
        "charge_date": _date(rng),
        "card_last_four": _digits(rng, 4),
    }


def _delivery(rng: random.Random) -> Facts:
    item = rng.choice(
        (
            "a coffee maker",
            "running shoes",
            "a desk lamp",
            "a winter coat",
            "a blender",
            "headphones",
            "a bookshelf",
        )
    )
    return {"order_id": f"ORD-{_digits(rng, 5)}", "order_date": _date(rng), "item": item}


def _tech(rng: random.Random) -> Facts:
    device = rng.choice(("router", "laptop", "smartphone", "smart TV", "tablet"))
    return {
        "account_number": f"AC-{_digits(rng, 6)}",
        "device": device,
        "problem_since": f"{rng.randint(2, 9)} days ago",
    }


def _travel(rng: random.Random) -> Facts:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    ref = "".join(rng.choice(letters + "23456789") for _ in range(6))
    city = rng.choice(("Denver", "Boston", "Lisbon", "Chicago", "Madrid", "Toronto"))
    return {"booking_reference": ref, "travel_date": _date(rng), "destination": city}


def _banking(rng: random.Random) -> Facts:
    return {
        "card_last_four": _digits(rng, 4),
        "account_type": rng.choice(("checking", "savings")),
        "last_transaction": _money(rng, 12, 480),
    }


def _subscription(rng: random.Random) -> Facts:
    plan = rng.choice(("Premium", "Family", "Basic", "Plus"))
    return {
        "plan": plan,
        "monthly_price": _money(rng, 8, 60),
        "member_since": str(rng.randint(2015, 2024)),
    }


def _general(rng: random.Random) -> Facts:
    return {"account_number": f"AC-{_digits(rng, 6)}"}


SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "billing",
        (
            "double charged",
            "charged twice",
            "overcharged",
            "bill",
            "billing",
            "charge",
            "fee",
            "invoice",
            "refund",
        ),
        "On {charge_date} {pronoun} was charged {charge_amount} on the card ending "
        "{card_last_four} and wants the charge explained or refunded.",
        _billing,
        ("why the charge happened", "the refund policy", "how long a refund takes"),
        "The charge is {charge_amount}, taken on {charge_date} from the card ending "
        "{card_last_four}; the account number is {account_number}.",
    ),
    Situation(
        "delivery",
        (
            "delivery",
            "package",
            "parcel",
            "order",
            "shipping",
            "never arrived",
            "late",
            "wrong item",
            "damaged",
        ),
        "{pronoun_cap} ordered {item} on {order_date} (order {order_id}) and it has not arrived "
        "in the state promised.",
        _delivery,
        ("the tracking number", "which courier delivers", "the return window"),
        "The order is {order_id}: {item}, ordered on {order_date}.",
    ),
    Situation(
        "tech",
        (
            "internet",
            "wifi",
            "wi-fi",
            "router",
            "app",
            "login",
            "password",
            "laptop",
            "phone",
            "not working",
            "outage",
            "broken",
            "computer",
            "printer",
            "tech",
            "tv",
            "television",
            "modem",
            "tablet",
            "restarting",
            "keeps crashing",
        ),
        "{pronoun_cap} has had trouble with the {device} since {problem_since} and has already "
        "tried turning it off and on again.",
        _tech,
        ("the model number", "the firmware version", "what the lights on the device mean"),
        "The trouble with the {device} started {problem_since}; the account number is "
        "{account_number}.",
    ),
    Situation(
        "travel",
        ("flight", "booking", "hotel", "trip", "reservation", "airline", "travel", "luggage"),
        "{pronoun_cap} has a booking {booking_reference} to {destination} on {travel_date} and "
        "needs help with it.",
        _travel,
        ("the fare rules", "the change fee", "the flight number"),
        "The booking is {booking_reference}, to {destination} on {travel_date}.",
    ),
    Situation(
        "banking",
        ("card", "bank", "declined", "fraud", "loan", "mortgage", "transfer", "account"),
        "{pronoun_cap} noticed something wrong with the {account_type} account (card ending "
        "{card_last_four}) after a {last_transaction} transaction.",
        _banking,
        ("the routing number", "the daily limit", "the dispute process"),
        "It is the {account_type} account, card ending {card_last_four}; the last transaction "
        "was {last_transaction}.",
    ),
    Situation(
        "subscription",
        ("subscription", "membership", "cancel", "renewal", "plan", "contract", "gym"),
        "{pronoun_cap} has been on the {plan} plan since {member_since} at {monthly_price} a "
        "month and wants to change or cancel it.",
        _subscription,
        ("the cancellation terms", "the renewal date"),
        "{pronoun_cap} has been on the {plan} plan since {member_since}, at {monthly_price} a "
        "month.",
    ),
)

GENERAL = Situation(
    "general",
    (),
    "{pronoun_cap} has a question about the account {account_number} and wants a clear answer.",
    _general,
    ("the company's internal policies",),
    "The account number is {account_number}.",
)


NOT_A_DEVICE = re.compile(r"\b(?:phone menus?|phone calls?|on the phone|by phone|phone trees?)\b")
"""Phrases that name the phone as a way of calling, not as the thing that is broken."""


def _word(word: str) -> str:
    """A keyword as a whole word, with its usual endings ("charge" matches "charged")."""
    return rf"\b{re.escape(word)}(?:s|es|d|ed|led|ing|ling)?\b"


def pick_situation(text: str) -> Situation:
    """Return the situation whose keywords occur earliest-ranked in ``text`` (lower-cased).

    The situation with most keyword hits wins; ties go to the earlier one in ``SITUATIONS``.
    ``GENERAL`` when nothing matches.
    """
    low = NOT_A_DEVICE.sub(" ", text.lower())
    best, best_hits = GENERAL, 0
    for situation in SITUATIONS:
        hits = sum(1 for word in situation.words if re.search(_word(word), low))
        if hits > best_hits:
            best, best_hits = situation, hits
    return best
