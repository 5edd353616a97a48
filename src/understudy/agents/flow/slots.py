"""Slot extraction for collect nodes: regex patterns, fuzzy choices, "I don't know", templates.

- A ``pattern`` is searched anywhere in the customer's text; the value is group 1 when the
  pattern has a group, else the whole match, stripped.
- ``choices`` are matched with ``understudy.matching.phrase_score`` (rapidfuzz ``partial_ratio``
  on lower-cased text, 100 for a verbatim occurrence); the best phrase at or above the flow's
  ``choice_threshold`` wins, the longer phrase on a tie ("credit card" beats "card").
- "I don't know" is recognised from a short list of phrases (``DONT_KNOW``) at score 90 or more,
  so "dunno" and "i dont remember" count and typos of them mostly do too.
- ``{slot}`` placeholders in prompts are replaced by slot values; unknown ones are kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from understudy.domain.flow import PLACEHOLDER, Choice
from understudy.matching import phrase_score

#: Phrases that mean the customer does not know or cannot give the value asked for.
DONT_KNOW = (
    "i don't know",
    "i dont know",
    "don't know",
    "dont know",
    "do not know",
    "no idea",
    "not sure",
    "i'm not sure",
    "dunno",
    "don't remember",
    "dont remember",
    "do not remember",
    "can't remember",
    "cant remember",
    "forgot",
    "don't have",
    "dont have",
    "do not have",
)

_DONT_KNOW_SCORE = 90.0


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a slot pattern once per process.

    Raises:
        re.error: the pattern does not compile (``load_flow`` reports this up front; flows built
            in code meet it when the node is reached).
    """
    return re.compile(pattern)


def extract_pattern(pattern: str, text: str) -> str | None:
    """Return the value ``pattern`` finds in ``text`` (group 1 or the whole match), or None."""
    compiled = compile_pattern(pattern)
    found = compiled.search(text)
    if found is None:
        return None
    value = found.group(1) if compiled.groups else found.group(0)
    if value is None:
        return None
    value = value.strip()
    return value or None


def extract_choice(choices: list[Choice], text: str, threshold: float) -> str | None:
    """Return the value of the best-matching choice in ``text``, or None below ``threshold``."""
    best: tuple[float, int, str] | None = None
    for choice in choices:
        for phrase in choice.phrases:
            score = phrase_score(phrase, text)
            if score < threshold:
                continue
            key = (score, len(phrase), choice.value)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best is not None else None


def says_dont_know(text: str) -> bool:
    """True when ``text`` says the customer does not know or have what was asked."""
    return any(phrase_score(p, text) >= _DONT_KNOW_SCORE for p in DONT_KNOW)


def render(template: str, slots: Mapping[str, str]) -> str:
    """Replace ``{slot}`` placeholders with slot values (unknown ones are left as written)."""
    if "{" not in template:
        return template
    return PLACEHOLDER.sub(lambda m: slots.get(m.group(1), m.group(0)), template)
