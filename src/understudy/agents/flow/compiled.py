"""A flow prepared for running: its intent matcher built once and shared by every agent.

A batch creates one ``FlowAgent`` per conversation (1,000 for a large batch); fitting the TF-IDF
matcher each time would dominate the run. ``compile_flow`` caches by object identity (a cheap
lookup) and then by content hash (an equal flow loaded twice), keeping the most recent
``CACHE_SIZE`` flows.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

from understudy.agents.flow.nlu import IntentMatcher
from understudy.content.hashing import content_hash
from understudy.domain.flow import FallbackPolicy, Flow, FlowFallback, Intent

CACHE_SIZE = 32

K = TypeVar("K")


@dataclass
class CompiledFlow:
    """A flow with its intent matcher and lookups.

    Attributes:
        flow: the flow.
        content_hash: sha256 of its normalised content.
        matcher: the shared intent matcher.
        intents: intent name -> intent.
    """

    flow: Flow
    content_hash: str
    matcher: IntentMatcher
    intents: dict[str, Intent] = field(default_factory=dict)

    def fallback(self, policy: FallbackPolicy) -> FlowFallback:
        """Return a node's fallback policy with the flow defaults filled in."""
        default = self.flow.fallback
        return FlowFallback(
            reprompt=policy.reprompt if policy.reprompt is not None else default.reprompt,
            limit=policy.limit if policy.limit is not None else default.limit,
            handover_message=(
                policy.handover_message
                if policy.handover_message is not None
                else default.handover_message
            ),
        )


_BY_ID: OrderedDict[int, CompiledFlow] = OrderedDict()
_BY_HASH: OrderedDict[str, CompiledFlow] = OrderedDict()


def _remember(cache: OrderedDict[K, CompiledFlow], key: K, value: CompiledFlow) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def compile_flow(flow: Flow) -> CompiledFlow:
    """Return the compiled form of ``flow``, built once and cached.

    The cache holds the flow object itself, so an id is never reused while cached. Flows are
    treated as immutable: build a variant with ``model_copy`` rather than editing one in place.
    """
    hit = _BY_ID.get(id(flow))
    if hit is not None and hit.flow is flow:
        _BY_ID.move_to_end(id(flow))
        return hit
    digest = content_hash(flow)
    compiled = _BY_HASH.get(digest)
    if compiled is None:
        compiled = CompiledFlow(
            flow=flow,
            content_hash=digest,
            matcher=IntentMatcher(flow.intents, flow.nlu.matcher),
            intents={i.name: i for i in flow.intents},
        )
        _remember(_BY_HASH, digest, compiled)
    if compiled.flow is not flow:
        compiled = CompiledFlow(flow, digest, compiled.matcher, compiled.intents)
    _remember(_BY_ID, id(flow), compiled)
    return compiled
