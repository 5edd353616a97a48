"""Assistant flows: the YAML format of a bot under test, as pydantic models.

A flow is a graph of nodes (say, collect, branch, end, handover) with intents and their example
phrases, NLU settings, a fallback policy and digression handling. The format is documented field
by field in ``docs/flows.md``; ``understudy.content.flows`` loads files and cross-checks the
references between nodes (``load_flow``), ``understudy.content.hashing.content_hash`` hashes
them, and ``understudy.agents.flow.FlowAgent`` runs a flow as an agent. This module reads no
files.

A flow is a plain pydantic model, so a variant is one ``flow.model_copy(update=...)`` away (how
tests build broken variants of an intact flow).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from understudy.domain.base import StrictModel
from understudy.domain.flow_nodes import (
    IDENTIFIER,
    PLACEHOLDER,
    BranchNode,
    Choice,
    CollectNode,
    EndNode,
    FallbackPolicy,
    HandoverNode,
    Node,
    SayNode,
    SlotAlternative,
)

__all__ = [
    "IDENTIFIER",
    "PLACEHOLDER",
    "BranchNode",
    "Choice",
    "CollectNode",
    "Digressions",
    "EndNode",
    "FallbackPolicy",
    "Flow",
    "FlowFallback",
    "FlowVersion",
    "HandoverNode",
    "Intent",
    "Matcher",
    "NluSettings",
    "Node",
    "SayNode",
    "SlotAlternative",
]


class FlowVersion(StrEnum):
    """The version label of a flow: a ``draft`` under test or the ``published`` one."""

    draft = "draft"
    published = "published"


class Matcher(StrEnum):
    """How customer text is matched to intent examples.

    ``tfidf``: scikit-learn TF-IDF over character n-grams (``char_wb``, 2-4) and cosine similarity
    to the nearest example; tolerant of typos. ``fuzzy``: rapidfuzz ``token_set_ratio`` / 100 to
    the nearest example.
    """

    tfidf = "tfidf"
    fuzzy = "fuzzy"


class NluSettings(StrictModel):
    """How strictly the flow understands the customer.

    Attributes:
        confidence_threshold: an intent counts only when its score (0..1, cosine similarity for
            ``tfidf``) reaches this. Higher is stricter. Default 0.45, tuned on the example flows
            so that plainly worded requests pass and unrelated small talk does not.
        matcher: ``tfidf`` (default) or ``fuzzy``.
        choice_threshold: a choice of a collect node matches when rapidfuzz ``partial_ratio``
            (0-100) of one of its phrases in the text reaches this (default 85).
    """

    confidence_threshold: float = Field(default=0.45, ge=0.0, le=1.0)
    matcher: Matcher = Matcher.tfidf
    choice_threshold: float = Field(default=85.0, ge=0.0, le=100.0)


class Intent(StrictModel):
    """Something a customer may mean, learned from example phrases.

    Attributes:
        name: identifier used in branch cases, e.g. ``get_refund``.
        examples: example phrases (at least one).
        answer: for FAQ intents: the answer given from any node, after which the flow re-asks
            the current node's prompt (a digression). Needs ``digressions.enabled``.
        next: a global jump: from any node, this intent moves the flow to that node (e.g. a
            ``talk_to_human`` intent -> a handover node).
    """

    name: str = Field(pattern=IDENTIFIER)
    examples: list[str] = Field(min_length=1)
    answer: str | None = None
    next: str | None = None


class FlowFallback(StrictModel):
    """The flow-level fallback defaults (see ``FallbackPolicy``)."""

    reprompt: str = "Sorry, I didn't get that."
    limit: int = Field(default=2, ge=0)
    handover_message: str = "Let me pass you to a colleague who can help you further."


class Digressions(StrictModel):
    """Digression handling.

    Attributes:
        enabled: when true (default), FAQ intents (with an ``answer``) are answered from any node
            and the flow then re-asks where the customer was. When false, such a turn is not
            understood and counts as a fallback.
    """

    enabled: bool = True


class Flow(StrictModel):
    """An assistant flow.

    Attributes:
        name: display name, e.g. ``ABCD Initiate Refund``.
        version: ``draft`` (default) or ``published``.
        description: what the flow does.
        source: citation of the procedure it implements.
        default_scenario: scenario file, relative to the flow file, used when a stress test is
            given no scenario.
        nlu: intent matching settings.
        intents: intents with example phrases.
        intents_from: ``intents`` files (relative to the flow file) whose intents are added
            when the flow is loaded; the flow's own intents win by name.
        start: id of the first node.
        nodes: node id -> node.
        fallback: flow-level fallback defaults.
        digressions: digression handling.
    """

    name: str
    version: FlowVersion = FlowVersion.draft
    description: str = ""
    source: str = ""
    default_scenario: str | None = None
    nlu: NluSettings = Field(default_factory=NluSettings)
    intents: list[Intent] = Field(default_factory=list)
    intents_from: list[str] = Field(default_factory=list)
    start: str
    nodes: dict[str, Node] = Field(min_length=1)
    fallback: FlowFallback = Field(default_factory=FlowFallback)
    digressions: Digressions = Field(default_factory=Digressions)

    def intent(self, name: str) -> Intent | None:
        """Return the intent called ``name``, or None."""
        return next((i for i in self.intents if i.name == name), None)

    def collected_slots(self) -> set[str]:
        """Return every slot a collect node (or one of its alternatives) can fill."""
        slots: set[str] = set()
        for node in self.nodes.values():
            if isinstance(node, CollectNode):
                slots.add(node.slot)
                slots.update(a.slot for a in node.alternatives)
        return slots
