"""``understudy stress-test``: JSON output, reproducibility, exit codes, errors, stop signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flow_variants import CRYSTAL, REFUND, missing_branch_case, write_flow
from understudy.cli.app import app
from understudy.content.flows import load_flow
from understudy.storage.store import Store

pytestmark = pytest.mark.usefixtures("database")

runner = CliRunner()
FIVE = {
    "completion_rate",
    "fallback_rate",
    "off_topic_recovery_rate",
    "abandonment_rate",
    "escalation_rate",
}


def stress(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["stress-test", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_prints_all_five_metrics_with_value_k_n_interval_and_band() -> None:
    code, out, err = stress(
        str(REFUND), "--persona", "typo-prone", "-n", "50", "--seed", "1", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= {"run_id", "metrics"}
    assert set(report["metrics"]) >= FIVE, "all five headline metrics are printed"
    for name in FIVE:
        assert set(report["metrics"][name]) == {"value", "k", "n", "low", "high", "band"}, name
    assert report["metrics"]["completion_rate"]["n"] == 50


def test_the_same_command_twice_gives_identical_metrics_and_stored_transcripts() -> None:
    args = (str(REFUND), "--persona", "typo-prone", "-n", "50", "--seed", "1", "--json")
    first, second = json.loads(stress(*args)[1]), json.loads(stress(*args)[1])
    assert first["run_id"] != second["run_id"], "two runs are stored"
    assert first["metrics"] == second["metrics"], "same seed, same metrics"
    store = Store()
    a, b = store.transcripts(first["run_id"]), store.transcripts(second["run_id"])
    assert len(a) == len(b) == 50
    for x, y in zip(a, b, strict=True):
        assert x.messages == y.messages, "same seed, same transcript, message for message"
        assert x.termination_reason == y.termination_reason


def test_the_table_shows_scores_with_counts_and_intervals() -> None:
    code, out, _ = stress(str(REFUND), "--persona", "calm", "-n", "10")
    assert code == 0
    for label in ("completion", "fallback", "off-topic recovery", "95% interval", "k / n"):
        assert label in out, f"the table shows {label!r}"
    assert "/ 10" in out, "counts are shown as k / n"


def test_persona_defaults_to_the_scenarios_persona() -> None:
    code, out, _ = stress(str(REFUND), "-n", "3", "--json")
    assert code == 0
    assert json.loads(out)["persona"] == yaml.safe_load(CRYSTAL.read_text())["persona"]


def test_a_flow_without_default_scenario_gets_a_generic_one(tmp_path: Path) -> None:
    flow = write_flow(load_flow(REFUND), tmp_path / "bare.yaml")
    code, out, err = stress(str(flow), "--persona", "calm", "-n", "3", "--json")
    assert code == 0, err
    assert json.loads(out)["scenarios"] == ["abcd-initiate-refund-generic"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--persona", "nobody-like-this"], "known personas"),
        (["-n", "0"], "positive"),
        (["--scenario", "missing.yaml"], "file not found"),
        (["--simulator", "telepathy"], "unknown user simulator"),
    ],
)
def test_problems_before_the_start_exit_2_with_a_clear_message(
    args: list[str], message: str
) -> None:
    code, _, err = stress(str(REFUND), *args)
    assert code == 2, f"could not start: exit 2, got {code}"
    assert message in err


def test_an_invalid_flow_file_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = REFUND.read_text().replace("    next: ask_email", "    next: ask_emial", 1)
    bad.write_text(
        text.replace("default_scenario: ../scenarios/", f"default_scenario: {CRYSTAL.parent}/")
    )
    code, _, err = stress(str(bad), "-n", "2")
    assert code == 2
    assert f"{bad}:" in err and "ask_emial" in err, err


def test_a_flow_node_that_raises_ends_those_conversations_with_error_and_the_batch_completes(
    tmp_path: Path,
) -> None:
    flow = write_flow(missing_branch_case(load_flow(REFUND)), tmp_path / "broken.yaml")
    card = yaml.safe_load(CRYSTAL.read_text())
    card["id"] = "refund-crystal-card"
    card["goal"]["known_info"]["refund_method"] = "credit card"
    card["goal"]["known_info"]["account_id"] = "XK42PQ7Z1M"
    card_path = tmp_path / "card.yaml"
    card_path.write_text(yaml.safe_dump(card))
    code, out, err = stress(
        str(flow), "--persona", "calm", "-n", "12", "--scenario", str(CRYSTAL),
        "--scenario", str(card_path), "--json",
    )  # fmt: skip
    assert code == 1, "finished with conversation errors: exit 1"
    report = json.loads(out)
    assert report["metrics"]["completion_rate"]["n"] == 12, "every conversation was played"
    errors = report["errors"]
    assert errors, "some conversations reached the broken branch"
    assert all(e["index"] % 2 == 1 for e in errors), "only the credit-card customers hit it"
    assert "no case for refund_method" in errors[0]["error"]
    assert "conversation(s) ended with an error" in err
    shown = runner.invoke(app, ["runs", "show", report["run_id"]])
    assert "no case for refund_method" in shown.stdout, "runs show shows the error"
    one = runner.invoke(
        app, ["runs", "show", report["run_id"], "--conversation", str(errors[0]["index"])]
    )
    assert "error" in one.stdout and "no case for refund_method" in one.stdout


def _start_batch(home: Path, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "UNDERSTUDY_HOME": str(home)}
    code = "from understudy.cli.app import main; main()"
    args = ["stress-test", str(REFUND), "--persona", "calm", "-n", str(n), "--concurrency", "4"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_conversations(store: Store, at_least: int, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = store.list_runs()
        if runs and store.count_conversations(runs[0].id) >= at_least:
            return runs[0].id
        time.sleep(0.05)
    raise AssertionError(f"the batch did not store {at_least} conversations in {timeout_s} s")


@pytest.mark.slow
def test_a_batch_killed_midway_keeps_its_finished_conversations_and_shows_interrupted(
    understudy_home: Path,
) -> None:
    proc = _start_batch(understudy_home, 5000)
    store = Store()
    try:
        run_id = _wait_for_conversations(store, 10)
        assert store.get_run(run_id).status == "running", "while it plays, it is running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    kept = store.count_conversations(run_id)
    assert 10 <= kept < 5000, "the finished conversations are in the database"
    run = store.get_run(run_id)
    assert run.status == "interrupted", "a killed batch shows as interrupted"
    assert run.metrics is not None and run.metrics["completion_rate"]["n"] == kept
    listed = runner.invoke(app, ["runs", "list"])
    assert "interrupted" in listed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stopped_batch_ends_cleanly_as_interrupted(
    understudy_home: Path, stop: signal.Signals
) -> None:
    proc = _start_batch(understudy_home, 5000)
    store = Store()
    run_id = _wait_for_conversations(store, 5)
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    run = store.get_run(run_id)
    assert run.status == "interrupted" and run.error == "stopped before the end"
    assert store.count_conversations(run_id) >= 5


def test_a_database_that_cannot_be_opened_exits_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/missing-folder/x.db"
    monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", url)
    code, _, err = stress(str(REFUND), "-n", "2")
    flat = err.replace("\n", "")  # the message may be wrapped at the console width
    assert code == 2 and "cannot open the database" in flat and "missing-folder" in flat, err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_in_memory_database_stores_every_conversation(
    monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    # Conversations are written from a writer thread; an in-memory SQLite database must be one
    # shared connection, or that thread would see a new, empty database without tables. Worker
    # processes cannot open it at all: this process stores what they play.
    monkeypatch.setenv("UNDERSTUDY_DATABASE_URL", "sqlite://")
    args = ["stress-test", str(REFUND), "-n", "20", "--workers", workers, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    assert len(Store().conversations(run_id)) == 20, "every conversation is stored"
