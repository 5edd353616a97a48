"""The nodes of an assistant flow (say, collect, branch, end, handover) and their parts.

Part of the flow format documented in ``docs/flows.md``; ``understudy.domain.flow`` re-exports
every name here, so import from there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from understudy.domain.base import StrictModel

#: Node ids and slot names: snake_case-ish identifiers usable in ``{slot}`` placeholders.
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"

#: ``{slot}`` placeholders in prompts and messages.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Choice(StrictModel):
    """One accepted value of a collect node, with the words customers use for it.

    Attributes:
        value: the slot value stored and used in branch cases, e.g. ``gift card``.
        synonyms: other phrases that mean the same, e.g. ``prepaid card``.
    """

    value: str
    synonyms: list[str] = Field(default_factory=list)

    @property
    def phrases(self) -> list[str]:
        """The value and its synonyms."""
        return [self.value, *self.synonyms]


class FallbackPolicy(StrictModel):
    """A node's fallback: what to say when the customer's turn was not understood.

    Unset fields take the flow-level default (``Flow.fallback``).

    Attributes:
        reprompt: said before the node's prompt again, e.g. "Sorry, I didn't get that."
        limit: fallbacks tolerated at one node; the fallback after ``limit`` re-prompts hands
            over to a human (outcome ``escalated``). ``0`` hands over on the first one.
        handover_message: said when the limit is exceeded.
    """

    reprompt: str | None = None
    limit: int | None = Field(default=None, ge=0)
    handover_message: str | None = None


class SlotAlternative(StrictModel):
    """Another slot a collect node accepts instead of its own (e.g. account ID for full name).

    Attributes:
        slot: the slot filled when this alternative matches.
        pattern: a regular expression searched in the text (group 1 or the whole match).
        choices: accepted values with synonyms.
    """

    slot: str = Field(pattern=IDENTIFIER)
    pattern: str | None = None
    choices: list[Choice] | None = None

    @model_validator(mode="after")
    def _one_extractor(self) -> SlotAlternative:
        if (self.pattern is None) == (self.choices is None):
            raise ValueError("give exactly one of pattern or choices")
        return self


class SayNode(StrictModel):
    """Says ``prompt`` and moves on to ``next`` without waiting for the customer."""

    kind: Literal["say"]
    prompt: str
    next: str


class CollectNode(StrictModel):
    """Asks for a slot value and waits for it.

    Exactly one extractor: ``pattern`` (a regex searched in the text; group 1 if the pattern has
    a group, else the whole match), ``choices`` (fuzzy matched), or ``free_text`` (the whole
    reply is the value).

    Attributes:
        slot: the slot name, the same snake_case name the scenario's ``known_info`` uses.
        prompt: the question; name the slot in words ("Could you give me your order ID?").
        pattern: regular expression, see above.
        choices: accepted values, see ``Choice``.
        free_text: accept any reply that is not a FAQ question or a global intent.
        alternatives: other slots accepted instead (tried when the own extractor finds nothing).
        default: value used when the customer says they do not know (e.g. ``50`` dollars);
            without it (and without ``unknown_next``) "I don't know" is a fallback.
        unknown_next: node to go to when the customer does not know (default: ``next``).
        next: node after the slot is filled.
        fallback: this node's fallback policy (unset fields: the flow default).
    """

    kind: Literal["collect"]
    slot: str = Field(pattern=IDENTIFIER)
    prompt: str
    pattern: str | None = None
    choices: list[Choice] | None = None
    free_text: bool = False
    alternatives: list[SlotAlternative] = Field(default_factory=list)
    default: str | None = None
    unknown_next: str | None = None
    next: str
    fallback: FallbackPolicy = Field(default_factory=FallbackPolicy)

    @model_validator(mode="after")
    def _one_extractor(self) -> CollectNode:
        given = [self.pattern is not None, self.choices is not None, self.free_text]
        if sum(given) != 1:
            raise ValueError("give exactly one of pattern, choices or free_text: true")
        return self


class BranchNode(StrictModel):
    """Chooses the next node by intent or by a slot's value.

    ``on: intent``: the customer's turn is classified (a pending turn, or the reply to
    ``prompt``); ``cases`` maps intent names to nodes. ``on: slot``: ``cases`` maps values of
    ``slot`` to nodes, without waiting for the customer.

    Attributes:
        on: ``intent`` or ``slot``.
        slot: with ``on: slot``, the slot whose value decides.
        prompt: with ``on: intent`` (required there), the question asked when no customer turn
            is pending, e.g. "How can I help you today?".
        cases: intent name or slot value -> node id.
        default: node when no case matches; without it, an intent branch falls back and a slot
            branch raises (a flow error).
        fallback: this node's fallback policy.
    """

    kind: Literal["branch"]
    on: Literal["intent", "slot"]
    slot: str | None = Field(default=None, pattern=IDENTIFIER)
    prompt: str | None = None
    cases: dict[str, str] = Field(min_length=1)
    default: str | None = None
    fallback: FallbackPolicy = Field(default_factory=FallbackPolicy)

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: Any) -> Any:
        # YAML 1.1 reads a bare ``on:`` key as the boolean true; take it as ``on``.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _slot_when_on_slot(self) -> BranchNode:
        if self.on == "slot" and self.slot is None:
            raise ValueError("a branch with on: slot needs slot")
        if self.on == "intent" and self.slot is not None:
            raise ValueError("slot is only for on: slot")
        if self.on == "intent" and not self.prompt:
            raise ValueError("a branch with on: intent needs a prompt (asked when it waits)")
        return self


class EndNode(StrictModel):
    """Says ``message`` and ends the conversation.

    Attributes:
        kind: ``end``.
        message: the last thing the assistant says.
        success: whether reaching this node means the customer's goal was met; unset (None)
            means yes, and keeps the content hash of flows written before the field existed.
            A success end gives the outcome ``goal_met``; ``success: false`` gives
            ``agent_ended``, so a node reached by a dead end ("I can't help with that,
            goodbye") or a misread answer never counts towards completion.
    """

    kind: Literal["end"]
    message: str
    success: bool | None = None


class HandoverNode(StrictModel):
    """Says ``message`` and hands over to a human: the outcome is ``escalated``."""

    kind: Literal["handover"]
    message: str


Node = Annotated[
    SayNode | CollectNode | BranchNode | EndNode | HandoverNode, Field(discriminator="kind")
]
