"""Entry point of the ``understudy`` command: imports every command module, then runs Typer."""

from __future__ import annotations

import importlib

from understudy.cli.apps import app

# Each module registers its commands on the apps in ``understudy.cli.apps`` when imported.
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
    "chat",
    "scenarios",
    "attempt_delete",
    "graders",
    "runs_report",
    "plugins",
    "runs_plot",
    "export",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"understudy.cli.{_name}")


def main() -> None:
    """Run the CLI."""
    app()


__all__ = ["app", "main"]
