"""``understudy assign``, ``unassign`` and ``attempts sessions``: scenarios assigned to trainees.

Thin: parses options, calls ``understudy.storage.assignments``, renders with Rich.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import app, attempts_app
from understudy.cli.common import console, err_console, is_narrow, user_errors
from understudy.errors import ConfigError

if TYPE_CHECKING:
    from understudy.storage.attempt_records import SessionSummary


def parse_day(raw: str | None, option: str) -> date | None:
    """Parse an ISO date (``YYYY-MM-DD``) given to ``option``; None passes through.

    Raises:
        ConfigError: not an ISO date.
    """
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{option} expects a date as YYYY-MM-DD, got {raw!r}") from None


def parse_moment(raw: str | None, option: str) -> datetime | None:
    """Parse an ISO date or date and time given to ``option`` as naive UTC; None passes through.

    A date alone means its midnight; a time with an offset is converted to UTC.

    Raises:
        ConfigError: neither an ISO date nor an ISO date and time.
    """
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(
            f"{option} expects an ISO date or time such as 2026-03-01, got {raw!r}"
        ) from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def scenario_id_of(ref: str) -> str:
    """Return a scenario id from an id, or from the id inside a scenario file."""
    from understudy.content.scenarios import load_scenario

    return load_scenario(ref)[0].id if Path(ref).is_file() else ref


def status_text(s: SessionSummary) -> str:
    """Status as shown in tables: ``Completed (late)`` when completed after the deadline."""
    return f"{s.status} (late)" if s.late and s.status == "Completed" else s.status


def frequency_text(s: SessionSummary) -> str:
    """This week's finished attempts against the target, e.g. ``1/2``; the count alone without."""
    return f"{s.this_week}/{s.per_week}" if s.per_week else str(s.this_week)


@app.command()
def assign(
    scenario_ref: str = typer.Argument(..., metavar="SCENARIO_FILE", help="Scenario YAML file."),
    trainees: list[str] = typer.Option(
        ..., "--trainee", help="Who should practise it; repeatable."
    ),
    deadline: str | None = typer.Option(
        None, "--deadline", help="Date by which to practise (YYYY-MM-DD; default: the scenario's)."
    ),
    per_week: int | None = typer.Option(
        None, "--per-week", min=0, help="Expected sessions per week (default: the scenario's)."
    ),
    by: str | None = typer.Option(None, "--by", help="Who assigns it (a coach)."),
    instructions: str | None = typer.Option(
        None, "--instructions", help="Shown to the trainee before each call."
    ),
) -> None:
    """Assign a scenario to trainees: one practice session each, in status To do."""
    from understudy.content.scenarios import load_scenario
    from understudy.storage.assignments import AssignmentStore

    with user_errors():
        scenario, _ = load_scenario(scenario_ref, checked=True)
        day = parse_day(deadline, "--deadline")
        today = datetime.now(UTC).date()
        if day is not None and day < today:
            err_console.print(
                f"[yellow]warning[/yellow] the deadline {day.isoformat()} is already past "
                f"(today is {today.isoformat()}): the session starts Overdue",
                highlight=False,
            )
        store = AssignmentStore()
        for trainee in trainees:
            outcome = store.assign(
                scenario,
                trainee,
                deadline=day,
                per_week=per_week,
                assigned_by=by,
                instructions=instructions,
            )
            session = store.active(trainee, scenario.id)
            assert session is not None
            verb = "Assigned" if outcome.created else "Updated assignment of"
            details = [status_text(session)]
            if session.deadline:
                details.append(f"deadline {session.deadline.isoformat()}")
            if session.per_week:
                details.append(f"{session.per_week} per week")
            console.print(
                f"{verb} {escape(scenario.id)} to {escape(trainee)}: session {outcome.session_id} "
                f"({', '.join(details)})",
                highlight=False,
            )


@app.command()
def unassign(
    session_id: int | None = typer.Argument(None, metavar="[SESSION_ID]"),
    scenario: str | None = typer.Option(None, "--scenario", help="Scenario id or file."),
    trainee: str | None = typer.Option(None, "--trainee", help="The trainee."),
    force: bool = typer.Option(
        False, "--force", help="Remove even with attempts (the attempts are kept)."
    ),
) -> None:
    """Remove an assignment: SESSION_ID, or --scenario S --trainee T."""
    from understudy.storage.assignments import AssignmentStore

    with user_errors():
        store = AssignmentStore()
        if session_id is None:
            if not (scenario and trainee):
                raise ConfigError("give a SESSION_ID, or both --scenario and --trainee")
            session_id = store.find(trainee, scenario_id_of(scenario))
        outcome = store.unassign(session_id, force=force)
    if outcome.action == "deleted":
        console.print(f"Removed session {session_id} (it had no attempts).")
    else:
        console.print(
            f"Removed the assignment of session {session_id}; its {outcome.attempts} "
            "attempt(s) are kept (see `understudy attempts list`)."
        )


@attempts_app.command("sessions")
def list_sessions(
    trainee: str | None = typer.Option(None, "--trainee", help="Only this trainee's sessions."),
    scenario: str | None = typer.Option(None, "--scenario", help="Only this scenario id."),
    status: str | None = typer.Option(
        None, "--status", help="Only sessions in this status: todo, completed or overdue."
    ),
    include_removed: bool = typer.Option(False, "--removed", help="Also list removed assignments."),
    now: str | None = typer.Option(
        None, "--now", help="Report date (YYYY-MM-DD, default today, UTC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the sessions as JSON."),
) -> None:
    """List practice sessions with their status (To do, Completed, Overdue) and frequency."""
    from understudy.storage.assignments import AssignmentStore

    with user_errors():
        rows = AssignmentStore().sessions(
            trainee=trainee,
            scenario_id=scenario_id_of(scenario) if scenario else None,
            status=status,
            today=parse_day(now, "--now"),
            include_removed=include_removed,
        )
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        console.print("No sessions. Assign one with: understudy assign SCENARIO_FILE --trainee T")
        return
    console.print(sessions_table(rows, console.width))


def sessions_table(rows: list[SessionSummary], width: int | None = None) -> Table:
    """Return the table of ``attempts sessions``.

    Args:
        rows: the sessions.
        width: terminal width in columns; below ``NARROW_WIDTH`` the creation date, who assigned
            it and the per-week target (still shown in "this week" as ``1/3``) are left out.
    """
    narrow = is_narrow(width)
    table = Table(
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, pad_edge=not narrow, expand=narrow
    )
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("trainee", overflow="fold", ratio=1 if narrow else None)
    table.add_column("scenario", overflow="fold", ratio=2 if narrow else None)
    table.add_column("tries" if narrow else "attempts", no_wrap=True, justify="right")
    table.add_column("status", overflow="fold")
    table.add_column("deadline", no_wrap=True)
    if not narrow:
        table.add_column("per week", no_wrap=True)
    table.add_column("this week", no_wrap=True)
    if not narrow:
        table.add_column("created (UTC)", no_wrap=True)
        table.add_column("assigned by", overflow="fold")
    for s in rows:
        cells = [
            str(s.id),
            escape(s.trainee),
            escape(s.scenario_id),
            str(s.attempts),
            status_text(s),
            s.deadline.isoformat() if s.deadline else "-",
        ]
        if not narrow:
            cells.append(str(s.per_week) if s.per_week else "-")
        cells.append(frequency_text(s))
        if not narrow:
            cells.append(f"{s.created_at:%Y-%m-%d}" if s.created_at else "-")
            cells.append(escape(s.assigned_by or ("-" if s.assigned else "self-started")))
        table.add_row(*cells)
    return table
