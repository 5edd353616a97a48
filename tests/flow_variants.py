"""Broken variants of the refund example flow, for tests that show the scores mean something.

``DEFECTS`` lists the planted defects (one realistic break each), the persona that shows it and
the metric it must worsen; ``score`` plays one seeded batch of the refund example's default
scenario against a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from understudy.agents.flow import FlowAgent, compile_flow
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.flow import Digressions, Flow
from understudy.domain.scenario import Scenario
from understudy.metrics import BatchMetrics
from understudy.metrics.compare import MetricDelta, Verdict
from understudy.runs.batch import registered_simulators, run_batch
from understudy.testing import FakeClock

REPO = Path(__file__).resolve().parents[1]
REFUND = REPO / "examples" / "flows" / "refund.yaml"
CRYSTAL = REPO / "examples" / "scenarios" / "refund-crystal-minh.yaml"


def _replace_node(flow: Flow, node_id: str, **update: object) -> Flow:
    nodes = dict(flow.nodes)
    nodes[node_id] = nodes[node_id].model_copy(update=update)
    return flow.model_copy(update={"nodes": nodes})


def order_id_rejects_customer_format(flow: Flow) -> Flow:
    """The order ID node only accepts an ``ORD-`` prefix that no customer types."""
    return _replace_node(flow, "ask_order_id", pattern=r"ORD-(\d{10})")


def no_way_back_after_off_topic(flow: Flow) -> Flow:
    """Every FAQ question hands over to a human instead of being answered and resumed."""
    keep = {"get_refund", "ask_repeat"}
    intents = [
        i.model_copy(update={"answer": None, "next": "to_human"})
        if i.answer is not None and i.name not in keep
        else i
        for i in flow.intents
    ]
    return flow.model_copy(update={"intents": intents})


def digressions_disabled(flow: Flow) -> Flow:
    """Off-topic questions are not understood (each counts as a fallback)."""
    return flow.model_copy(update={"digressions": Digressions(enabled=False)})


def fallback_limit_one(flow: Flow) -> Flow:
    """One re-prompt per node; the second misunderstanding hands over."""
    nodes = {
        node_id: node.model_copy(update={"fallback": node.fallback.model_copy(update={"limit": 1})})
        if hasattr(node, "fallback")
        else node
        for node_id, node in flow.nodes.items()
    }
    fallback = flow.fallback.model_copy(update={"limit": 1})
    return flow.model_copy(update={"nodes": nodes, "fallback": fallback})


def strict_matching(flow: Flow) -> Flow:
    """Stricter intent matching: confidence threshold 0.55 instead of the example's 0.45."""
    nlu = flow.nlu.model_copy(update={"confidence_threshold": 0.55})
    return flow.model_copy(update={"nlu": nlu})


def missing_branch_case(flow: Flow) -> Flow:
    """The refund-method branch forgets credit cards: the flow raises for such customers."""
    node = flow.nodes["method_details"]
    cases = {k: v for k, v in node.cases.items() if k != "credit card"}  # type: ignore[union-attr]
    return _replace_node(flow, "method_details", cases=cases)


def too_few_intent_examples(flow: Flow) -> Flow:
    """The refund intent keeps two of its example phrases: most ways of asking are missed."""
    intents = [
        i.model_copy(update={"examples": i.examples[:2]}) if i.name == "get_refund" else i
        for i in flow.intents
    ]
    return flow.model_copy(update={"intents": intents})


def missing_gift_card_branch(flow: Flow) -> Flow:
    """The refund-method branch forgets gift cards (the default scenario's choice)."""
    node = flow.nodes["method_details"]
    cases = {k: v for k, v in node.cases.items() if k != "gift card"}  # type: ignore[union-attr]
    return _replace_node(flow, "method_details", cases=cases)


def loop_back_to_reason(flow: Flow) -> Flow:
    """After the amount the flow asks for the refund reason again: a loop with no way out."""
    return _replace_node(flow, "ask_amount", next="ask_reason")


def fallback_never_hands_over(flow: Flow) -> Flow:
    """The order ID node rejects the customers' format and re-prompts for ever (no handover)."""
    broken = order_id_rejects_customer_format(flow)
    node = broken.nodes["ask_order_id"]
    policy = node.fallback.model_copy(update={"limit": 1000})  # type: ignore[union-attr]
    return _replace_node(broken, "ask_order_id", fallback=policy)


def order_id_rejected_with_handover(flow: Flow) -> Flow:
    """The same rejecting order ID node, with the flow's normal handover after two re-prompts."""
    return order_id_rejects_customer_format(flow)


def removed_faq(flow: Flow) -> Flow:
    """The FAQ answers are gone: off-topic questions are no longer understood."""
    keep = {"get_refund", "ask_repeat"}
    intents = [i for i in flow.intents if i.answer is None or i.name in keep]
    return flow.model_copy(update={"intents": intents})


def greeting_asks_everything(flow: Flow) -> Flow:
    """The agent opens with several questions at once, and only the intent is understood."""
    prompt = (
        "Hi, you're chatting with the refunds assistant. What is your full name, your email "
        "address, your order ID, and how can I help you today?"
    )
    return _replace_node(_replace_node(flow, "greet", prompt=prompt), "route", prompt="")


def yes_and_no_swapped(flow: Flow) -> Flow:
    """At "anything else?" a no leads to the dead end and a yes to the goodbye."""
    node = flow.nodes["anything_else"]
    cases = {
        "no_more": "other_request",
        "thanks_bye": "other_request",
        "yes_more": "goodbye",
    }
    assert set(cases) == set(node.cases)  # type: ignore[union-attr]
    return _replace_node(flow, "anything_else", cases=cases)


@dataclass(frozen=True)
class Defect:
    """One planted defect: the variant, the persona that shows it, the metric it must worsen."""

    name: str
    variant: Callable[[Flow], Flow]
    persona: str
    metric: str


DEFECTS: tuple[Defect, ...] = (
    Defect("too few intent examples", too_few_intent_examples, "typo-prone", "fallback_rate"),
    Defect(
        "slot pattern rejects valid input",
        order_id_rejects_customer_format,
        "calm",
        "completion_rate",
    ),
    Defect("missing branch", missing_gift_card_branch, "calm", "error_rate"),
    Defect("loop", loop_back_to_reason, "calm", "completion_rate"),
    Defect("fallback never hands over", fallback_never_hands_over, "calm", "abandonment_rate"),
    Defect("removed FAQ", removed_faq, "elderly", "off_topic_recovery_rate"),
    Defect(
        "greeting asks several questions",
        greeting_asks_everything,
        "typo-prone",
        "completion_rate",
    ),
    Defect("yes and no swapped", yes_and_no_swapped, "calm", "completion_rate"),
)
"""The planted defects, each with a built-in persona that shows it and the metric it must
worsen beyond noise (``benchmarks/bench_planted_defects.py``, ``tests/test_planted_defects.py``)."""


async def score(flow: Flow, persona: str, seed: int, n: int) -> BatchMetrics:
    """Play ``n`` seeded conversations of the refund example's default scenario."""
    compiled = compile_flow(flow)
    scenario = load_model(Scenario, CRYSTAL)
    result = await run_batch(
        lambda: FlowAgent(compiled),
        registered_simulators("offline", resolve_persona(persona)),
        [scenario],
        n=n,
        seed=seed,
        concurrency=8,
        clock_factory=FakeClock,
    )
    return result.metrics()


def looks_better(moved: list[MetricDelta]) -> bool:
    """A defect that makes a rate look better beyond noise. Mean turns to completion is left
    out: it averages completed conversations only, so a defect that stops the long ones from
    completing lowers it (survivors are the quick conversations)."""
    return any(
        d.verdict is Verdict.better and d.metric != "mean_turns_to_completion" for d in moved
    )


def write_flow(flow: Flow, path: Path, *, name: str | None = None) -> Path:
    """Write ``flow`` as YAML at ``path`` (without a default scenario) and return the path."""
    data = flow.model_dump(mode="json", exclude_none=True)
    data.pop("default_scenario", None)
    if name:
        data["name"] = name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
