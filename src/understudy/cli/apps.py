"""The Typer application objects. Command modules import these and register their commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="understudy",
    help="Simulated customers with personas: stress-test assistants, practise calls.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
personas_app = typer.Typer(help="Customer personas: list, show, preview, new, edit, generate.")
runs_app = typer.Typer(help="Stored stress-test runs: list, show, compare.")
attempts_app = typer.Typer(
    help="Practice attempts and sessions: list, sessions, show, review, regrade."
)
agents_app = typer.Typer(help="Agent personas (LLM assistants): list, show, publish.")
import_app = typer.Typer(help="Import personas, scenarios and flows from public data sets.")
scenarios_app = typer.Typer(
    help="The scenario library: list, show, add, duplicate, edit, tag, delete."
)
retention_app = typer.Typer(help="Data retention: show settings, purge expired data.")
graders_app = typer.Typer(help="Graders: measure one against human labels (evaluate).")

app.add_typer(personas_app, name="personas")
app.add_typer(runs_app, name="runs")
app.add_typer(attempts_app, name="attempts")
app.add_typer(agents_app, name="agents")
app.add_typer(import_app, name="import")
app.add_typer(retention_app, name="retention")
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(graders_app, name="graders")
