"""``understudy scenarios report-issue``: submit a scenario for review from the terminal.

The trainee's report that the simulated customer broke character on one turn of an attempt
(``storage.scenario_reports``); the scenario's creator sees it on the scenario's page.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from understudy.cli.apps import scenarios_app
from understudy.cli.common import console, user_errors


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
