"""HTML reports of practice: one attempt and the team report, with the shared chart specs."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from understudy.cli.app import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
GOOD = REPO / "examples" / "scripts" / "practice-retail-return-good.txt"
POOR = REPO / "examples" / "scripts" / "practice-retail-return-poor.txt"


def practice(script: Path, trainee: str) -> None:
    args = ["practice", str(SCENARIO), "--script", str(script), "--trainee", trainee, "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr


def test_attempt_report_shows_each_criterion_in_a_chart_and_a_table(tmp_path: Path) -> None:
    practice(POOR, "sam")
    out = tmp_path / "attempt.html"
    result = runner.invoke(app, ["attempts", "show", "1", "--html", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and not re.search(r'(src|href)="(https?:)?//', text)
    assert 'data-chart="criteria"' in text and "<svg" in text
    criteria = re.findall(r'data-criterion="([^"]+)"', text)
    assert "identity_verification" in criteria, "every criterion has a row"
    for criterion in criteria:
        assert f"criterion: {criterion};" in text, f"{criterion} is drawn in the chart"
    assert "transcript" in text and "customer" in text


def test_team_report_charts_attempts_per_trainee(tmp_path: Path) -> None:
    practice(GOOD, "sam")
    practice(POOR, "ana")
    practice(GOOD, "ana")
    out = tmp_path / "team.html"
    result = runner.invoke(app, ["report", "--html", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert 'data-chart="team"' in text
    assert "attempts: 2; trainee: ana" in text and "attempts: 1; trainee: sam" in text
    assert 'data-trainee="ana"' in text and 'data-scenario="practice-retail-return"' in text
