"""The outcome of one rule-based check, and how evidence quotes are cut from a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from understudy.domain.grade import Evidence
from understudy.domain.transcript import Message
from understudy.matching import phrase_score

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass
class CheckResult:
    """Outcome of one check.

    Attributes:
        score: 0..1, or None when the check does not apply.
        rationale: one sentence.
        evidence: supporting quotes.
    """

    score: float | None
    rationale: str
    evidence: list[Evidence] = field(default_factory=list)


def quote(message: Message, phrases: list[str]) -> Evidence:
    """Return the sentence of ``message`` that best matches ``phrases``, as evidence.

    The quote is a verbatim substring of ``message.text`` (the whole text when it has no
    sentence break).
    """
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(message.text)]
    sentences = [s for s in sentences if s] or [message.text]
    best = max(sentences, key=lambda s: max((phrase_score(p, s) for p in phrases), default=0.0))
    return Evidence(turn=message.index, role=message.role, quote=best)
