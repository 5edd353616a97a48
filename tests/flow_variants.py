"""Broken variants of the refund example flow, for tests that show the scores mean something."""

from __future__ import annotations

from pathlib import Path

import yaml

from understudy.domain.flow import Digressions, Flow

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


def write_flow(flow: Flow, path: Path, *, name: str | None = None) -> Path:
    """Write ``flow`` as YAML at ``path`` (without a default scenario) and return the path."""
    data = flow.model_dump(mode="json", exclude_none=True)
    data.pop("default_scenario", None)
    if name:
        data["name"] = name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
