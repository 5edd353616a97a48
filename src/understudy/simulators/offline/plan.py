"""Options of the offline simulator and the plan of one customer turn being decided."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from understudy.domain.transcript import ActType, DialogueAct, TerminationReason
from understudy.registry import PluginOptions
from understudy.simulators.offline.wording import Utterance

EITHER = re.compile(r"\bor\b", re.IGNORECASE)
VALUEISH = re.compile(r"[\w.+-]*\d[\w.+-]*|[\w.+-]+@[\w.-]+")

ENDING_ACTS = {ActType.state_goal, ActType.inform, ActType.dont_know, ActType.return_to_goal}
SOCIAL_ACTS = {ActType.thank, ActType.bye, ActType.reassurance, ActType.escalate}
ASKING_ACTS = {ActType.escalate, ActType.ask_repeat, ActType.reassurance, ActType.complain}


class OfflineOptions(PluginOptions):
    """Options of the offline simulator (unknown keys are errors).

    Attributes:
        escalate_chance: chance, per turn while angry, of asking for a human (default 0.6).
        ask_repeat_scale: chance of asking the agent to repeat = non-native level x this
            (default 0.35, so a strongly non-native persona asks on about one long turn in four).
        objection_chance: chance of raising the next scenario objection when the agent proposes
            something or makes progress (default 0.35).
        bank: the phrasing bank to word turns from (``bank.phrasing_snapshot``); None reads
            ``phrasing_bank()`` when the conversation starts. A batch passes the bank it took
            once, so every conversation of the run uses the same one. Left out of dumps and
            comparisons.
    """

    escalate_chance: float = Field(default=0.6, ge=0.0, le=1.0)
    ask_repeat_scale: float = Field(default=0.35, ge=0.0, le=1.0)
    objection_chance: float = Field(default=0.35, ge=0.0, le=1.0)
    bank: dict[str, Any] | None = Field(default=None, exclude=True, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OfflineOptions):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]


class TurnPlan:
    """The acts of one turn being decided, with the utterance that words them.

    Attributes:
        acts: the turn's dialogue acts, in order.
        utt: the sentences being built.
        done: the customer ends the call with this turn.
        reason: the termination reason, when done.
        detail: a sentence explaining the ending.
        declined: the turn declines an offer.
    """

    def __init__(self) -> None:
        self.acts: list[DialogueAct] = []
        self.utt = Utterance([], [], [])
        self.done = False
        self.reason: TerminationReason | None = None
        self.detail = ""
        self.declined = False

    def act(self, kind: ActType, slot: str | None = None, value: str | None = None) -> None:
        """Append a dialogue act."""
        self.acts.append(DialogueAct(type=kind, slot=slot, value=value))

    def end(self, reason: TerminationReason, detail: str) -> None:
        """Mark the turn as the customer's last, with its reason."""
        self.done, self.reason, self.detail = True, reason, detail
