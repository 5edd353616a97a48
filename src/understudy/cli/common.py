"""Helpers shared by command modules: consoles and turning library errors into exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from understudy.errors import ContentError, UnderstudyError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def user_errors(exit_code: int = 2) -> Iterator[None]:
    """Print an ``UnderstudyError`` as a clear message and exit with ``exit_code``."""
    try:
        yield
    except ContentError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error[/red] {escape(str(problem))}", highlight=False)
        raise typer.Exit(exit_code) from exc
    except UnderstudyError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(exit_code) from exc
