"""Imported Bitext content in use: flows include its intents, the simulator speaks its lines."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from understudy.agents.flow import FlowAgent
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.content.hashing import content_hash
from understudy.content.importers.bitext import import_bitext
from understudy.content.kinds import load_any
from understudy.content.personas import resolve_persona
from understudy.domain.flow import Flow
from understudy.domain.phrasing import IntentList, OpeningLines
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import Role, TerminationReason
from understudy.errors import ContentError
from understudy.runs.batch import registered_simulators, run_batch
from understudy.simulators.offline.wording import phrasing_bank, phrasing_dir
from understudy.testing import FakeClock, ScriptedAgent, run_one

DOCS = Path(__file__).resolve().parents[1] / "docs"

FLOW = """\
name: Bitext order desk
intents_from: [imported/intents.yaml]
intents:
  - name: no_more
    examples: ["no", no thanks, "no, that's all", nothing else]
start: route
nodes:
  route:
    kind: branch
    on: intent
    prompt: "How can I help you today?"
    cases:
      cancel_order: ask_order_id
      track_order: ask_order_id
    default: to_human
  ask_order_id:
    kind: collect
    slot: order_id
    prompt: "What is the order number?"
    pattern: '(\\d{10})'
    next: done
  done:
    kind: say
    prompt: "Order {order_id} is taken care of."
    next: anything_else
  anything_else:
    kind: branch
    on: intent
    prompt: "Anything else?"
    cases:
      no_more: bye
  bye:
    kind: end
    message: "Goodbye!"
  to_human:
    kind: handover
    message: "Let me pass you to a colleague."
"""

SCENARIO = Scenario.model_validate(
    {
        "id": "cancel-order",
        "persona": "calm",
        "goal": {
            "reason_for_call": "You want to cancel the order you placed yesterday.",
            "intent": "cancel_order",
            "known_info": {"order_id": "5550001234"},
            "unknown_info": ["email"],
        },
        "max_turns": 12,
    }
)


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bitext-import")
    import_bitext(shared_data / "bitext" / "customer_support_sample.csv", out)
    return out


@pytest.fixture
def flow_file(imported: Path, tmp_path: Path) -> Path:
    shutil.copytree(imported, tmp_path / "imported")
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW, encoding="utf-8")
    return path


def write_intents(path: Path, intents: dict[str, list[str]]) -> Path:
    doc = {"intents": [{"name": n, "examples": e} for n, e in intents.items()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# kind: intents\n" + yaml.safe_dump(doc), encoding="utf-8")
    return path


# -- the two kinds ---------------------------------------------------------------------------------


def test_both_imported_files_load_as_their_kinds(imported: Path) -> None:
    kind, intents = load_any(imported / "intents.yaml")
    assert kind.name == "intents" and isinstance(intents, IntentList)
    assert len(intents.intents) == 27, "every Bitext intent is in the intents file"
    kind, lines = load_any(imported / "opening_lines.yaml")
    assert kind.name == "opening-lines" and isinstance(lines, OpeningLines)
    assert "order_id" in lines.slots(), "order numbers became {order_id} placeholders"


def test_validate_names_line_and_field_of_a_bad_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "lines.yaml"
    path.write_text(
        "# kind: opening-lines\nintents:\n  cancel_order:\n    plain:\n"
        "      - cancel order {order_id}\n      - cancel {Order-ID} now\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "1000"})
    assert result.exit_code == 2, "a bad placeholder makes the file invalid"
    assert f"{path}:6: intents.cancel_order.plain.1" in result.output, result.output
    assert "{snake_case}" in result.output, "the message says how to write a placeholder"


@pytest.mark.parametrize("kind", ["intents", "opening-lines"])
def test_schema_prints_the_json_schema_of_the_new_kinds(kind: str) -> None:
    result = CliRunner().invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    assert "intents" in json.loads(result.stdout)["properties"], "the schema lists the intents"


# -- flows include intents -------------------------------------------------------------------------


def test_a_flow_includes_the_imported_intents_and_keeps_its_own(flow_file: Path) -> None:
    flow = load_flow(flow_file)
    names = [i.name for i in flow.intents]
    assert names[0] == "no_more", "the flow's own intents come first"
    assert {"cancel_order", "track_order"} <= set(names), "imported intents are merged in"
    assert len(names) == 28, "27 imported intents plus the flow's own"
    own = flow_file.read_text().replace(
        "intents:\n", "intents:\n  - name: cancel_order\n    examples: [stop my order]\n", 1
    )
    flow_file.write_text(own, encoding="utf-8")
    cancel = load_flow(flow_file).intent("cancel_order")
    assert cancel is not None and cancel.examples == ["stop my order"], "the flow's own wins"


def test_editing_an_included_file_changes_the_flow_hash(flow_file: Path) -> None:
    before = content_hash(load_flow(flow_file))
    assert content_hash(load_flow(flow_file)) == before, "the hash is stable"
    included = flow_file.parent / "imported" / "intents.yaml"
    text = included.read_text(encoding="utf-8")
    edited = text.replace("- name: cancel_order\n", "- name: cancel_order\n  answer: x\n")
    assert edited != text
    included.write_text(edited, encoding="utf-8")
    assert content_hash(load_flow(flow_file)) != before, (
        "the hash should cover the included intents"
    )


def test_a_missing_included_file_is_named_with_the_flow_line(flow_file: Path) -> None:
    flow_file.write_text(FLOW.replace("imported/intents.yaml", "nowhere.yaml"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_flow(flow_file)
    text = str(caught.value)
    assert f"{flow_file}:2: intents_from.0: file not found" in text, text


def test_a_missing_include_does_not_hide_the_flows_other_problems(flow_file: Path) -> None:
    broken = FLOW.replace("imported/intents.yaml", "nowhere.yaml").replace(
        "default: to_human", "default: no_such_node"
    )
    flow_file.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_flow(flow_file)
    fields = [problem.field for problem in caught.value.problems]
    assert "intents_from.0" in fields, "the missing include is reported"
    assert "nodes.route.default" in fields, "and so is the dangling reference"
    assert not any(f.startswith("nodes.route.cases") for f in fields), (
        "cases naming intents of the unread file are not reported as unknown"
    )


def test_one_intent_in_two_included_files_is_an_error_naming_both(tmp_path: Path) -> None:
    first = write_intents(tmp_path / "a.yaml", {"track_order": ["where is my order"]})
    second = write_intents(tmp_path / "b.yaml", {"track_order": ["track my parcel"]})
    flow = FLOW.replace("[imported/intents.yaml]", "[a.yaml, b.yaml]").replace(
        "      cancel_order: ask_order_id\n", ""
    )
    (tmp_path / "flow.yaml").write_text(flow, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_flow(tmp_path / "flow.yaml")
    text = str(caught.value)
    assert "intents_from.1" in text and str(first) in text and str(second) in text, text


def test_a_broken_included_file_is_reported_in_its_own_lines(tmp_path: Path) -> None:
    broken = tmp_path / "a.yaml"
    broken.write_text("# kind: intents\nintents:\n  - name: track_order\n", encoding="utf-8")
    flow = FLOW.replace("[imported/intents.yaml]", "[a.yaml]").replace(
        "      cancel_order: ask_order_id\n      track_order: ask_order_id\n",
        "      no_more: bye\n",
    )
    (tmp_path / "flow.yaml").write_text(flow, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_flow(tmp_path / "flow.yaml")
    text = str(caught.value)
    assert f"{broken}:3: intents.0.examples" in text, text
    assert "intents_from.0" in text, "the flow's include is named too"


def test_an_included_intent_jumping_nowhere_is_reported_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "# kind: intents\nintents:\n  - name: track_order\n    next: nowhere\n"
        "    examples: [where is my order]\n",
        encoding="utf-8",
    )
    flow = FLOW.replace("[imported/intents.yaml]", "[a.yaml]").replace(
        "      cancel_order: ask_order_id\n", ""
    )
    (tmp_path / "flow.yaml").write_text(flow, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_flow(tmp_path / "flow.yaml")
    assert f"{path}:4: intents.0.next: expected an existing node id" in str(caught.value)


async def test_a_flow_with_imported_intents_survives_a_ten_conversation_stress_test(
    flow_file: Path,
) -> None:
    flow = load_flow(flow_file)

    def agent(flow: Flow = flow) -> FlowAgent:
        return FlowAgent(flow)

    batch = await run_batch(
        agent,
        registered_simulators("offline", resolve_persona("calm")),
        [SCENARIO],
        n=10,
        seed=4,
        clock_factory=FakeClock,
    )
    reasons = [c.result.termination_reason for c in batch.conversations]
    assert len(reasons) == 10
    assert TerminationReason.error not in reasons, [c.result.error for c in batch.conversations]
    assert TerminationReason.goal_met in reasons, f"some customers should get through: {reasons}"


def test_the_documented_include_example_loads(tmp_path: Path) -> None:
    text = (DOCS / "flows.md").read_text(encoding="utf-8")
    section = text.split("### Intents from files", 1)[1]
    flow_yaml, intents_yaml = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)[:2]
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "intents.yaml").write_text(intents_yaml, encoding="utf-8")
    (tmp_path / "flow.yaml").write_text(flow_yaml, encoding="utf-8")
    flow = load_flow(tmp_path / "flow.yaml")
    assert flow.intent("track_order") is not None, "the documented include works"


# -- the simulator speaks installed opening lines --------------------------------------------------

REQUESTS = [
    "kindly revoke purchase 1234567 straight away",
    "I would like to revoke purchase 1234567 please",
    "help me revoke purchase 1234567 at once",
    "can you revoke purchase 1234567 for me",
    "I need to revoke purchase 1234567 today",
    "could you revoke the purchase tied to jo@example.com",
]


def bitext_csv(path: Path) -> Path:
    rows = ["instruction,intent,entity_type,entity_value,start_offset,end_offset,tags"]
    for text in REQUESTS:
        value = "jo@example.com" if "@" in text else "1234567"
        entity = "email" if "@" in text else "order_id"
        start = text.index(value)
        rows.append(f"{text},cancel_order,{entity},{value},{start},{start + len(value)},B")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def openings(seeds: range) -> list[str]:
    found = []
    for seed in seeds:
        agent = ScriptedAgent(["How can I help?"], then="Okay.")
        scenario = SCENARIO.model_copy(update={"max_turns": 1})
        result = asyncio.run(run_one(agent, scenario=scenario, persona="calm", seed=seed))
        first = next(m for m in result.messages if m.role is Role.customer)
        found.append(first.clean_text or first.text)
    return found


def test_install_adds_opening_lines_the_simulator_speaks(tmp_path: Path) -> None:
    csv_file = bitext_csv(tmp_path / "requests.csv")
    args = ["import", "bitext", str(csv_file), "--out", str(tmp_path / "out"), "--install"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output
    installed = phrasing_dir() / "requests.yaml"
    assert installed.is_file() and str(installed) in result.output, "says where it installed"
    lines = phrasing_bank()["intents"]["cancel_order"]["plain"]
    assert "can you revoke purchase {order_id} for me" in lines, "installed lines are merged"

    said = openings(range(60))
    revoked = [t for t in said if "revoke" in t]
    assert revoked, "some openings should use the installed lines"
    assert all("5550001234" in t for t in revoked), "the placeholder is filled from known facts"
    assert not any("tied to" in t for t in said), "a line needing an unknown email is never used"
    for text in said:
        assert "{" not in text and "1234567" not in text.replace("5550001234", ""), text
        leftover = text.replace("5550001234", "")
        assert not re.search(r"\d", leftover), f"no value the customer was not given: {text!r}"


def test_a_newly_installed_bank_is_seen_and_a_broken_one_skipped(tmp_path: Path) -> None:
    assert "recall_parcel" not in phrasing_bank()["intents"]
    folder = phrasing_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "extra.yaml").write_text(
        "# kind: opening-lines\nintents:\n  recall_parcel:\n    plain: [recall my parcel]\n",
        encoding="utf-8",
    )
    (folder / "broken.yaml").write_text("intents:\n  x:\n    plain: ['{Bad}']\n", "utf-8")
    with pytest.warns(UserWarning, match="broken.yaml"):
        bank = phrasing_bank()
    assert bank["intents"]["recall_parcel"] == {"plain": ["recall my parcel"]}
    assert phrasing_bank() is bank, "an unchanged folder is not read again"
