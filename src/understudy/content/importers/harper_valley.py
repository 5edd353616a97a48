"""Read the Harper Valley bank calls (spoken, role-played) into turns and scenarios.

The file is ``calls.jsonl`` of the Gridspace-Stanford Harper Valley data set (Apache-2.0): one
call per line with its ``task_type``, the caller's task card (``task``), the caller's name and
``turns`` of ``speaker`` (agent or caller), human transcript ``text``, timing and
``dialog_acts``. Transcripts are lower case with no punctuation; ``[noise]``-style tags mark
sounds.

``load_calls`` reads it; a call's ``turns`` merges consecutive segments of one speaker into one
turn (a caller saying "hi" / "my name is ..." / "i lost my card" in three segments is one turn)
and drops segments holding only tags. ``scenario_for`` turns a call's task card into the
scenario the caller played: a reason for the call without the card's values, the values as
known facts, and what the agent is to tell (the balance, the branch hours) as unknown items.

Errors name the file and line: a line that is not JSON or lacks ``id``, ``task_type`` or
``turns`` raises ``ContentError``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from understudy.domain.scenario import CustomerGoal, Scenario, ScenarioMode
from understudy.domain.transcript import Role
from understudy.errors import ContentError, ContentProblem

_TAG = re.compile(r"\[[^\]]*\]|<[^>]*>")

_REASONS: dict[str, str] = {
    "check balance": "You want to check your account balance; it is your {account_type} account.",
    "get branch hours": "You want to know the branch hours.",
    "order checks": "You want to order new checks, sent to your home address.",
    "pay bill": "You want to pay a bill to {company}.",
    "replace card": "You lost your {card_type} card and want a replacement.",
    "reset password": "You forgot your password and want to reset it; the reset goes to your "
    "phone.",
    "schedule appointment": "You want to schedule an appointment at the bank.",
    "transfer money": "You want to transfer money between your accounts, from your "
    "{source_account} account to your {destination_account} account.",
}
"""Task type -> reason for the call, in the second person as tau2 writes them; ``{slot}`` is
filled from the card. Values the caller is asked for (amounts, addresses, times) are left out,
so saying the reason does not reveal them all at once."""

_CARD_SLOTS: dict[str, str] = {
    "balance check account type": "account_type",
    "home address": "address",
    "company address": "company_address",
    "company name": "company",
    "money amount": "amount",
    "replacement card type": "card_type",
    "phone": "phone",
    "day": "day",
    "time": "time",
    "transfer amount": "amount",
    "transfer destination account": "destination_account",
    "transfer source account": "source_account",
}
"""Task-card field -> the slot key the caller's scenario uses."""

_CARD_UNKNOWN: dict[str, str] = {
    "account balance": "account balance",
    "branch hours": "branch hours",
}
"""Task-card fields the agent tells the caller (the caller does not know them)."""


@dataclass(frozen=True)
class CallTurn:
    """One turn of a call: consecutive segments of one speaker, tags removed.

    Attributes:
        speaker: ``agent`` or ``caller``.
        text: the human transcript, lower case, no punctuation.
        acts: the Harper Valley dialogue act labels of its segments, without repeats.
        segments: the segment texts the turn is made of.
    """

    speaker: str
    text: str
    acts: tuple[str, ...]
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """One Harper Valley call.

    Attributes:
        id: the call id.
        task_type: e.g. ``transfer money``.
        task: the caller's task card, field -> value.
        caller_name: the name the caller played.
        raw_turns: the segments as in the file.
    """

    id: str
    task_type: str
    task: dict[str, Any]
    caller_name: str
    raw_turns: list[dict[str, Any]] = field(default_factory=list)

    def segments(self) -> list[CallTurn]:
        """Return every non-empty segment as its own one-segment turn, in file order."""
        out: list[CallTurn] = []
        for raw in self.raw_turns:
            text = clean_transcript(str(raw.get("text") or ""))
            if text:
                acts = tuple(str(a) for a in raw.get("dialog_acts") or [])
                out.append(CallTurn(str(raw.get("speaker")), text, acts, (text,)))
        return out

    def turns(self) -> list[CallTurn]:
        """Return the call's turns: consecutive segments of one speaker merged."""
        merged: list[CallTurn] = []
        for seg in self.segments():
            if merged and merged[-1].speaker == seg.speaker:
                last = merged[-1]
                acts = tuple(dict.fromkeys((*last.acts, *seg.acts)))
                merged[-1] = CallTurn(
                    last.speaker, f"{last.text} {seg.text}", acts, (*last.segments, seg.text)
                )
            else:
                merged.append(seg)
        return merged

    def facts(self) -> dict[str, str]:
        """The caller's known facts: its name and the task card's values by slot key."""
        known = {"name": self.caller_name} if self.caller_name else {}
        for card_field, value in self.task.items():
            slot = _CARD_SLOTS.get(card_field)
            if slot:
                known[slot] = str(value)
        return known


def is_calibration_call(call_id: str) -> bool:
    """True for a call of the calibration part: the SHA-256 of its id has an even first byte.

    Everything tuned or trained on these calls (the phrasing bank's caller lines, the agent act
    recogniser, the simulator's rates) is measured on the other part, the report calls.
    """
    return hashlib.sha256(call_id.encode()).digest()[0] % 2 == 0


def clean_transcript(text: str) -> str:
    """Drop ``[noise]``-style tags and extra spaces from a transcript; lower-cases it."""
    return " ".join(_TAG.sub(" ", text).lower().split())


def load_calls(path: Path) -> list[Call]:
    """Read ``calls.jsonl``.

    Args:
        path: the file.

    Returns:
        The calls in file order.

    Raises:
        ContentError: a line is not JSON, or lacks ``id``, ``task_type`` or ``turns``
            (the message names the file, the line and the field).
    """
    calls: list[Call] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                problem = ContentProblem(path, number, "", f"not JSON ({error.msg})")
                raise ContentError([problem]) from error
            for name in ("id", "task_type", "turns"):
                if name not in raw:
                    problem = ContentProblem(path, number, name, "field is missing")
                    raise ContentError([problem])
            calls.append(
                Call(
                    id=str(raw["id"]),
                    task_type=str(raw["task_type"]),
                    task=dict(raw.get("task") or {}),
                    caller_name=str(raw.get("caller_name") or ""),
                    raw_turns=list(raw["turns"]),
                )
            )
    return calls


def scenario_for(call: Call, persona: str = "calm") -> Scenario:
    """Return the scenario the caller of ``call`` played (see the module docstring).

    Args:
        call: the call.
        persona: the persona id to put in the scenario.

    Returns:
        A voice scenario in which the agent speaks first, with the card's values as known facts.
    """
    known = call.facts()
    template = _REASONS.get(call.task_type, "You are calling the bank about: {task_type}.")
    fill = {**known, "task_type": call.task_type}
    reason = template.format_map(_Missing(fill))
    unknown = [item for card_field, item in _CARD_UNKNOWN.items() if card_field in call.task]
    return Scenario(
        id=f"harper-valley-{call.id}",
        name=f"Harper Valley: {call.task_type}",
        persona=persona,
        first_speaker=Role.agent,
        goal=CustomerGoal(reason_for_call=reason, known_info=known, unknown_info=unknown),
        mode=ScenarioMode.voice,
        max_turns=60,
    )


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return key.replace("_", " ")
