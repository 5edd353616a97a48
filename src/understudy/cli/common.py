"""Helpers shared by command modules: consoles and turning library errors into exit codes."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


def editor_command() -> list[str]:
    """Return the editor command: ``$VISUAL``, else ``$EDITOR``, else vi (notepad on Windows)."""
    raw = (
        os.environ.get("VISUAL")
        or os.environ.get("EDITOR")
        or ("notepad" if os.name == "nt" else "vi")
    )
    return shlex.split(raw)


def open_in_editor(path: Path) -> None:
    """Open ``path`` in the user's editor and wait for it to close.

    Raises:
        typer.Exit: with code 2 when the editor cannot be started (the message says to set $EDITOR).
    """
    try:
        subprocess.run([*editor_command(), str(path)], check=False)
    except OSError as exc:
        err_console.print(
            f"[red]error[/red] cannot start the editor ({escape(str(exc))}); set $EDITOR"
        )
        raise typer.Exit(2) from exc


def edit_validated(path: Path, check: Callable[[Path], object]) -> bool:
    """Edit ``path`` through a draft beside it; only a draft that passes ``check`` replaces it.

    The editor opens ``NAME.editing`` (a copy in the same folder, so relative references resolve
    as in the real file). When ``check`` raises ``ContentError`` the problems are printed under
    the real file's name; on a terminal the editor reopens on the draft until it is valid or the
    user gives up; otherwise (or on giving up) the file is left unchanged and the rejected draft
    is kept as ``NAME.rejected`` so no work is lost.

    Returns:
        True when the edit was saved, False when the file was left unchanged.
    """
    draft = path.with_name(path.name + ".editing")
    shutil.copyfile(path, draft)
    try:
        while True:
            open_in_editor(draft)
            try:
                check(draft)
            except ContentError as exc:
                for problem in exc.problems:
                    shown = str(problem).replace(str(draft), str(path))
                    err_console.print(f"[red]error[/red] {escape(shown)}", highlight=False)
                if sys.stdin.isatty() and typer.confirm(
                    "Edit again? (no: keep the file as it was)", default=True, err=True
                ):
                    continue
                rejected = path.with_name(path.name + ".rejected")
                os.replace(draft, rejected)
                err_console.print(
                    f"{escape(str(path))} was not changed; your edit is in {escape(str(rejected))}",
                    highlight=False,
                )
                return False
            os.replace(draft, path)
            return True
    finally:
        draft.unlink(missing_ok=True)


def edit_text(text: str, suffix: str = ".yaml") -> str | None:
    """Let the user edit ``text`` in their editor (a temporary file); None when unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"edit{suffix}"
        path.write_text(text, encoding="utf-8")
        open_in_editor(path)
        edited = path.read_text(encoding="utf-8")
    return None if edited == text else edited


NARROW_WIDTH = 110
"""Terminals narrower than this many columns get compact tables (fewer columns, folded text)."""


def is_narrow(width: int | None) -> bool:
    """Return True when a table for a terminal ``width`` columns wide should be compact."""
    return width is not None and width < NARROW_WIDTH
