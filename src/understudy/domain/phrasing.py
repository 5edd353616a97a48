"""Files of customer wording: intent lists for flows and opening lines for the user simulator.

Two author-facing kinds (``understudy.content.kinds``), both written by ``understudy import
bitext`` and both documented in ``docs/phrasing.md``:

* ``intents`` (``IntentList``): a list of flow intents with example phrases, the same shape as
  a flow's ``intents``; a flow includes such files with ``intents_from``.
* ``opening-lines`` (``OpeningLines``): intent -> style -> lines a customer may open a call
  with, with ``{snake_case}`` placeholders that the offline user simulator fills from the
  customer's known facts. Installed in ``$UNDERSTUDY_HOME/phrasing/`` they extend the
  simulator's built-in phrasing bank.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from understudy.domain.base import StrictModel
from understudy.domain.flow import IDENTIFIER, Intent

SLOT_PLACEHOLDER = re.compile(r"\{([a-z]+(?:_[a-z]+)*)\}")
"""A placeholder the user simulator fills: ``{snake_case}``, lower-case letters and ``_``.

The one definition of a placeholder: the bitext importer, the phrasing bank and the offline
simulator's wording all use it (group 1 is the slot name)."""
DIGIT = re.compile(r"\d")
"""A digit. Opening lines holding one outside their placeholders are left out of banks: they
would state a value (an order number, an amount) the customer was not given."""
_BRACED = re.compile(r"\{[^{}]*\}")

IntentName = Annotated[str, StringConstraints(pattern=IDENTIFIER)]


class IntentList(StrictModel):
    """An ``intents`` file: flow intents with example phrases, for flows to include.

    Attributes:
        intents: the intents (``understudy.domain.flow.Intent``: ``name``, ``examples``,
            optional ``answer`` and ``next``); names are unique within the file.
    """

    intents: list[Intent] = Field(default_factory=list)

    @field_validator("intents")
    @classmethod
    def _unique_names(cls, intents: list[Intent]) -> list[Intent]:
        seen: set[str] = set()
        for intent in intents:
            if intent.name in seen:
                raise ValueError(f"intent {intent.name!r} is declared twice")
            seen.add(intent.name)
        return intents


class OpeningStyle(StrEnum):
    """The wording style of an opening line.

    ``plain``: everyday wording (the default, and the fallback for every persona). ``terse``:
    few words, for terse or impatient personas. ``simple``: simple grammar, for non-native
    speakers. ``polite``: added for personas tagged ``polite``. ``verbose``: added for verbose
    personas. ``typo``: requests as written with typos and errors; kept for reference, not
    spoken (the simulator adds its own typos from the persona's ``typo_rate``).
    ``demanding``: added for personas tagged ``demanding``.
    """

    plain = "plain"
    terse = "terse"
    simple = "simple"
    polite = "polite"
    verbose = "verbose"
    typo = "typo"
    demanding = "demanding"


def placeholder_problem(line: str) -> str | None:
    """Return what is wrong with the placeholders of an opening line, or None.

    Every ``{...}`` must be ``{snake_case}`` (lower-case letters and ``_``, e.g.
    ``{order_id}``), and no brace may stand alone.
    """
    for match in _BRACED.finditer(line):
        if not SLOT_PLACEHOLDER.fullmatch(match.group(0)):
            return f"placeholder {match.group(0)} should be {{snake_case}}, e.g. {{order_id}}"
    rest = _BRACED.sub("", line)
    if "{" in rest or "}" in rest:
        return "unmatched brace: write a placeholder as {snake_case}, e.g. {order_id}"
    return None


def _check_line(line: str) -> str:
    if not line.strip():
        raise ValueError("an opening line must not be empty")
    problem = placeholder_problem(line)
    if problem:
        raise ValueError(problem)
    return line


OpeningLine = Annotated[str, AfterValidator(_check_line)]
"""One opening line: not empty, placeholders written ``{snake_case}``."""


class OpeningLines(StrictModel):
    """An ``opening-lines`` file: how customers state each intent, per style.

    Attributes:
        source: where the lines come from (citation and licence), shown to users.
        intents: intent name -> style -> lines. A line may hold ``{snake_case}`` placeholders
            (``{order_id}``); the user simulator fills them from the customer's known facts and
            never uses a line whose placeholder the customer does not know.
    """

    source: str = ""
    intents: dict[IntentName, dict[OpeningStyle, list[OpeningLine]]] = Field(default_factory=dict)

    def slots(self) -> set[str]:
        """Return every placeholder name used in the file."""
        return {
            slot
            for styles in self.intents.values()
            for lines in styles.values()
            for line in lines
            for slot in SLOT_PLACEHOLDER.findall(line)
        }
