"""The knowledge boundary: a simulated customer may only state values it knows.

An LLM playing a customer tends to invent an order number or an e-mail address when asked for one
it was told it does not have. After each generated reply, :func:`boundary_violations` looks for
stated values and reports those the customer could not know:

- *value-like tokens*: e-mail addresses; runs of 4 or more digits (spaces, dots and dashes inside
  allowed, e.g. ``3348 9175 02``); identifiers mixing letters and digits (``ORD-7711``,
  ``A12B34``); phone-like numbers. A token is allowed when it occurs (after removing separators
  and case) in a known value (persona ``knowledge.knows`` or the scenario's ``known_info``) or in
  something the agent said earlier in the conversation (the customer may repeat it back).
- *unknown items stated*: a phrase like "my account number is X" where "account number" is in
  ``unknown_info`` / ``doesnt_know`` and X is not a "don't know" answer.

Times, dates and money amounts (``10:30``, ``2024-05-03``, ``$25.00``) and years 1900-2099 are
not counted: customers say them without them being facts about their account. Values are compared
on letters, digits and ``@`` only, so ``(977) 625-2661`` and ``977-625-2661`` are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"(?<![\w$£€])\+?\d(?:[\d .-]*\d)?(?![\w])")
_MIXED = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
)
_YEAR = re.compile(r"^(19|20)\d\d$")
_DONT_KNOW = re.compile(
    r"\b(don'?t|do not|not sure|no idea|can'?t|cannot|unknown|forgot|haven'?t|have no)\b",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[^0-9a-z@]")
_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})$")


def _squash(text: str) -> str:
    return _SEPARATORS.sub("", text.lower())


@dataclass(frozen=True)
class Violation:
    """One value the customer stated but cannot know.

    Attributes:
        value: the text as it appeared in the reply.
        reason: why it is not allowed, e.g. ``not among the known values``.
    """

    value: str
    reason: str


def stated_values(text: str) -> list[str]:
    """Return the value-like tokens of ``text`` (e-mails, digit runs, ids), in order."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern in (_EMAIL, _MIXED, _DIGITS):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s <= start < e or s < end <= e for s, e in spans):
                continue
            token = match.group(0).strip(" .-")
            digits = re.sub(r"\D", "", token)
            if pattern is _DIGITS and (len(digits) < 4 or _YEAR.match(token) or _DATE.match(token)):
                continue
            if pattern is _MIXED and len(token) < 4:
                continue
            spans.append((start, end))
            found.append((start, token))
    return [token for _, token in sorted(found)]


def boundary_violations(
    text: str,
    known_values: Iterable[str],
    unknown_items: Iterable[str],
    heard: Iterable[str] = (),
) -> list[Violation]:
    """Return the values in ``text`` the customer cannot know (empty when the reply is fine).

    Args:
        text: the generated customer reply.
        known_values: values the customer knows (persona and scenario known info).
        unknown_items: names of things the customer does not know (``account number``...).
        heard: earlier agent messages; values they contain may be repeated back.
    """
    allowed = " ".join(_squash(v) for v in [*known_values, *heard])
    violations: list[Violation] = []
    for token in stated_values(text):
        if _squash(token) not in allowed:
            violations.append(Violation(token, "not among the values the customer knows"))
    for item in unknown_items:
        words = [re.escape(w) for w in re.split(r"[\s_]+", item.strip()) if w]
        if not words:
            continue
        pattern = re.compile(
            r"\b" + r"[\s_]+".join(words) + r"\b\s*(?:is|was|:|=|would be)\s+([^.,;!?\n]+)",
            re.IGNORECASE,
        )
        for match in pattern.finditer(text):
            value = match.group(1).strip()
            seen = any(v.value in value or value in v.value for v in violations)
            if (
                value
                and not seen
                and not _DONT_KNOW.search(value)
                and _squash(value) not in allowed
            ):
                reason = f"states {item!r}, which the customer does not know"
                violations.append(Violation(value, reason))
    return violations


def repair(text: str, violations: list[Violation], apology: str) -> str:
    """Remove the sentences that state a violating value and add ``apology`` once.

    Args:
        text: the reply.
        violations: what :func:`boundary_violations` found.
        apology: a line such as "Sorry, I don't have that information."; "" adds none.

    Returns:
        The reply without the offending sentences, ending with the apology.
    """
    sentences = re.findall(r"[^.!?。！？\n]+[.!?。！？]*", text)
    bad = [v.value for v in violations]
    kept = [s.strip() for s in sentences if s.strip() and not any(b in s for b in bad)]
    return " ".join([*kept, apology] if apology else kept).strip()
