"""Exports with stable columns, JSON listings and the terminal score history."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flow_variants import REFUND
from understudy.cli.app import app
from understudy.reports.export import CONVERSATION_COLUMNS, RUN_COLUMNS

pytestmark = pytest.mark.usefixtures("database")

runner = CliRunner()
SCENARIO = REFUND.parents[1] / "scenarios" / "practice-retail-return.yaml"
SCRIPT = REFUND.parents[1] / "scripts" / "practice-retail-return-good.txt"


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def stored_run(*args: str) -> str:
    return str(json.loads(cli("stress-test", str(REFUND), "--json", *args))["run_id"])


def test_runs_and_conversations_export_with_their_documented_columns(tmp_path: Path) -> None:
    a = stored_run("--persona", "typo-prone", "-n", "4", "--seed", "1")
    b = stored_run("--persona", "calm", "-n", "3", "--seed", "1")
    runs = list(csv.DictReader(io.StringIO(cli("export", "runs"))))
    assert [r["run_id"] for r in runs] == [a, b], "oldest first"
    assert tuple(runs[0]) == RUN_COLUMNS, "the columns and their order are stable"
    shown = json.loads(cli("runs", "show", a, "--json"))["metrics"]["completion_rate"]
    assert runs[0]["completion_rate_k"] == str(shown["k"])
    assert float(runs[0]["completion_rate_low"]) == shown["low"]
    lines = cli("export", "conversations", "--format", "jsonl", "--run", a).splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 4 and tuple(records[0]) == CONVERSATION_COLUMNS
    assert isinstance(records[0]["completed"], bool)
    out = tmp_path / "conversations.parquet"
    cli("export", "conversations", "--format", "parquet", "--out", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 7 and tuple(table.column_names) == CONVERSATION_COLUMNS


def test_openai_export_is_one_chat_per_conversation() -> None:
    run_id = stored_run("--persona", "typo-prone", "-n", "3", "--seed", "2")
    chats = [
        json.loads(line) for line in cli("export", "conversations", "-f", "openai").splitlines()
    ]
    assert len(chats) == 3
    roles = {m["role"] for chat in chats for m in chat["messages"]}
    assert roles == {"user", "assistant"} and set(chats[0]) == {"messages"}
    full = json.loads(cli("runs", "show", run_id, "--json", "-k", "0"))
    assert [m["content"] for m in chats[0]["messages"]] == [m["text"] for m in full["messages"]]
    swapped = cli("export", "conversations", "-f", "openai", "--customer-as-assistant")
    first = json.loads(swapped.splitlines()[0])["messages"][0]
    original = chats[0]["messages"][0]
    assert first["content"] == original["content"] and first["role"] != original["role"]


def test_attempts_export_and_bad_combinations() -> None:
    cli("practice", str(SCENARIO), "--script", str(SCRIPT), "--trainee", "sam", "--json")
    rows = list(csv.DictReader(io.StringIO(cli("export", "attempts"))))
    assert rows[0]["trainee"] == "sam" and rows[0]["attempt_id"] == "1"
    bad = runner.invoke(app, ["export", "runs", "--format", "openai"])
    assert bad.exit_code == 2 and "exports conversations" in bad.stderr
    bad = runner.invoke(app, ["export", "runs", "--format", "parquet"])
    assert bad.exit_code == 2 and "--out FILE" in bad.stderr


def test_runs_list_json_gives_each_run_with_flow_hash_and_intervals() -> None:
    run_id = stored_run("--persona", "calm", "-n", "3")
    (entry,) = json.loads(cli("runs", "list", "--json"))
    assert entry["run_id"] == run_id and len(entry["agent"]["content_hash"]) == 64
    assert {"value", "k", "n", "low", "high", "band"} <= set(entry["metrics"]["completion_rate"])


def test_runs_plot_draws_the_history_with_intervals_and_writes_files(tmp_path: Path) -> None:
    runs = [stored_run("--persona", "typo-prone", "-n", "4", "--seed", str(s)) for s in (1, 2)]
    out = cli("runs", "plot", "--flow", "refund.yaml", "--metric", "fallback")
    assert "fallback rate across runs (95% interval)" in out
    for run_id in runs:
        assert run_id in out, "each run is on the x-axis and listed with its numbers"
    assert "of 4, " in out and "95% high" in out and "95% low" in out
    svg, png = tmp_path / "h.svg", tmp_path / "h.png"
    cli("runs", "plot", "--flow", "refund.yaml", "--svg", str(svg), "--png", str(png))
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert png.read_bytes().startswith(b"\x89PNG")
    none = runner.invoke(app, ["runs", "plot", "--flow", "nothing.yaml"])
    assert none.exit_code == 2 and "no runs of flow" in none.stderr


def test_listings_print_json() -> None:
    personas = json.loads(cli("personas", "list", "--json"))
    ids = {p["id"] for p in personas["personas"]}
    assert {"typo-prone", "elderly", "calm"} <= ids and personas["broken"] == []
    scenarios = json.loads(cli("scenarios", "list", "--json", "--dir", str(SCENARIO.parent)))
    entry = next(s for s in scenarios if s["id"] == "practice-retail-return")
    assert entry["persona"] and entry["in_library"] is False
    assert json.loads(cli("attempts", "list", "--json")) == []
    cli("practice", str(SCENARIO), "--script", str(SCRIPT), "--trainee", "ana", "--json")
    (attempt,) = json.loads(cli("attempts", "list", "--json"))
    assert attempt["trainee"] == "ana" and 0 <= attempt["overall"] <= 1
