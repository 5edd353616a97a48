"""The per-node funnel of a batch run: where conversations fall back, leave or escalate.

A flow reports on every agent turn the node it now waits at or ended on (``meta["node"]``).
For each node, over the conversations of a run:

``reached``
    conversations with at least one agent turn at the node;
``fallbacks``
    agent turns at the node that fell back (the customer was not understood there);
``endings``
    conversations whose last agent turn was at the node, by termination reason (``goal_met``,
    ``customer_left``, ``escalated``...): where customers gave up, were handed over, or finished.

Nodes are listed in the order conversations first reached them. An agent that reports no nodes
(a webhook or an LLM agent) gives an empty funnel.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from understudy.domain.transcript import ConversationResult, Role


@dataclass
class NodeStep:
    """One node of the funnel (see the module docs)."""

    node: str
    reached: int = 0
    fallbacks: int = 0
    endings: Counter[str] = field(default_factory=Counter)


def node_funnel(results: Sequence[ConversationResult]) -> list[NodeStep]:
    """Return the funnel of ``results``, one step per node, in first-reached order."""
    return funnel_of_turns(
        (k, result.termination_reason.value, message.meta.get("node"), message.fell_back)
        for k, result in enumerate(results)
        for message in result.messages
        if message.role is Role.agent
    )


def funnel_of_turns(turns: Iterable[tuple[int, str, object, bool]]) -> list[NodeStep]:
    """Return the funnel of a run's agent turns, one step per node, in first-reached order.

    Args:
        turns: ``(conversation key, termination reason, node, fell back)`` per agent turn,
            grouped by conversation and in turn order (``Store.agent_node_steps`` reads them in
            SQL, so a run of any size is walked in constant memory). A node that is not a
            string (the agent reported none) is skipped.
    """
    steps: dict[str, NodeStep] = {}
    current: object = _NONE
    reason = ""
    seen: set[str] = set()
    last: str | None = None
    for key, ending, node, fell_back in turns:
        if key != current:
            if last is not None:
                steps[last].endings[reason] += 1
            current, seen, last = key, set(), None
        reason = ending
        if not isinstance(node, str):
            continue
        step = steps.setdefault(node, NodeStep(node))
        if node not in seen:
            seen.add(node)
            step.reached += 1
        if fell_back:
            step.fallbacks += 1
        last = node
    if last is not None:
        steps[last].endings[reason] += 1
    return list(steps.values())


_NONE = object()
