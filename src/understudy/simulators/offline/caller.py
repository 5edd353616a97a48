"""The phone register: how a caller words its acts in a voice scenario.

Written from the caller turns of the calibration part of the Harper Valley calls (spoken,
role-played bank calls in ``../shared/data``; the report part is kept for the realism benchmark,
``benchmarks/bench_realism.py``). What callers do there, and what this register does:

* they open with who they are and a short goal: "hi my name is linda garcia i would like to
  schedule an appointment", "hi my name is michael smith i need a new checkbook"; the details
  (amount, accounts, day) come when the agent asks;
* they answer a question with the value alone or in a short frame: "savings", "my credit card",
  "uh the amount is eighty one dollars", "monday"; numbers are said in words
  (:mod:`understudy.simulators.offline.spoken`);
* "anything else?" gets "no thank you", "no that'll be all thank you"; a goodbye gets "you too
  bye", "you too bye bye", "you too take care" (24 of 31 calibration callers open with "hi my
  name is", and most close with "you too bye"; a first tuning pass had "okay you too bye",
  "hello my name is" and "i'd like to", which a two-sample classifier picked out as simulated);
* about one turn in ten holds "uh", "um" or "hmm" (Harper Valley callers: 11% of turns in the
  calibration part; a persona's ``verbosity`` raises or lowers it, see ``filler_rate``).

Values are never written here: ``{v}`` marks where the value goes and ``{label}`` the slot name.
"""

from __future__ import annotations

import re

VOICE_PHRASES: dict[str, tuple[str, ...]] = {
    "affirm": ("yes", "yes", "yes that's right", "correct", "yes it is", "that's right"),
    "negate": ("no", "no that's not right", "uh no", "no that's not it"),
    "other": (
        "okay",
        "alright",
        "okay thank you",
        "alright thank you",
        "great thank you",
        "thanks",
    ),
    "thank": ("thank you", "okay thank you", "thank you so much", "alright thank you"),
    "bye": (
        "you too bye",
        "you too bye",
        "you too bye bye",
        "you too",
        "you too take care",
        "you as well bye",
    ),
    "no_more": ("no thank you", "no that'll be all thank you", "no that was everything"),
    "urge": ("so can you help me with that", "okay so what do i need to do", "so what happens now"),
    "dont_know": (
        "i don't know {my} {label}",
        "um i don't have {my} {label} on me",
        "i'm not sure what {my} {label} is",
        "oh i don't know {my} {label} sorry",
    ),
    "inform": (
        "{v}",
        "{v}",
        "it's {v}",
        "the {label} is {v}",
        "the {label} is {v}",
        "uh the {label} is {v}",
        "my {label} is {v}",
        "my {label} is {v}",
    ),
    "decline": ("no thank you", "no i'm okay thanks", "uh no thanks", "no that's okay"),
    "complain": ("i already told you that", "i just said that", "this is taking a while"),
    "leave": (
        "you know what forget it i'll call back later",
        "okay i'm gonna hang up now",
        "never mind bye",
    ),
    "escalate": (
        "can i talk to a real person please",
        "can i speak to a manager",
        "i'd like to talk to somebody else please",
    ),
    "restate_prefix": ("", "", "like i said ", "yeah "),
    "push_back": ("um no i don't think so i did everything right", "no that's not it"),
    "push_back_upset": ("that's not my fault", "excuse me i didn't do anything wrong"),
    "demand": ("please", "i'm in a bit of a hurry", "as soon as possible please"),
    "accept": ("yes please", "yeah that would be great", "okay yes that works"),
    "return_to_goal": ("anyway", "but anyway"),
    "ask_repeat": ("sorry what was that", "sorry can you say that again", "i'm sorry what"),
    "reassurance": ("and that'll be okay right", "so that's all fine then"),
    "object": ("hmm i'm not sure about that", "that doesn't really work for me"),
    "ask_proof": (
        "okay can i get a confirmation number for that",
        "and will i get something in writing",
    ),
    "off_topic": (
        "oh and are you open on saturdays",
        "oh by the way do you have a branch downtown",
    ),
}
"""Act -> phone phrasings (lower case, no punctuation: how a transcript reads)."""

TERSE_VOICE_PHRASES: dict[str, tuple[str, ...]] = {
    "off_topic": ("also you open saturdays", "oh and the branch downtown still open"),
}
"""An impatient caller's asides (``temperament``): a few words, then back to the point."""

TERSE_INTROS: tuple[str, ...] = ("hi my name is {n}", "hi this is {n}", "my name is {n}")
"""Self-introductions of a terse caller."""

SPOKEN_ASIDES: tuple[str, ...] = (
    "sorry i'm not very good with these things",
    "my grandson usually does this for me",
    "bear with me",
)
"""What a verbose (elderly) caller adds now and then, instead of the chat register's asides."""

INTROS: tuple[str, ...] = (
    "hi my name is {n}",
    "hi my name is {n}",
    "hi my name is {n}",
    "hi my name is {n} and",
    "my name is {n}",
    "hi this is {n}",
)
"""Self-introductions of an opening turn (``{n}`` is the name)."""

GOAL_FRAMES: tuple[str, ...] = (
    "i would like to {g}",
    "i would like to {g}",
    "i would like to {g}",
    "i need to {g}",
    "i need to {g}",
)
"""How a caller states what it wants (``{g}`` a verb phrase: "transfer money")."""

RESTATE_FRAMES: tuple[str, ...] = (
    "i'm just trying to {g}",
    "i just need to {g}",
    "i'm calling to {g}",
    "i was hoping to {g}",
)
"""How a caller says its goal again, in other words than its opening."""

_WANT = re.compile(
    r"\b(?:i|and) (?:want|need|would like|'d like|wish|am calling|'m calling)(?: to)?\s+",
    re.IGNORECASE,
)
_NOUN_START = re.compile(r"^(?:a|an|the|my|some|to know)\b", re.IGNORECASE)
_CUT = re.compile(
    r"[,;:]|\s(?:from|because|since|so that|but|which|who|as|after|before|when|while|sent|"
    r"and|of|for|to|with|on|at|in|about|by|as soon|i|it)\b",
    re.IGNORECASE,
)
_MAX_WORDS = 5


_CLAUSE_BREAK = re.compile(r"[;:,]")
_OWNED = re.compile(r"\b(?:my|your) (\w+)", re.IGNORECASE)


def goal_phrase(reason: str) -> str | None:
    """The short verb phrase of a first-person reason, or None when it has none.

    "I want to transfer money from my savings account to my checking account." gives "transfer
    money"; "I want a refund for the blender..." gives "get a refund"; "I want to order new
    checks, sent to my home address." gives "order new checks"; "I forgot my password and want
    to reset it; ..." gives "reset my password". The phrase stops at the first
    preposition or clause break after its first two words and has at most five words, so the
    details are left for the agent to ask about and the scenario's text is never recited.
    """
    text = reason.strip().rstrip(".!?")
    match = _WANT.search(text)
    if not match:
        return None
    rest = text[match.end() :]
    if _NOUN_START.match(rest) and not rest.lower().startswith("to know"):
        rest = "get " + rest
    rest = _CLAUSE_BREAK.split(rest)[0]
    words = rest.split()
    if words and words[0].lower() in ("it", "them", "this", "that", "these", "those"):
        return None  # "want it shipped to...": no verb phrase of its own
    if words and words[-1].lower() == "it":  # "forgot my password and want to reset it"
        before = _OWNED.findall(text[: match.start()])
        if before:
            words[-1] = f"my {before[-1]}"
            rest = " ".join(words)
    if len(words) > 2:
        head, tail = " ".join(words[:2]), " " + " ".join(words[2:])
        cut = _CUT.search(tail)
        rest = head + (tail[: cut.start()] if cut else tail)
    phrase = " ".join(rest.split()[:_MAX_WORDS]).strip(" ,;:").lower()
    return phrase or None


def filler_rate(verbosity: float) -> float:
    """Chance that a phone turn opens with a filler: 0.02 at verbosity 0, 0.10 at 1.

    Harper Valley callers: 11% of turns hold "uh", "um" or "hmm" (calibration part). Phrases
    such as "uh it's {v}" already carry some, so the opening filler is rarer: 0.06 at an average
    verbosity of 0.5, which brings a calm persona's share to that of real callers.
    """
    return 0.02 + 0.08 * verbosity
