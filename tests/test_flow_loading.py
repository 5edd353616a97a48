"""Loading assistant flows: examples validate, bad references are reported by file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from understudy.content.flows import load_flow, validate_flow
from understudy.content.hashing import content_hash
from understudy.content.loader import load_model
from understudy.domain.flow import CollectNode, Flow, FlowVersion
from understudy.domain.scenario import Scenario
from understudy.errors import ContentError

TINY = """\
name: Tiny
version: draft
intents:
  - name: hello
    examples: [hi, hello there]
start: greet
nodes:
  greet:
    kind: branch
    on: intent
    prompt: "How can I help?"
    cases:
      hello: ask_order
  ask_order:
    kind: collect
    slot: order_id
    prompt: "What is your order ID?"
    pattern: '(\\d{10})'
    next: done
  done:
    kind: end
    message: "Bye."
"""


def write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ContentError) as caught:
        load_flow(path)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_every_example_flow_loads_with_an_existing_default_scenario(examples: Path) -> None:
    flows = sorted((examples / "flows").glob("*.yaml"))
    assert len(flows) >= 3, "the refund flow and at least two more ABCD subflows should ship"
    for path in flows:
        flow = load_flow(path)
        assert flow.default_scenario, f"{path.name} should name a default scenario"
        scenario = load_model(Scenario, path.parent / flow.default_scenario)
        known = set(scenario.goal.known_info)
        asked = {n.slot for n in flow.nodes.values() if isinstance(n, CollectNode)}
        assert asked & known, f"{path.name}: slot names should match known_info keys"
        assert "ABCD" in flow.source and "MIT" in flow.source, f"{path.name} should cite ABCD"


def test_every_example_scenario_validates(examples: Path) -> None:
    paths = sorted((examples / "scenarios").glob("*.yaml"))
    assert paths, "example scenarios should exist"
    for path in paths:
        scenario = load_model(Scenario, path)
        for key in scenario.goal.known_info:
            assert key == key.lower() and " " not in key, f"{path.name}: {key} is not snake_case"


def test_refund_flow_covers_the_abcd_initiate_refund_steps(examples: Path) -> None:
    flow = load_flow(examples / "flows" / "refund.yaml")
    slots = flow.collected_slots()
    for slot in ("full_name", "username", "email", "order_id", "refund_method", "address"):
        assert slot in slots, f"the refund flow should collect {slot}"
    order = flow.nodes["ask_order_id"]
    assert isinstance(order, CollectNode) and order.pattern is not None
    method = flow.nodes["ask_refund_method"]
    assert isinstance(method, CollectNode) and method.choices is not None
    values = {c.value for c in method.choices}
    assert values == {"gift card", "add value", "paper check", "credit card"}
    amount = flow.nodes["ask_amount"]
    assert isinstance(amount, CollectNode) and amount.default == "50", "ABCD default is $50"
    assert flow.version is FlowVersion.draft


def test_a_next_naming_no_node_is_reported_with_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace("next: done", "next: dnoe"))
    problems = problems_of(path)
    assert (19, "nodes.ask_order.next", problems[0][2]) == problems[0]
    assert "'dnoe'" in problems[0][2], "the message should quote the bad reference"


def test_a_missing_start_node_is_reported_on_the_start_line(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, TINY.replace("start: greet", "start: welcome")))
    assert any(line == 6 and field == "start" for line, field, _ in problems), problems


def test_a_pattern_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    text = TINY.replace("pattern: '(\\d{10})'", "pattern: '(\\d{10}'")
    problems = problems_of(write(tmp_path, text))
    assert problems[0][:2] == (18, "nodes.ask_order.pattern")
    assert "does not compile" in problems[0][2]


def test_a_flow_without_a_reachable_end_is_rejected(tmp_path: Path) -> None:
    text = TINY.replace("next: done", "next: greet")
    problems = problems_of(write(tmp_path, text))
    assert any("no end node is reachable" in message for _, _, message in problems), problems


def test_a_branch_case_naming_no_intent_is_reported(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, TINY.replace("hello: ask_order", "helo: ask_order")))
    assert problems[0][:2] == (13, "nodes.greet.cases.helo")


def test_field_errors_inside_nodes_name_the_node_not_its_kind(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, TINY.replace("slot: order_id", "slott: order_id")))
    fields = {field for _, field, _ in problems}
    assert "nodes.ask_order.slott" in fields, fields
    assert all(".collect." not in field for field in fields), "the kind tag is not a field"


def test_a_bare_no_in_examples_gets_a_quoting_hint(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, TINY.replace("[hi, hello there]", "[hi, no]")))
    assert "quote it" in problems[0][2]


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = TINY.replace("next: done", "next: dnoe").replace("hello: ask_order", "helo: ask_order")
    assert len(problems_of(write(tmp_path, text))) >= 2


def test_a_placeholder_must_name_a_collected_slot(tmp_path: Path) -> None:
    text = TINY.replace('message: "Bye."', 'message: "Bye {nmae}."')
    problems = problems_of(write(tmp_path, text))
    assert problems[0][1] == "nodes.done.message"


def test_a_missing_default_scenario_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "default_scenario: nowhere.yaml\n" + TINY)
    assert problems_of(path)[0][:2] == (1, "default_scenario")


def test_same_content_gives_the_same_hash_whatever_the_layout(tmp_path: Path) -> None:
    a = write(tmp_path, TINY, "a.yaml")
    b = write(
        tmp_path,
        "# a comment\n" + TINY.replace("[hi, hello there]", "\n      - hi\n      - hello there"),
        "b.yaml",
    )
    same = content_hash(load_flow(b))
    assert content_hash(load_flow(a)) == same, "comments and layout should not change the hash"
    c = write(tmp_path, TINY.replace("Bye.", "Goodbye."), "c.yaml")
    assert content_hash(load_flow(c)) != same, "a change of wording should change the hash"


def test_a_variant_built_with_model_copy_can_be_checked(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, TINY))
    broken = flow.model_copy(update={"start": "nowhere"})
    assert isinstance(broken, Flow)
    with pytest.raises(ContentError, match="nowhere"):
        validate_flow(broken)


def test_the_complete_example_in_the_docs_loads() -> None:
    from understudy.content.flows import parse_flow
    from understudy.content.loader import load_yaml_with_lines

    doc = (Path(__file__).resolve().parents[1] / "docs" / "flows.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    data, lines = load_yaml_with_lines(block)
    flow = parse_flow(data, lines)
    assert flow.name == "Order status" and "ask_order_id" in flow.nodes
