"""The flow runtime: run an assistant flow (``understudy.domain.flow.Flow``) as an ``Agent``.

::

    from understudy.agents.flow import FlowAgent
    from understudy.content.flows import load_flow

    flow = load_flow("examples/flows/refund.yaml")
    agent = FlowAgent(flow)          # one per conversation; the NLU is compiled once per flow
"""

from understudy.agents.flow.agent import FlowAgent, FlowError
from understudy.agents.flow.compiled import CompiledFlow, compile_flow
from understudy.agents.flow.nlu import IntentMatch, IntentMatcher

__all__ = [
    "CompiledFlow",
    "FlowAgent",
    "FlowError",
    "IntentMatch",
    "IntentMatcher",
    "compile_flow",
]
