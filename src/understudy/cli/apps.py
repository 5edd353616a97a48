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
users_app = typer.Typer(help="User accounts: add, list, set-role, disable (administrators).")
workspaces_app = typer.Typer(help="Workspaces: create one with its first administrator.")
contacts_app = typer.Typer(help="Contacts of your workspace: add, list, show, edit, delete.")


@app.callback()
def acting_user(
    ctx: typer.Context,
    as_user: str | None = typer.Option(
        None,
        "--as",
        envvar="UNDERSTUDY_USER",
        help="Act as this user (their role and workspace apply); default: `user:` in "
        "config.yaml. Needed once the database has user accounts.",
        show_envvar=True,
    ),
) -> None:
    """Simulated customers with personas: stress-test assistants, practise calls."""
    name = as_user or _configured_user()
    if not name:
        return
    from understudy.cli.common import user_errors
    from understudy.errors import ConfigError, NotFoundError
    from understudy.teams.accounts import Accounts
    from understudy.teams.context import acting_as

    with user_errors():
        try:
            user = Accounts().get(name)
        except NotFoundError as exc:
            raise ConfigError(f"--as {name}: {exc}") from exc
        if user.disabled:
            raise ConfigError(f"--as {name}: the account is disabled")
    ctx.with_resource(acting_as(user.actor()))


def _configured_user() -> str | None:
    """``user:`` of config.yaml; None when unset or unreadable (the command reports that)."""
    from understudy.errors import UnderstudyError
    from understudy.settings import config_path, load_config

    try:
        if not config_path().is_file():
            return None
        value = load_config().get("user")
    except UnderstudyError:
        return None
    return str(value) if value else None


app.add_typer(personas_app, name="personas")
app.add_typer(runs_app, name="runs")
app.add_typer(attempts_app, name="attempts")
app.add_typer(agents_app, name="agents")
app.add_typer(import_app, name="import")
app.add_typer(retention_app, name="retention")
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(graders_app, name="graders")
app.add_typer(users_app, name="users")
app.add_typer(contacts_app, name="contacts")
app.add_typer(workspaces_app, name="workspaces")
