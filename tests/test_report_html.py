"""``understudy runs report``: one self-contained HTML file (and a PDF) of stored runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flow_variants import REFUND
from understudy.cli.app import app

runner = CliRunner()


def stored_run(*args: str) -> str:
    result = runner.invoke(app, ["stress-test", str(REFUND), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["run_id"])


def test_report_of_two_personas_is_self_contained_with_every_conversation(tmp_path: Path) -> None:
    a = stored_run("--persona", "typo-prone", "-n", "8", "--seed", "1")
    b = stored_run("--persona", "impatient", "-n", "6", "--seed", "1")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["runs", "report", a, b, "--html", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text, "no script: nothing to load, nothing to fail"
    assert not re.search(r'(src|href)="(https?:)?//', text), "no external resource"
    assert 'data-chart="personas"' in text, "two personas get the score-per-persona chart"
    assert text.count('data-chart="history"') == 2
    assert text.count("<details") == 14, "every conversation of both runs, collapsible"
    assert "clean:" in text and "mood" in text and "95% interval" in text


def test_report_needs_a_destination_and_a_known_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["runs", "report", "last"])
    assert result.exit_code == 2 and "--html FILE" in result.stderr
    result = runner.invoke(app, ["runs", "report", "nope42", "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "no run with id 'nope42'" in result.stderr


@pytest.mark.slow
def test_pdf_is_printed_by_chromium(tmp_path: Path) -> None:
    run_id = stored_run("--persona", "calm", "-n", "4")
    pdf = tmp_path / "out" / "report.pdf"
    result = runner.invoke(app, ["runs", "report", run_id, "--pdf", str(pdf)])
    assert result.exit_code == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF"), "a real PDF file"
    assert pdf.stat().st_size > 10_000, "the PDF holds the report, not an empty page"
