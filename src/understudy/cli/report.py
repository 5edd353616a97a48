"""``understudy report``: practice usage per scenario and per trainee.

Thin: parses options, calls ``understudy.storage.usage``, renders with Rich or prints JSON.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import app
from understudy.cli.assign import parse_day, scenario_id_of
from understudy.cli.common import console, err_console, user_errors
from understudy.errors import ConfigError


@app.command()
def report(
    since: str | None = typer.Option(
        None, "--since", help="Only attempts started on or after this date (YYYY-MM-DD, UTC)."
    ),
    scenario: str | None = typer.Option(None, "--scenario", help="Only this scenario id or file."),
    now: str | None = typer.Option(
        None, "--now", help="Report date (YYYY-MM-DD, default today, UTC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    html_file: Path | None = typer.Option(
        None, "--html", help="Also write a self-contained HTML team report with its chart."
    ),
) -> None:
    """Practice usage per scenario and per trainee: sessions, attempts, mean grade.

    Per scenario: participants, sessions To do / Completed / Overdue, attempts, mean grade.
    Per trainee: sessions, attempts, mean grade, last attempt.
    """
    from understudy.cli.transcripts import percent
    from understudy.storage.attempt_records import utc_now
    from understudy.storage.db import open_database
    from understudy.storage.usage import usage_report

    with user_errors():
        today = parse_day(now, "--now") or utc_now().date()
        data = usage_report(
            open_database(),
            today=today,
            since=parse_day(since, "--since"),
            scenario_id=scenario_id_of(scenario) if scenario else None,
        )
    if html_file is not None:
        with user_errors():
            try:
                from understudy.reports.practice_html import team_report_html
            except ImportError as exc:
                raise ConfigError(str(exc)) from None
            html_file.parent.mkdir(parents=True, exist_ok=True)
            html_file.write_text(team_report_html(data), encoding="utf-8")
        err_console.print(f"wrote {html_file}", highlight=False)
    if as_json:
        typer.echo(data.model_dump_json(indent=2))
        return
    if not data.scenarios and not data.trainees:
        filters = [
            f"{name} {value}"
            for name, value in (("--scenario", scenario), ("--since", since))
            if value
        ]
        if filters:
            console.print(
                f"No practice matches {escape(', '.join(filters))}; "
                "see all practice with: understudy report",
                highlight=False,
            )
        else:
            console.print(
                "No practice yet. Assign a scenario with: understudy assign SCENARIO_FILE"
            )
        return
    window = f" since {data.since.isoformat()}" if data.since else ""
    by_scenario = Table(title=f"Scenarios (as of {data.today.isoformat()}; attempts{window})")
    for column in ("scenario", "participants", "to do", "completed", "overdue", "attempts"):
        by_scenario.add_column(column, justify="left" if column == "scenario" else "right")
    by_scenario.add_column("mean grade", justify="right")
    for s in data.scenarios:
        by_scenario.add_row(
            escape(s.scenario_id),
            str(s.participants),
            str(s.todo),
            str(s.completed),
            str(s.overdue),
            str(s.attempts),
            percent(s.mean_grade),
        )
    by_trainee = Table(title="Trainees")
    for column in ("trainee", "sessions", "to do", "overdue", "attempts", "mean grade"):
        by_trainee.add_column(column, justify="left" if column == "trainee" else "right")
    by_trainee.add_column("last attempt (UTC)")
    for t in data.trainees:
        last = f"{t.last_attempt_at:%Y-%m-%d %H:%M}" if t.last_attempt_at else "-"
        by_trainee.add_row(
            escape(t.trainee),
            str(t.sessions),
            str(t.todo),
            str(t.overdue),
            str(t.attempts),
            percent(t.mean_grade),
            last,
        )
    console.print(by_scenario)
    console.print(by_trainee)
