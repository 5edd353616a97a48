"""Entry point of the ``understudy`` command: imports every command module, then runs Typer."""

from __future__ import annotations

import importlib

from understudy.cli.apps import app

# Each module registers its commands on the apps in ``understudy.cli.apps`` when imported. At
# the top a command module imports only Typer, Rich and light modules (cli.apps, cli.common,
# errors, settings, domain.moods); models, content, engine and store are imported inside the
# command that uses them, so --help stays fast (tests/test_startup.py, docs/startup.md).
COMMAND_MODULES = [
    "personas",
    "stress",
    "runs",
    "validate",
    "practice",
    "assign",
    "report",
    "retention",
    "importers",
    "persona_library",
    "schema",
    "agents",
    "rerun",
    "resume",
    "chat",
    "scenarios",
    "attempt_delete",
    "graders",
    "runs_report",
    "plugins",
    "runs_plot",
    "export",
    "serve",
    "users",
    "contacts",
    "scenario_reports",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"understudy.cli.{_name}")


def main() -> None:
    """Run the CLI.

    A failure of the machine rather than of the input (a full disk, a read-only folder, a
    damaged database, one from a newer release: ``understudy.storage.failures``) is printed as
    one paragraph saying what to do, with exit code 2, instead of a traceback.
    """
    try:
        app()
    except Exception as exc:
        from understudy.storage.failures import explain

        message = explain(exc)
        if message is None:
            raise
        from rich.markup import escape

        from understudy.cli.common import err_console

        err_console.print(f"[red]error[/red] {escape(message)}", highlight=False)
        raise SystemExit(2) from None


__all__ = ["app", "main"]
