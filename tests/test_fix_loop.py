"""The fix-and-confirm loop: re-run a stored batch after a fix, and chat with a flow by hand."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from flow_variants import CRYSTAL, REFUND, order_id_rejects_customer_format, write_flow
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.storage.store import RunSpec, Store

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
PERSONA_FILE = REPO / "src" / "understudy" / "content" / "personas" / "typo-prone.yaml"


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def stress(flow: Path, *args: str) -> dict[str, object]:
    out = cli("stress-test", str(flow), "--json", "--scenario", str(CRYSTAL), *args)
    report: dict[str, object] = json.loads(out[out.index("{") :])
    return report


def intact(path: Path) -> Path:
    return write_flow(load_flow(REFUND), path)


def broken(path: Path) -> Path:
    return write_flow(order_id_rejects_customer_format(load_flow(REFUND)), path)


def test_rerun_of_an_unchanged_flow_says_unchanged_and_gives_identical_metrics(
    tmp_path: Path,
) -> None:
    flow = intact(tmp_path / "refund.yaml")
    first = stress(flow, "--persona", "typo-prone", "-n", "10", "--seed", "3")
    out = cli("runs", "rerun", str(first["run_id"]), "--json")
    rerun = json.loads(out)
    assert rerun["unchanged"] is True, "the flow file did not change: the rerun says so"
    assert rerun["run_id"] != first["run_id"], "the rerun is stored as a new run"
    assert rerun["metrics"] == first["metrics"], "same flow, customers and seed: same metrics"
    text = cli("runs", "rerun", str(first["run_id"]))
    assert "unchanged" in text and "identical" in text, "the text output says nothing changed"
    assert "within the noise" in text, "the comparison with the original is printed"


def test_rerun_after_fixing_a_broken_flow_shows_completion_up_beyond_noise(
    tmp_path: Path,
) -> None:
    flow = broken(tmp_path / "refund.yaml")
    before = stress(flow, "--persona", "calm", "-n", "25", "--seed", "1")
    intact(flow)  # the fix: customers' order IDs are accepted again
    out = cli("runs", "rerun", str(before["run_id"]))
    assert "changed" in out and "unchanged" not in out, "the rerun notices the flow changed"
    assert "completion rate rose beyond noise (better)" in out, out
    runs = json.loads(cli("runs", "rerun", str(before["run_id"]), "--json"))
    deltas = {d["metric"]: d for d in runs["deltas"]}
    assert deltas["completion_rate"]["delta"] > 0.3, "fixing the order ID pattern lifts completion"


def test_rerun_uses_the_stored_persona_even_after_its_file_changed(tmp_path: Path) -> None:
    persona = tmp_path / "typo-prone-copy.yaml"
    shutil.copy(PERSONA_FILE, persona)
    flow = intact(tmp_path / "refund.yaml")
    first = stress(flow, "--persona", str(persona), "-n", "8", "--seed", "2")
    persona.write_text("this is no longer a persona: [", encoding="utf-8")
    rerun = json.loads(cli("runs", "rerun", str(first["run_id"]), "--json"))
    assert rerun["metrics"] == first["metrics"], "the persona snapshot, not the file, is replayed"


def test_rerun_with_another_flow_file_plays_that_file(tmp_path: Path) -> None:
    flow = intact(tmp_path / "refund.yaml")
    first = stress(flow, "--persona", "calm", "-n", "10", "--seed", "1")
    other = broken(tmp_path / "refund-broken.yaml")
    rerun = json.loads(cli("runs", "rerun", str(first["run_id"]), "--flow", str(other), "--json"))
    assert rerun["unchanged"] is False, "another flow's content hash differs"
    completion = rerun["metrics"]["completion_rate"]["value"]
    assert completion < first["metrics"]["completion_rate"]["value"], "the broken file was played"


def test_rerun_refuses_a_callable_agent_with_a_clear_message() -> None:
    spec = RunSpec(
        agent_kind="callable",
        agent_ref="mybot:reply",
        persona_id="calm",
        simulator_kind="offline",
        seed="0",
        n=3,
        concurrency=1,
    )
    run_id = Store().create_run(spec)
    out = cli("runs", "rerun", run_id, code=2)
    assert "only flow files" in out and "callable" in out, out


def test_chat_with_a_script_prints_node_intent_and_fallback_and_ends(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("# a customer\nI want a refund\nCrystal Minh\nblah blah\n", encoding="utf-8")
    out = cli("chat", str(REFUND), "--script", str(script))
    assert "you> I want a refund" in out, "scripted customer lines are echoed"
    assert "node pull_up_account · intent get_refund" in out, "node and intent after the answer"
    assert "slot full_name = Crystal Minh" in out, "the slot filled is shown"
    assert "FALLBACK 1" in out, "the fallback on the nonsense line is flagged"
    assert "chat ended: customer_left: you ended the chat (/quit)" in out, "the script ends it"


def test_chat_restart_starts_a_fresh_conversation(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("I want a refund\n/restart\nI want a refund\n/quit\n", encoding="utf-8")
    out = cli("chat", str(REFUND), "--script", str(script))
    assert "starting over" in out, "/restart says it starts over"
    assert out.count("node pull_up_account · intent get_refund") == 2, "the flow starts again"


def test_chat_from_a_stored_conversation_reports_where_the_changed_flow_diverges(
    tmp_path: Path,
) -> None:
    flow = intact(tmp_path / "refund.yaml")
    run_id = str(stress(flow, "--persona", "calm", "-n", "2", "--seed", "1")["run_id"])
    same = cli("chat", "--from", f"{run_id}:0")
    assert "no divergence" in same, "the unchanged flow asks what it asked before"
    assert "Ending then: goal_met; now: goal_met" in same, same
    broken(flow)
    out = cli("chat", "--from", f"{run_id}:0")
    assert "changed since the run" in out
    assert "diverged before customer line" in out, "the replay stops at the first difference"
    assert "node ask_order_id" in out, "the divergence names the node where it happened"


def test_chat_from_rejects_a_malformed_reference() -> None:
    out = cli("chat", "--from", "nocolon", code=2)
    assert "RUN:K" in out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_chat_answers_two_typed_lines_then_quits(understudy_home: Path) -> None:
    env = {**os.environ, "UNDERSTUDY_HOME": str(understudy_home), "NO_COLOR": "1"}
    env.update({"TERM": "dumb", "COLUMNS": "200"})
    child = pexpect.spawn(
        sys.executable,
        ["-c", "from understudy.cli.app import main; main()", "chat", str(REFUND)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    child.expect("you> ")
    child.sendline("I want a refund")
    child.expect("node pull_up_account")
    child.expect("you> ")
    child.sendline("Crystal Minh")
    child.expect("slot full_name")
    child.expect("you> ")
    child.sendline("/quit")
    child.expect("chat ended: customer_left")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, "the chat exits cleanly after /quit"
