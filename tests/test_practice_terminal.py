"""A practice call driven through a real pseudo-terminal, and a call killed mid-way."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from understudy.storage.attempt_store import AttemptStore

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
CLI = "from understudy.cli.app import main; main()"  # what the `understudy` script runs

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "UNDERSTUDY_HOME": str(home),
        "NO_COLOR": "1",
        "TERM": "dumb",
        "COLUMNS": "200",
    }
    return pexpect.spawn(
        sys.executable,
        ["-c", CLI, "practice", str(SCENARIO), *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )


def test_interactive_call_two_exchanges_then_end_prints_the_grade_and_stores_it(
    understudy_home: Path,
) -> None:
    child = spawn(understudy_home, "--trainee", "tty-trainee", "--opening-pause", "0.2")
    child.expect("Briefing")
    child.expect("mood: ")
    child.expect("You> ")
    child.sendline("Hello, thank you for calling. Could I have your full name and zip code?")
    child.expect("You> ")
    child.sendline("Thank you. I am sorry to hear that, let me look into it.")
    child.expect("You> ")
    child.sendline("/end")
    child.expect("Call ended: trainee_ended")
    child.expect("Evaluation")
    child.expect("Overall: ")
    child.expect(r"Attempt (\d+) stored")
    attempt_id = int(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, "the practice command should exit cleanly"

    record = AttemptStore().get(attempt_id)
    assert record.trainee == "tty-trainee" and record.status == "finished"
    assert record.termination_reason == "trainee_ended"
    agent_lines = [m.text for m in record.messages if m.role.value == "agent"]
    assert agent_lines[:2] == [
        "Hello, thank you for calling. Could I have your full name and zip code?",
        "Thank you. I am sorry to hear that, let me look into it.",
    ], "the typed replies are stored verbatim as the agent's turns"
    assert record.grade is not None and record.evaluation_status == "Completed"


def test_killing_the_process_mid_call_keeps_the_transcript_as_an_interrupted_attempt(
    understudy_home: Path,
) -> None:
    child = spawn(understudy_home, "--trainee", "killed", "--opening-pause", "0")
    child.expect("You> ")
    child.sendline("Hello, thanks for calling, how can I help?")
    child.expect("You> ")  # the customer answered: three turns are stored
    child.kill(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while child.isalive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not child.isalive(), "the process should be gone"

    [summary] = AttemptStore().list_attempts(trainee="killed")
    record = AttemptStore().get(summary.id)
    assert record.status == "interrupted", "a call that never ended stays interrupted"
    assert record.termination_reason == "interrupted"
    assert [m.role.value for m in record.messages] == ["customer", "agent", "customer"]
    assert record.messages[1].text == "Hello, thanks for calling, how can I help?"
    assert any(e["kind"] == "message" for e in record.events), "the event log is kept too"
