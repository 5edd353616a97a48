"""``understudy retention show|apply``: retention settings and purging expired data."""

from __future__ import annotations

import typer
from rich.table import Table

from understudy.cli.apps import retention_app
from understudy.cli.assign import parse_moment
from understudy.cli.common import console, user_errors
from understudy.settings import config_path

_LABELS = {
    "event_log": "event log",
    "transcripts": "transcripts",
    "grades": "grades and reviews",
    "audio": "audio recordings",
}


@retention_app.command("show")
def show() -> None:
    """Show how long each kind of data is kept (from config.yaml, key retention)."""
    from understudy.storage.retention import KINDS, load_retention

    with user_errors():
        settings = load_retention()
    table = Table(title=f"Retention ({config_path()})")
    table.add_column("kind")
    table.add_column("kept")
    for kind in KINDS:
        days = settings.days(kind)
        table.add_row(_LABELS[kind], "forever" if days is None else f"{days} days")
    console.print(table)


@retention_app.command("set")
def set_command(
    kind: str = typer.Argument(..., help="event_log, transcripts, grades or audio."),
    days: str = typer.Argument(..., help="Days to keep, or `keep` (forever)."),
) -> None:
    """Set how long your workspace keeps one kind of data (administrators; overrides config)."""
    from understudy.errors import ConfigError
    from understudy.storage.retention import set_workspace_retention

    with user_errors():
        value = None if days.strip().lower() in ("keep", "forever") else days.strip()
        if value is not None and not value.isdigit():
            raise ConfigError(f"DAYS: expected a number of days or `keep`, got {days!r}")
        settings = set_workspace_retention(kind, None if value is None else int(value))
    kept = settings.days(kind)
    console.print(f"{_LABELS.get(kind, kind)}: " + ("forever" if kept is None else f"{kept} days"))


@retention_app.command("apply")
def apply(
    now: str | None = typer.Option(None, "--now", help="Reference time (ISO), default: now."),
) -> None:
    """Purge data past its retention period and report what was removed."""
    from understudy.storage.attempt_records import utc_now
    from understudy.storage.retention import KINDS, apply_retention, load_retention

    with user_errors():
        settings = load_retention()
        report = apply_retention(settings, parse_moment(now, "--now") or utc_now())
    table = Table(title=f"Retention applied at {report.now:%Y-%m-%d %H:%M} UTC")
    table.add_column("kind")
    table.add_column("removed", justify="right")
    table.add_column("older than")
    for kind in KINDS:
        cut = report.cutoffs[kind]
        table.add_row(
            _LABELS[kind],
            str(report.removed[kind]),
            "kept forever" if cut is None else f"{cut:%Y-%m-%d %H:%M}",
        )
    console.print(table)
