"""Turn a scenario's ``reason_for_call`` into words a customer would say.

Scenario authors (and imported data sets such as tau2) often write the reason as instructions
to whoever plays the customer: "You want to return the jeans", "Return the air purifier...",
"At the end, ask whether the vacuum cleaner could be returned as well". Said word for word, that
is no customer's speech. ``customer_reason`` rewrites it with simple, predictable rules:

* sentences about how to behave during the call are dropped: those that open with a timing or
  condition clause followed by an instruction ("At the end, ask...", "If the agent offers
  credit, refuse"), that open with a behaviour verb ("Be polite", "Insist on...", "Do not...",
  "Make sure..."), or that speak of "the agent";
* second person becomes first person: "you were" -> "I was", "your" -> "my", and "you" -> "me"
  after a preposition or a verb that takes an object ("sent to you" -> "sent to me"), "I"
  elsewhere;
* a sentence that opens with a bare task verb ("Return the air purifier...") becomes "I want to
  return the air purifier...".

When every sentence is dropped, the first one is kept (rewritten), so the customer always has
something to say. The rules are hand-written from the reasons in this project's example
scenarios and the tau2 customer instructions in ``../shared/data``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s+[A-Z0-9\"'(])|[.!?]+\s*$|$)")
"""A sentence ends at punctuation followed by a capital (so "i.e. delay" stays whole)."""

_TIMING = (
    r"at the (?:end|start|beginning|same time)|in the end|at some point|afterwards|after that|"
    r"later(?: on)?|finally|first(?:ly)?|then|next|once|when(?:ever)?|if|unless|before|after|"
    r"during|throughout|while|until|only if|if asked|when asked"
)
_INSTRUCTION_VERBS = (
    r"ask|say|tell|mention|insist|refuse|decline|accept|agree|be|act|respond|reply|answer|"
    r"explain|provide|give|confirm|don'?t|do not|never|always|let|try|make sure|request|end|"
    r"hang up|thank|leave|push|demand|threaten|escalate|stay|remain|keep|express|complain|"
    r"follow up|check|question|reject|only|you (?:should|must|can|may|will)"
)
_META = re.compile(
    rf"^(?:{_TIMING})\b[^,]*,\s*(?:{_INSTRUCTION_VERBS})\b"
    r"|^(?:be|act|behave|pretend|play|stay|remain|keep|insist|refuse|avoid|try to|make sure|"
    r"be sure|remember|note|don'?t|do not|never|always|only|feel free|respond|reply|answer|"
    r"mention|say|tell the|wait|thank|speak|sound|use|express|show)\b"
    r"|\bthe (?:agent|assistant|representative|rep|bot|operator)\b"
    r"|\byou (?:should|must|shall|will not|won'?t|may|can)\b"
    r"|^you(?:'re| are) (?:a |an )?(?:customer|user|caller|shopper|role|playing)\b"
    r"|^you(?:'re| are) [A-Z][a-z]+ [A-Z]",
    re.IGNORECASE,
)
"""A sentence that tells the customer how to behave rather than what the call is about."""

_NOTE = re.compile(
    r"\s*\([^()]*\b(?:mention|unless|do not|don'?t|only if|if the (?:agent|assistant)|"
    r"tell|say|ask|reveal)\b[^()]*\)",
    re.IGNORECASE,
)
"""A parenthesised note to the simulator inside a sentence, as tau2 writes them: "(HAT266, mention
only the flight number if the agent shows it to you first)". Never spoken, so dropped whole."""

_TASK_VERBS = re.compile(
    r"^(?:return|cancel|get|request|change|update|find|recover|reset|exchange|book|buy|order|"
    r"check|report|dispute|close|open|remove|add|track|file|claim|modify|transfer|pay|upgrade|"
    r"downgrade|obtain|apply|set up|sign up|subscribe|unsubscribe|renew|replace|fix|receive|"
    r"learn|know|see|ask|arrange|schedule|reschedule|confirm|activate|deactivate|delete|"
    r"switch|move|redeem|use|inquire|enquire|complain|understand)\s+"
    r"(?:the|a|an|your|my|his|her|their|its|it|them|one|two|both|all|some|this|that|these|"
    r"those|to|for|about|whether|if|why|how|what|when|where|back|in|out|up|off|on)\b",
    re.IGNORECASE,
)
"""Bare task verbs that open an imperative reason ("Return the air purifier..."), followed by
a word that shows the verb is one ("the", "your", "whether"...), so that "Order 1234 arrived
broken" is left as it is."""

_OBJECT_BEFORE = (
    r"to|for|with|at|from|about|by|of|on|onto|into|give|gave|given|send|sent|tell|told|charge|"
    r"charged|call|called|email|emailed|contact|contacted|help|helped|refund|refunded|owe|owes|"
    r"offer|offered|let|ask|asked|bill|billed|notify|notified|ship|shipped|cost|costs|"
    r"promised|promise|assured|assure|inform|informed|mail|mailed|pay|paid|reimburse|"
    r"reimbursed|credit|credited|invoice|invoiced|remind|reminded|show|showed|shown|than"
)
_PRONOUNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), repl)
    for pattern, repl in (
        (r"\byou were\b", "I was"),
        (r"\byou weren't\b", "I wasn't"),
        (r"\bwere you\b", "was I"),
        (r"\byou aren't\b", "I'm not"),
        (r"\byou are\b", "I am"),
        (r"\bare you\b", "am I"),
        (r"\byou're\b", "I'm"),
        (r"\byou've\b", "I've"),
        (r"\byou'd\b", "I'd"),
        (r"\byou'll\b", "I'll"),
        (r"\byourself\b", "myself"),
        (r"\byours\b", "mine"),
        (r"\byour\b", "my"),
        (rf"\b((?:{_OBJECT_BEFORE}) )you\b", r"\1me"),
        (r"\byou(?=\s*[.,;:!?)]|\s*$)", "me"),
        (r"\byou\b", "I"),
    )
)
_LOWER_I = re.compile(r"\bi\b(?!\.\w)")


def _fix_case(text: str) -> str:
    """Capitalise the sentence start and the pronoun "I"; lower-case "My" mid-sentence."""
    text = _LOWER_I.sub("I", text)
    text = re.sub(r"(?<=\w )(My|Me|Mine|Myself)\b", lambda m: m.group(1).lower(), text)
    return text[:1].upper() + text[1:]


def _first_person(sentence: str) -> str:
    """Rewrite one sentence from second to first person (see the module docstring)."""
    for pattern, repl in _PRONOUNS:
        sentence = pattern.sub(repl, sentence)
    return _fix_case(sentence)


def _customer_sentence(sentence: str) -> str:
    text = _first_person(sentence.strip())
    if _TASK_VERBS.match(text):
        text = "I want to " + text[0].lower() + text[1:]
    if text and text[-1] not in ".?!":
        text += "."
    return text


def is_meta(sentence: str) -> bool:
    """True when ``sentence`` tells the customer how to behave (see the module docstring)."""
    return bool(_META.search(sentence.strip()))


@lru_cache(maxsize=512)
def customer_reason(reason: str) -> str:
    """Return ``reason`` as the customer's own words, in the first person.

    Args:
        reason: a scenario's ``goal.reason_for_call``, in any person, possibly with instructions.

    Returns:
        One or more sentences, each ending with punctuation; ``""`` for an empty reason.
    """
    text = " ".join(_NOTE.sub("", reason).split())
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if not sentences:
        return ""
    kept = [s for s in sentences if not is_meta(s)] or sentences[:1]
    return " ".join(_customer_sentence(s) for s in kept)


def lower_first(text: str) -> str:
    """Lower-case the first letter of ``text`` for use mid-sentence ("because I want...").

    Leaves it alone when the first word is "I" (or "I'm", "I'd"...), holds a digit, or has a
    capital letter after its first (an acronym or an identifier such as ``ORD-7711``).
    """
    first = text.split(" ", 1)[0]
    if not first or first == "I" or first.startswith("I'") or any(c.isdigit() for c in first):
        return text
    if any(c.isupper() for c in first[1:]):
        return text
    return text[0].lower() + text[1:]
