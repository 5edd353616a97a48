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
from collections.abc import Sequence
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
    steps: dict[str, NodeStep] = {}
    for result in results:
        seen: set[str] = set()
        last: str | None = None
        for message in result.messages:
            node = message.meta.get("node") if message.role is Role.agent else None
            if not isinstance(node, str):
                continue
            step = steps.setdefault(node, NodeStep(node))
            if node not in seen:
                seen.add(node)
                step.reached += 1
            if message.fell_back:
                step.fallbacks += 1
            last = node
        if last is not None:
            steps[last].endings[result.termination_reason.value] += 1
    return list(steps.values())
