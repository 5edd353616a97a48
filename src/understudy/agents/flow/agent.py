"""``FlowAgent``: runs an assistant flow as the agent side of a conversation.

One agent per conversation; it keeps the node it waits at, the slots filled and the fallbacks at
the current node. On each turn it takes the customer's newest message (if any) and walks the
flow until it must wait for the customer again or the flow ends:

- ``say`` nodes add their prompt and move on; ``end`` ends with outcome ``goal_met`` (or
  ``agent_ended`` for an end node declared ``success: false``);
  ``handover`` ends with outcome ``escalated``; a slot branch moves by the slot's value.
- At the node it waits at (a collect node whose prompt the customer saw, or an intent branch)
  the customer's text is handled: a collect node extracts its slot (pattern, choices, or free
  text; then its alternatives); "I don't know" takes the node's ``default`` / ``unknown_next``
  when it has them; an intent branch follows the case of the matched intent.
- Otherwise the text is matched to the flow's intents: an intent with ``next`` jumps there from
  any node; a FAQ intent (with ``answer``) is answered and the current prompt asked again, when
  digressions are enabled (a recovery, not a fallback); anything else is a fallback: the
  re-prompt and the prompt again, ``fell_back=True``. The fallback after ``limit`` re-prompts at
  one node hands over (``ended=True, outcome="escalated"``).
- A customer who opens the conversation: the opening is handled by the first intent branch the
  flow reaches before it asks anything (e.g. "What can I help you with?"); a collect node only
  reads replies to its own prompt.

Every turn carries ``meta``: ``node`` (where the flow now waits or ended), ``intent`` and
``confidence`` (when the text was matched), ``slot`` and ``value`` (when one was filled),
``digression`` and ``fallbacks`` (at the current node), so metrics never guess from text.

A node that cannot run (a pattern that does not compile, a slot branch with no case for the value
and no default, a reference to a missing node) raises; the engine ends that conversation with
``error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from understudy.agents.flow.compiled import CompiledFlow, compile_flow
from understudy.agents.flow.slots import (
    extract_choice,
    extract_pattern,
    render,
    says_dont_know,
)
from understudy.domain.flow import (
    BranchNode,
    Choice,
    CollectNode,
    EndNode,
    Flow,
    HandoverNode,
    SayNode,
)
from understudy.domain.transcript import TerminationReason
from understudy.engine.seams import Agent, AgentTurn, ConversationState


class FlowError(RuntimeError):
    """A flow cannot go on (a missing node, an unhandled slot value, a loop without waiting)."""


@dataclass
class _Turn:
    parts: list[str] = field(default_factory=list)
    fell_back: bool = False
    ended: bool = False
    outcome: TerminationReason | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Advance:
    next: str
    say: str | None = None


@dataclass
class _Stay:
    """The turn stays at the waiting node: a digression answer or a fallback."""

    answer: str | None = None


class FlowAgent(Agent):
    """An assistant flow as an ``Agent``.

    Args:
        flow: the flow, or a flow already compiled with ``compile_flow`` (the matcher is shared
            either way: compiling is cached per flow).

    Attributes:
        slots: slot name -> value filled so far.
    """

    name = "flow"

    def __init__(self, flow: Flow | CompiledFlow) -> None:
        self._compiled = flow if isinstance(flow, CompiledFlow) else compile_flow(flow)
        self._flow = self._compiled.flow
        self._node: str | None = None
        self._started = False
        self._ended = False
        self._seen = 0
        self._fallbacks = 0
        self.slots: dict[str, str] = {}

    @property
    def flow(self) -> Flow:
        """The flow this agent runs."""
        return self._flow

    @property
    def current_node(self) -> str | None:
        """The node the flow waits at (None before the first turn and after the end)."""
        return self._node

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Handle the customer's newest message (if any) and return the flow's reply.

        Raises:
            FlowError: the flow cannot go on from here (see the module docs).
            re.error: a slot pattern does not compile.
        """
        text: str | None = None
        message = state.last_customer_message
        if message is not None and message.index > self._seen:
            self._seen = message.index
            text = message.text
        return self.handle(text)

    def handle(self, text: str | None) -> AgentTurn:
        """Advance the flow with one customer text (None: nothing new) and return the reply.

        Raises:
            FlowError: the flow already ended or cannot go on.
        """
        if self._ended:
            raise FlowError("the flow has already ended")
        turn = _Turn()
        if self._started:
            node_id = self._node or self._flow.start
            waiting_here = True
        else:
            node_id, waiting_here, self._started = self._flow.start, False, True
        pending = text
        for _ in range(4 * len(self._flow.nodes) + 8):
            node = self._get(node_id)
            if isinstance(node, SayNode):
                turn.parts.append(self._render(node.prompt))
                node_id, waiting_here = node.next, False
            elif isinstance(node, EndNode | HandoverNode):
                turn.parts.append(self._render(node.message))
                if isinstance(node, HandoverNode):
                    outcome = TerminationReason.escalated
                elif node.success is not False:
                    outcome = TerminationReason.goal_met
                else:
                    outcome = TerminationReason.agent_ended
                return self._finish(turn, node_id, outcome)
            elif isinstance(node, BranchNode) and node.on == "slot":
                node_id, waiting_here = self._slot_branch(node_id, node), False
            else:
                # A collect node reads only replies to its own prompt; an intent branch also
                # reads a turn still pending (the customer's opening).
                if pending is None or not (waiting_here or isinstance(node, BranchNode)):
                    return self._wait(turn, node_id, node)
                result = self._read(turn, node, pending)
                pending = None
                if isinstance(result, _Advance):
                    if result.say:
                        turn.parts.append(self._render(result.say))
                    self._fallbacks = 0
                    node_id, waiting_here = result.next, False
                    continue
                if result.answer is not None:
                    turn.parts.append(self._render(result.answer))
                    turn.meta["digression"] = True
                    return self._wait(turn, node_id, node)
                return self._fall_back(turn, node_id, node)
        raise FlowError(f"the flow loops without waiting for the customer (at node {node_id!r})")

    # -- node handling -------------------------------------------------------------------

    def _get(self, node_id: str) -> SayNode | CollectNode | BranchNode | EndNode | HandoverNode:
        try:
            return self._flow.nodes[node_id]
        except KeyError:
            raise FlowError(f"the flow refers to a node that does not exist: {node_id!r}") from None

    def _slot_branch(self, node_id: str, node: BranchNode) -> str:
        value = self.slots.get(node.slot or "")
        target = node.cases.get(value) if value is not None else None
        if target is None:
            target = node.default
        if target is None:
            raise FlowError(f"branch {node_id!r}: no case for {node.slot}={value!r} and no default")
        return target

    def _read(self, turn: _Turn, node: CollectNode | BranchNode, text: str) -> _Advance | _Stay:
        if isinstance(node, CollectNode):
            filled = self._extract(node, text)
            if filled is not None:
                return self._fill(turn, *filled, node.next)
            if (node.default is not None or node.unknown_next is not None) and says_dont_know(text):
                turn.meta["unknown"] = node.slot
                if node.default is not None:
                    self._fill(turn, node.slot, node.default, node.next)
                return _Advance(node.unknown_next or node.next)
        match = self._compiled.matcher.match(text)
        turn.meta["intent"] = match.intent
        turn.meta["confidence"] = match.confidence
        name = match.intent if match.confidence >= self._flow.nlu.confidence_threshold else None
        if name is None:
            turn.meta["intent"] = None
        if isinstance(node, BranchNode) and name in node.cases:
            return _Advance(node.cases[name])
        intent = self._compiled.intents.get(name) if name is not None else None
        if intent is not None and intent.next is not None:
            return _Advance(intent.next, say=intent.answer)
        if intent is not None and intent.answer is not None and self._flow.digressions.enabled:
            return _Stay(answer=intent.answer)
        if isinstance(node, CollectNode) and node.free_text and text.strip():
            return self._fill(turn, node.slot, text.strip(), node.next)
        if isinstance(node, BranchNode) and node.default is not None:
            return _Advance(node.default)
        return _Stay()

    def _extract(self, node: CollectNode, text: str) -> tuple[str, str] | None:
        threshold = self._flow.nlu.choice_threshold
        candidates: list[tuple[str, str | None, list[Choice] | None]] = [
            (node.slot, node.pattern, node.choices)
        ]
        candidates += [(a.slot, a.pattern, a.choices) for a in node.alternatives]
        for slot, pattern, choices in candidates:
            value: str | None = None
            if pattern is not None:
                value = extract_pattern(pattern, text)
            elif choices is not None:
                value = extract_choice(choices, text, threshold)
            if value is not None:
                return slot, value
        return None

    def _fill(self, turn: _Turn, slot: str, value: str, next_id: str) -> _Advance:
        self.slots[slot] = value
        turn.meta["slot"] = slot
        turn.meta["value"] = value
        return _Advance(next_id)

    # -- ending a turn -------------------------------------------------------------------

    def _prompt(self, node: CollectNode | BranchNode) -> str:
        return self._render(node.prompt or "")

    def _wait(self, turn: _Turn, node_id: str, node: CollectNode | BranchNode) -> AgentTurn:
        if node_id != self._node:
            self._fallbacks = 0
        self._node = node_id
        turn.parts.append(self._prompt(node))
        return self._reply(turn, node_id)

    def _fall_back(self, turn: _Turn, node_id: str, node: CollectNode | BranchNode) -> AgentTurn:
        policy = self._compiled.fallback(node.fallback)
        if node_id != self._node:
            self._fallbacks = 0
        self._node = node_id
        self._fallbacks += 1
        turn.fell_back = True
        if self._fallbacks > policy.limit:
            turn.parts.append(self._render(policy.handover_message))
            return self._finish(turn, node_id, TerminationReason.escalated)
        turn.parts.append(self._render(policy.reprompt))
        turn.parts.append(self._prompt(node))
        return self._reply(turn, node_id)

    def _finish(self, turn: _Turn, node_id: str, outcome: TerminationReason) -> AgentTurn:
        self._ended = True
        self._node = None
        turn.ended = True
        turn.outcome = outcome
        return self._reply(turn, node_id)

    def _reply(self, turn: _Turn, node_id: str) -> AgentTurn:
        meta = {"node": node_id, "fallbacks": self._fallbacks, **turn.meta}
        meta.setdefault("digression", False)
        text = " ".join(p.strip() for p in turn.parts if p.strip())
        return AgentTurn(
            text=text,
            fell_back=turn.fell_back,
            ended=turn.ended,
            outcome=turn.outcome,
            meta=meta,
        )

    def _render(self, template: str) -> str:
        return render(template, self.slots)
