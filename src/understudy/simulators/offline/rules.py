"""Rules of a person's reactions, shared by both user simulators.

* **Blame** (``blames``): an agent line that puts the fault on the customer ("you are probably
  using it wrong", "you must have dropped it", "that's user error") is never agreed with; the
  customer pushes back, more sharply when frustrated or angry.
* **Offers** (``offer_fits_goal``): what an offer proposes is read as remedies (refund,
  replacement, exchange, repair, store credit, discount, cancellation, an add-on). An offer whose
  remedies include one of the goal's and add nothing the goal did not ask for is accepted; an
  offer of something else ("store credit instead", an extended warranty) is refused.
* **Objections** (``objection_fits``): a scenario objection is raised only when the agent's
  turn touches what it is about (they share a content word: "Does it really have to go back to
  the original payment?" fits a turn about the original payment method).
* **Recitation** (``longest_shared_run``): the customer never says six or more consecutive words
  of the scenario's text; the tests measure it with this function.

The word lists are hand-written from the remedies and blame lines of the tau2 retail and
airline policies and the ABCD guidelines in ``../shared/data``.
"""

from __future__ import annotations

import re
from functools import lru_cache

BLAME = re.compile(
    r"\byou(?:'re| are)? (?:probably |just |obviously |clearly |must be )?"
    r"(?:using|doing|did|entered|typed|set|plugged|installed|handled|read|holding)\b[^.?!]{0,30}"
    r"\b(?:wrong|wrongly|incorrectly|improperly|badly)\b"
    r"|\byou must have (?:broken|dropped|damaged|done|forgotten|deleted|misread|lost|missed|"
    r"typed|entered|ignored)\b"
    r"|\b(?:user|operator|customer) error\b"
    r"|\b(?:your|the customer'?s) (?:own )?(?:fault|mistake|problem)\b"
    r"|\byou (?:didn'?t|did not|never) (?:read|follow|check|update|charge|register|activate)\b"
    r"|\byou (?:should|could) have (?:read|checked|looked|known|listened|asked|thought|called)\b"
    r"|\bif you had (?:read|checked|looked|listened|followed)\b"
    r"|\b(?:it'?s|that'?s|this is) (?:on|because of) you\b",
    re.IGNORECASE,
)
"""An agent line that blames the customer."""

_REMEDIES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "refund": r"\b(?:refund\w*|money back|reimburse\w*|pay (?:you|it) back)\b",
        "replacement": r"\b(?:replace\w*|new one|re-?ship\w*|re-?send\w*|send (?:you )?another)\b",
        "exchange": r"\b(?:exchange\w*|swap\w*)\b",
        "repair": r"\b(?:repair\w*|fix(?:ed|ing)? (?:it|the))\b",
        "credit": r"\b(?:store credit|credit(?! card)|voucher|gift card|coupon|points)\b",
        "discount": r"\b(?:discount\w*|\d+ ?% off|percent off)\b",
        "cancel": r"\b(?:cancel\w*)\b",
        "add_on": r"\b(?:upgrade\w*|warranty|protection plan|premium|add-on|bundle|insurance)\b",
    }.items()
}


def remedies(text: str) -> frozenset[str]:
    """The remedies a text speaks of (see the module docstring)."""
    return frozenset(name for name, pattern in _REMEDIES.items() if pattern.search(text))


def blames(text: str) -> bool:
    """True when an agent turn puts the fault on the customer."""
    return bool(BLAME.search(text))


def offer_fits_goal(offer: str, goal_text: str) -> bool:
    """True when the offer gives what the goal asks and nothing else.

    Args:
        offer: the agent's turn (or the clause) making the offer.
        goal_text: the scenario's reason for the call, intent and task instructions.

    Returns:
        True for an offer naming one of the goal's remedies and no other; an offer naming no
        remedy at all ("would you like me to go ahead?") fits too, since it contradicts nothing.
    """
    offered, wanted = remedies(offer), remedies(goal_text)
    if not offered:
        return True
    return bool(offered & wanted) and offered <= wanted


_STOP = frozenset(
    {
        *("that", "this", "with", "what", "your", "have", "about", "would", "could", "should"),
        *("there", "their", "they", "them", "then", "than", "into", "from", "just", "really"),
        *("only", "also", "been", "were", "will", "does", "done", "it's", "don't", "want"),
        *("need", "like", "make", "much", "more", "some", "very", "back", "take", "takes"),
        *("call", "called", "again", "sure", "okay", "thank", "thanks", "help", "please"),
    }
)


def content_words(text: str) -> set[str]:
    """Words of more than three letters that carry content (no function words), lower case."""
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3 and w not in _STOP}


def objection_fits(objection: str, agent_text: str) -> bool:
    """True when an objection's content words meet the agent's turn (its trigger fits)."""
    return bool(content_words(objection) & content_words(agent_text))


@lru_cache(maxsize=2048)
def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9']+", text.lower()))


def longest_shared_run(said: str, source: str) -> int:
    """The longest run of consecutive words ``said`` shares with ``source`` (case-blind)."""
    a, b = _words(said), _words(source)
    if not a or not b:
        return 0
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best
