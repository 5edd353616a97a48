"""Terminal output at 80 and 120 columns: golden renderings of runs list, runs show and attempts
show, and the rules behind them (no identifier split, headers whole, the flow version shown).

The renderings are printed to a Rich ``Console`` of fixed width with ``record=True``; run ids and
times (random and clock-dependent, always the same width) are replaced by fixed ones before the
comparison. Regenerate the golden files after an intended change with
``UNDERSTUDY_REGEN_GOLDEN=1 pytest tests/test_terminal_widths.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.cli.practice import _print_attempt
from understudy.cli.runs import print_run, print_runs_list
from understudy.metrics.bands import load_bands
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "data" / "terminal"
WIDTHS = (80, 120)
runner = CliRunner()

_TIME = re.compile(r"\b\d\d-\d\d \d\d:\d\d\b")
_DATE_TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?\b")


def render(width: int, draw: object) -> str:
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, legacy_windows=False
    )
    assert callable(draw)
    draw(console)
    return console.export_text()


def normalise(text: str, ids: dict[str, str]) -> str:
    for real, fixed in ids.items():
        text = text.replace(real, fixed)
    text = _DATE_TIME.sub(lambda m: "2026-01-01 00:00" + (":00" if m.group(1) else ""), text)
    return _TIME.sub("01-01 00:00", text)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UNDERSTUDY_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}: run with UNDERSTUDY_REGEN_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from {path}:\n{text}"


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert len(line) <= width, f"a line is wider than {width} columns: {line!r}"


@pytest.fixture
def two_runs(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Two seeded runs of the example flow (relative path), ids mapped to fixed ones."""
    monkeypatch.chdir(REPO)
    ids = {}
    for fixed, persona, n in (
        ("r00001", "typo-prone", "5"),
        ("r00002", "frustrated-cardholder", "4"),
    ):
        result = runner.invoke(
            app,
            [
                "stress-test",
                "examples/flows/refund.yaml",
                "--persona",
                persona,
                "-n",
                n,
                "--seed",
                "1",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.stderr
        ids[json.loads(result.stdout)["run_id"]] = fixed
    return ids


@pytest.mark.parametrize("width", WIDTHS)
def test_runs_list_keeps_identifiers_whole_and_shows_the_flow_version(
    two_runs: dict[str, str], width: int
) -> None:
    store, bands = Store(), load_bands()
    runs = store.list_runs()
    text = render(width, lambda c: print_runs_list(c, store, runs, bands))
    assert_fits(text, width)
    header = next(line for line in text.splitlines() if line.strip().startswith("run"))
    for column in ("run", "flow", "persona", "n", "done", "fallback", "recovery"):
        assert re.search(rf"\b{column}\b", header), f"header {column!r} is whole at {width}"
    for run in runs:
        assert run.id in text and run.persona_id in text, "ids and personas are never cut"
        assert run.agent_hash[:12] in text, "the flow version (content hash) is shown"
    check_golden(f"runs_list_{width}", normalise(text, two_runs))


@pytest.mark.parametrize("width", WIDTHS)
def test_runs_show_at_fixed_widths(two_runs: dict[str, str], width: int) -> None:
    store, bands = Store(), load_bands()
    run = store.get_run(next(iter(two_runs)))
    text = render(width, lambda c: print_run(c, store, run, bands))
    assert_fits(text, width)
    assert run.agent_hash[:12] in text and "examples/flows/refund.yaml" in text
    for header in ("metric", "value", "k / n", "95% interval", "band", "ending", "fallbacks"):
        assert header in text, f"header {header!r} is whole at {width}"
    check_golden(f"runs_show_{width}", normalise(text, two_runs))


@pytest.mark.parametrize("width", WIDTHS)
def test_attempts_show_at_fixed_widths(width: int) -> None:
    scenario = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
    script = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"
    result = runner.invoke(
        app, ["practice", str(scenario), "--script", str(script), "--trainee", "sam", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    record = AttemptStore().get(1)
    text = render(width, lambda c: _print_attempt(c, record))
    assert_fits(text, width)
    assert "Evaluation" in text and "Transcript" in text
    check_golden(f"attempts_show_{width}", normalise(text, {}))
