"""``understudy users add/list/set-role/disable``: user accounts of the web app and the CLI.

Thin: parses options, calls ``understudy.teams.accounts``, renders with Rich. The first
``users add`` on a database without accounts needs no ``--as`` (it creates the first
administrator); after that, only an administrator manages users.
"""

from __future__ import annotations

import json

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import users_app, workspaces_app
from understudy.cli.common import console, err_console, user_errors
from understudy.errors import ContentError
from understudy.teams.permissions import Role

ROLES = ", ".join(r.value for r in Role)
FIRST_ADMIN = "understudy users add NAME --role admin"


def _role(raw: str) -> Role:
    from understudy.errors import ConfigError

    try:
        return Role(raw.strip().lower())
    except ValueError:
        raise ConfigError(f"unknown role {raw!r}; expected one of {ROLES}") from None


@users_app.command("add")
def add_command(
    username: str = typer.Argument(..., help="Sign-in name: lower-case letters, digits, . _ -"),
    role: str = typer.Option("member", help=f"Role: {ROLES}."),
    name: str = typer.Option("", "--name", help="Name shown in tables (default: the username)."),
    workspace: str | None = typer.Option(
        None, help="Workspace slug (default: yours, or `default`)."
    ),
    new_workspace: bool = typer.Option(
        False, "--new-workspace", help="Create the workspace when it does not exist."
    ),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="UNDERSTUDY_NEW_PASSWORD",
        help="The password (asked for when not given; at least 8 characters).",
    ),
) -> None:
    """Add a user account (the first one needs no --as: make it an admin)."""
    from understudy.teams.accounts import Accounts

    with user_errors():
        user = Accounts().add(
            username,
            password,
            role=_role(role),
            display_name=name,
            workspace=workspace,
            create_workspace=new_workspace,
        )
    console.print(
        f"added {escape(user.username)} ({user.role.value}) to workspace {escape(user.workspace)}",
        highlight=False,
    )


@users_app.command("list")
def list_command(
    workspace: str | None = typer.Option(None, help="Workspace slug (default: yours)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List user accounts: username, name, role, workspace, status."""
    from understudy.teams.accounts import Accounts

    with user_errors():
        users = Accounts().users(workspace=workspace)
    if as_json:
        rows = [
            {
                "username": u.username,
                "name": u.display_name,
                "role": u.role.value,
                "workspace": u.workspace,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(),
            }
            for u in users
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not users:
        console.print(
            "no user accounts yet; add the first with: understudy users add NAME --role admin"
        )
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("username", "name", "role", "workspace", "status"):
        table.add_column(column)
    for u in users:
        status = "disabled" if u.disabled else "active"
        table.add_row(
            escape(u.username), escape(u.display_name), u.role.value, escape(u.workspace), status
        )
    console.print(table)


@users_app.command("set-role")
def set_role_command(
    username: str = typer.Argument(..., help="The user."),
    role: str = typer.Argument(..., help=f"The new role: {ROLES}."),
) -> None:
    """Change a user's role (administrators only)."""
    from understudy.teams.accounts import Accounts

    with user_errors():
        user = Accounts().set_role(username, _role(role))
    console.print(f"{escape(user.username)} is now {user.role.value}", highlight=False)


@users_app.command("disable")
def disable_command(
    username: str = typer.Argument(..., help="The user."),
    enable: bool = typer.Option(False, "--enable", help="Enable the account again."),
) -> None:
    """Disable a user (they can no longer sign in or act), or enable them again."""
    from understudy.teams.accounts import Accounts

    with user_errors():
        user = Accounts().disable(username, not enable)
    state = "disabled" if user.disabled else "enabled"
    console.print(f"{escape(user.username)} is {state}", highlight=False)


@workspaces_app.command("create")
def create_workspace_command(
    slug: str = typer.Argument(..., help="Short name: lower-case letters, digits, . _ -"),
    admin: str = typer.Option(..., "--admin", help="Username of its first administrator."),
    name: str = typer.Option("", "--name", help="Name shown (default: the short name)."),
    admin_name: str = typer.Option("", "--admin-name", help="The administrator's name."),
    password: str = typer.Option(
        ...,
        prompt="Password of the new administrator",
        hide_input=True,
        confirmation_prompt=True,
        envvar="UNDERSTUDY_NEW_PASSWORD",
        help="Their password (asked for when not given; at least 8 characters).",
    ),
) -> None:
    """Create a workspace with its first administrator (administrators only)."""
    from understudy.teams.accounts import Accounts

    with user_errors():
        try:
            user = Accounts().create_workspace(slug, name, admin, password, admin_name=admin_name)
        except ContentError as exc:
            for problem in exc.problems:
                option = {"slug": "SLUG", "name": "--name", "admin": "--admin"}.get(
                    problem.field, "--" + problem.field.replace("_", "-")
                )
                err_console.print(
                    f"[red]error[/red] {option}: {escape(problem.message)}", highlight=False
                )
            raise typer.Exit(2) from exc
    console.print(
        f"created workspace {escape(user.workspace)} with administrator {escape(user.username)}",
        highlight=False,
    )
