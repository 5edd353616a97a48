"""``understudy attempts delete``: permanent removal of a practice attempt."""

from __future__ import annotations

import typer
from rich.markup import escape

from understudy.cli.apps import attempts_app
from understudy.cli.common import console, user_errors


@attempts_app.command("delete")
def delete_attempt(
    attempt_id: int = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an attempt for good: its transcript, event log, grades and coach reviews.

    The session stays; its status follows from the attempts left (To do when none is finished).
    """
    from understudy.storage.attempt_store import AttemptStore

    with user_errors():
        store = AttemptStore()
        record = store.get(attempt_id)
    if not yes:
        typer.confirm(
            f"Delete attempt {attempt_id} ({record.trainee}, {record.scenario_id}, "
            f"{len(record.messages)} messages)? This is permanent.",
            abort=True,
            err=True,
            default=False,
        )
    with user_errors():
        removed = store.delete_attempt(attempt_id)
    console.print(
        f"Deleted attempt {attempt_id} of {escape(record.trainee)} on "
        f"{escape(record.scenario_id)}: {removed['messages']} messages, {removed['events']} "
        f"events, {removed['grades']} grades, {removed['reviews']} reviews.",
        highlight=False,
    )
