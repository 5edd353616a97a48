"""``runs resume RUN``: an interrupted run, finished, equals the run that was never interrupted."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.errors import ConfigError
from understudy.runs import BatchConversation, plan_stress_test, play
from understudy.runs.resume import plan_resume
from understudy.storage.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLOW = EXAMPLES / "flows" / "refund.yaml"
runner = CliRunner()


def _transcripts(run_id: str) -> list[str]:
    """A run's stored transcripts by index (without the id, which names the run)."""
    return [t.model_dump_json(exclude={"conversation_id"}) for t in Store().transcripts(run_id)]


def _stat(pid: int) -> tuple[int, bytes, bytes] | None:
    """``(parent pid, state, start time)`` of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0], fields[19]


def _descendants(root: int) -> dict[int, bytes]:
    """Every process below ``root`` (its workers, fork server...), by pid, with start times."""
    parents: dict[int, int] = {}
    starts: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)], starts[int(entry.name)] = stat[0], stat[2]
    found: dict[int, bytes] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = starts[pid]
                frontier.append(pid)
    return found


def _living(family: dict[int, bytes]) -> list[int]:
    """The processes of ``family`` still running (not gone, not a zombie, not a reused pid)."""
    living = []
    for pid, started in family.items():
        stat = _stat(pid)
        if stat is not None and stat[1] != b"Z" and stat[2] == started:
            living.append(pid)
    return living


def _metrics(run_id: str) -> dict[str, object]:
    metrics = Store().get_run(run_id).metrics
    assert metrics is not None
    return metrics


async def _interrupted(flow: Path, n: int, after: int) -> str:
    """Play a batch and stop it (as Ctrl-C does) once ``after`` conversations are stored."""
    plan = plan_stress_test(str(flow), persona="typo-prone", n=n, seed=5, concurrency=3)
    task: asyncio.Task[object] | None = None
    ended: list[int] = []
    started: list[str | None] = []

    def count(done: BatchConversation) -> None:
        ended.append(done.index)
        if len(ended) == after and task is not None:
            task.cancel()

    task = asyncio.ensure_future(
        play(plan, Store(), on_conversation_end=count, on_start=started.append)
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert started[0] is not None
    return started[0]


@pytest.mark.slow
async def test_a_resumed_run_equals_the_uninterrupted_run_even_after_the_flow_changed(
    tmp_path: Path,
) -> None:
    shutil.copytree(EXAMPLES / "flows", tmp_path / "flows")
    shutil.copytree(EXAMPLES / "scenarios", tmp_path / "scenarios")
    flow = tmp_path / "flows" / "refund.yaml"
    whole = await play(plan_stress_test(str(flow), persona="typo-prone", n=24, seed=5), Store())
    assert whole.run_id is not None
    run_id = await _interrupted(flow, 24, after=9)
    store = Store()
    assert store.get_run(run_id).status == "interrupted"
    assert 9 <= store.count_conversations(run_id) < 24
    # The file changes after the run stopped: the resumed run still plays the stored flow.
    flow.write_text(flow.read_text().replace("refunds assistant", "returns robot"))
    outcome = await play(plan_resume(store.get_run(run_id)), store, resume=run_id)
    assert outcome.run_id == run_id, "the conversations go into the same run"
    run = store.get_run(run_id)
    assert run.status == "finished" and run.error is None
    assert [r.index for r in store.conversations(run_id)] == list(range(24)), "each stored once"
    assert _transcripts(run_id) == _transcripts(whole.run_id), "transcript for transcript"
    assert _metrics(run_id) == _metrics(whole.run_id), "metric for metric"


def test_a_finished_run_has_nothing_to_resume() -> None:
    outcome = asyncio.run(play(plan_stress_test(str(FLOW), persona="typo-prone", n=3), Store()))
    with pytest.raises(ConfigError, match="nothing to resume"):
        plan_resume(Store().get_run(outcome.run_id or ""))
    result = runner.invoke(app, ["runs", "resume", outcome.run_id or ""])
    assert result.exit_code == 2 and "nothing to resume" in result.output


@pytest.mark.slow
def test_a_killed_driver_loses_nothing_and_runs_resume_completes_it(tmp_path: Path) -> None:
    whole = runner.invoke(
        app, ["stress-test", str(FLOW), "-p", "typo-prone", "-n", "150", "--seed", "8", "--json"]
    )
    assert whole.exit_code == 0, whole.output
    reference = json.loads(whole.output)["run_id"]
    command = [sys.executable, "-m", "understudy", "stress-test", str(FLOW), "-p", "typo-prone"]
    command += ["-n", "150", "--seed", "8", "--workers", "2"]
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = Store()
    family: dict[int, bytes] = {}
    try:
        deadline = time.monotonic() + 120
        run_id = None
        while time.monotonic() < deadline:
            runs = [r for r in store.list_runs() if r.id != reference]
            if runs:
                run_id = runs[0].id
                if store.count_conversations(run_id) >= 20:
                    break
            time.sleep(0.05)
        assert run_id is not None, "the driver started a run"
        family = _descendants(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)  # no chance to close the run
    finally:
        driver.wait(30)
    assert len(family) >= 3, f"a fork server and 2 workers were playing: {family}"
    deadline = time.monotonic() + 10  # the workers see the driver gone and exit
    while time.monotonic() < deadline and _living(family):
        time.sleep(0.1)
    assert not _living(family), "no worker process outlives a killed driver"
    stored = store.count_conversations(run_id)
    assert 20 <= stored < 150, f"the driver was killed midway ({stored} stored)"
    assert store.get_run(run_id).status == "interrupted", "a dead driver's run is interrupted"
    resumed = runner.invoke(app, ["runs", "resume", run_id, "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.output)["played"] == 150 - stored, "only the missing are played"
    assert [r.index for r in store.conversations(run_id)] == list(range(150))
    assert _transcripts(run_id) == _transcripts(reference)
    assert _metrics(run_id) == _metrics(reference)
