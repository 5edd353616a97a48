"""Terminal output at 80 and 120 columns: golden renderings of runs list, runs show and attempts
show, and the rules behind them (no identifier split, headers whole, the flow version shown).

The renderings are printed to a Rich ``Console`` of fixed width with ``record=True``. Their
input is frozen in ``tests/data/terminal/runs.json`` and ``attempt.json`` (two real runs of the
example flow and a real scripted practice call, with fixed ids and times), so the goldens test
the rendering and change only when the rendering does, not when the simulator's wording or the
grader moves. Regenerate them after an intended change with
``UNDERSTUDY_REGEN_GOLDEN=1 pytest tests/test_terminal_widths.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from understudy.cli.practice import _print_attempt
from understudy.cli.runs import print_run, print_runs_list
from understudy.domain.transcript import ConversationResult, Role
from understudy.metrics.bands import Bands
from understudy.storage.attempt_records import AttemptRecord
from understudy.storage.tables import ConversationRow, RunRow

GOLDEN = Path(__file__).parent / "data" / "terminal"
WIDTHS = (80, 120)


class FrozenStore:
    """The store reads the renderings make, answered from the frozen fixture."""

    def __init__(self) -> None:
        data = json.loads((GOLDEN / "runs.json").read_text(encoding="utf-8"))
        self.runs: list[RunRow] = []
        self.rows: dict[str, list[ConversationRow]] = {}
        self.results: dict[str, list[ConversationResult]] = {}
        for entry in data["runs"]:
            rows = entry.pop("conversations")
            results = entry.pop("transcripts")
            entry["created_at"] = datetime.fromisoformat(entry["created_at"])
            run = RunRow(**entry)
            self.runs.append(run)
            self.rows[run.id] = [ConversationRow(run_id=run.id, **r) for r in rows]
            self.results[run.id] = [ConversationResult.model_validate(r) for r in results]
        self.runs.reverse()  # newest first, as Store.list_runs

    def conversations(
        self, run_id: str, *, offset: int = 0, limit: int | None = None
    ) -> list[ConversationRow]:
        rows = self.rows[run_id][offset:]
        return rows if limit is None else rows[:limit]

    def count_conversations(self, run_id: str) -> int:
        return len(self.rows[run_id])

    def failed_conversations(self, run_id: str) -> list[tuple[int, str]]:
        return [(r.index, r.error) for r in self.rows[run_id] if r.error]

    def agent_node_steps(self, run_id: str) -> Iterator[tuple[int, str, object, bool]]:
        for row, result in zip(self.rows[run_id], self.results[run_id], strict=True):
            for message in result.messages:
                if message.role is Role.agent:
                    yield (
                        row.index,
                        row.termination_reason,
                        message.meta.get("node"),
                        (message.fell_back),
                    )

    def transcripts(self, run_id: str) -> list[ConversationResult]:
        return self.results[run_id]

    def voice_timings(self, run_id: str) -> list[dict[str, object]]:
        return [
            message.meta["voice"]
            for result in self.results[run_id]
            for message in result.messages
            if message.role is Role.agent and "voice" in message.meta
        ]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Times are shown in local time: pin it to UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def render(width: int, draw: Any) -> str:
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, legacy_windows=False
    )
    draw(console)
    return console.export_text()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UNDERSTUDY_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}: run with UNDERSTUDY_REGEN_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from {path} (intended? regenerate):\n{text}"


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert len(line) <= width, f"a line is wider than {width} columns: {line!r}"


@pytest.mark.parametrize("width", WIDTHS)
def test_runs_list_keeps_identifiers_whole_and_shows_the_flow_version(width: int) -> None:
    store = FrozenStore()
    text = render(width, lambda c: print_runs_list(c, store, store.runs, Bands()))  # type: ignore[arg-type]
    assert_fits(text, width)
    header = next(line for line in text.splitlines() if line.strip().startswith("run"))
    for column in ("run", "flow", "persona", "n", "done", "fallback", "recovery"):
        assert re.search(rf"\b{column}\b", header), f"header {column!r} is whole at {width}"
    words = set(text.split())
    for run in store.runs:
        assert run.id in words and run.persona_id in words, "ids and personas are never cut"
        assert run.agent_hash[:12] in words, "the flow version (content hash) is shown whole"
    check_golden(f"runs_list_{width}", text)


@pytest.mark.parametrize("width", WIDTHS)
def test_runs_show_at_fixed_widths(width: int) -> None:
    store = FrozenStore()
    run = store.runs[-1]
    text = render(width, lambda c: print_run(c, store, run, Bands()))  # type: ignore[arg-type]
    assert_fits(text, width)
    assert run.agent_hash[:12] in text and "examples/flows/refund.yaml" in text
    assert "started 01-01 09:30" in text, "the start time is not split across lines"
    for header in ("metric", "value", "k / n", "95% interval", "band", "ending", "fallbacks"):
        assert header in text, f"header {header!r} is whole at {width}"
    check_golden(f"runs_show_{width}", text)


@pytest.mark.parametrize("width", WIDTHS)
def test_attempts_show_at_fixed_widths(width: int) -> None:
    record = AttemptRecord.model_validate_json((GOLDEN / "attempt.json").read_text("utf-8"))
    text = render(width, lambda c: _print_attempt(c, record))
    assert_fits(text, width)
    assert "Evaluation" in text and "Transcript" in text
    assert "practice-retail-return" in text and "daiki-johnson" in text, "ids are whole"
    check_golden(f"attempts_show_{width}", text)
