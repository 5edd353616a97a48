"""``understudy validate FILE...``: check flows, personas and scenarios (and other kinds)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from understudy.cli.apps import app
from understudy.cli.common import console, err_console
from understudy.errors import ContentError


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Files to check (flow, persona, scenario...)."),
) -> None:
    """Check author-facing files; print every problem with file, line and field.

    The kind of each file is detected from a '# kind: NAME' comment or from its keys. A persona
    (or a scenario's persona) in a language the offline simulator cannot speak is warned about.
    Exit code 0 when every file is valid (warnings included), 2 otherwise.
    """
    from understudy.content.kinds import load_any
    from understudy.simulators.languages import language_warnings

    failed = 0
    for path in files:
        try:
            kind, model = load_any(path)
        except ContentError as exc:
            failed += 1
            for problem in exc.problems:
                err_console.print(f"[red]error[/red] {escape(str(problem))}", highlight=False)
            continue
        console.print(f"[green]ok[/green] {escape(str(path))} ({kind.name})", highlight=False)
        for warning in language_warnings(model, path):
            err_console.print(f"[yellow]warning[/yellow] {escape(str(warning))}", highlight=False)
    if failed:
        err_console.print(f"{failed} of {len(files)} file(s) invalid", highlight=False)
        raise typer.Exit(2)
