"""``understudy scenarios report-issue``: submit a scenario for review from the terminal.

The trainee's report that the simulated customer broke character on one turn of an attempt
(``storage.scenario_reports``); the scenario's creator sees it on the scenario's page and at the
end of ``understudy scenarios show`` (``print_reports``), as on the web.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import scenarios_app
from understudy.cli.common import console, user_errors

if TYPE_CHECKING:
    from understudy.domain.scenario import Scenario


@scenarios_app.command("report-issue")
def report_issue(
    attempt_id: int = typer.Argument(..., metavar="ATTEMPT", help="The attempt's id."),
    turn: int = typer.Option(
        ..., "--turn", help="The customer turn where it went wrong (see: attempts show)."
    ),
    reason: str = typer.Option("", "--reason", help="What went wrong, in your words."),
) -> None:
    """Submit the attempt's scenario for review: the persona broke character on a turn."""
    from understudy.storage.scenario_reports import submit_for_review

    with user_errors():
        report = submit_for_review(attempt_id, turn, reason)
    console.print(
        f"Submitted scenario {escape(report.scenario_id)} for review: turn {turn} of attempt "
        f"{attempt_id} ({escape(report.quote[:80])!r}); its creator sees it on its page.",
        highlight=False,
    )


def print_reports(scenario: Scenario) -> None:
    """Print the scenario's open reports when the acting user created it (as the web page)."""
    from understudy.storage.scenario_reports import reports_for
    from understudy.teams.context import acting_name

    if not scenario.created_by or scenario.created_by != acting_name():
        return
    reports = reports_for(scenario.id)
    if not reports:
        return
    table = Table(box=box.SIMPLE_HEAD, title="Submitted for review")
    for column in ("reported by", "attempt", "turn", "what the customer said", "note", "date"):
        table.add_column(column, overflow="fold")
    for r in reports:
        table.add_row(
            escape(r.reported_by),
            str(r.attempt_id or "-"),
            str(r.turn or "-"),
            escape(r.quote or "-"),
            escape(r.note or "-"),
            r.created_at.date().isoformat(),
        )
    console.print(table)
