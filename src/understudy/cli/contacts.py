"""``understudy contacts add/list/show/edit/delete``: the workspace's contacts.

Thin: parses options, calls ``understudy.storage.contacts``, renders with Rich. A bad field is
reported as ``--option: problem`` with exit code 2, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from understudy.cli.apps import contacts_app
from understudy.cli.common import console, err_console, user_errors
from understudy.errors import ContentError

NAME = typer.Option(None, "--name", help="The person's name.")
COMPANY = typer.Option(None, "--company", help="Where they work.")
ROLE = typer.Option(None, "--role", help="Their job title, e.g. 'Head of IT'.")
PROFILE = typer.Option(None, "--profile-url", help="A public profile (http/https; never fetched).")
NOTES = typer.Option(None, "--notes", help="What you know about them.")
PERSONA = typer.Option(
    None, "--persona", help="Id of the persona that plays them (see: understudy personas list)."
)
ECOSYSTEM = typer.Option(None, "--ecosystem", help="Their market, e.g. retail, SaaS.")
VERTICAL = typer.Option(None, "--vertical", help="Their industry, e.g. fashion.")


def _given(parameters: dict[str, Any]) -> dict[str, Any]:
    """The contact fields given on the command line.

    Args:
        parameters: a command's parameters (its ``locals()`` before anything else), whose
            options are named like the fields of ``ContactDetails``.

    Returns:
        Field name -> value, for each field whose option was given (not None).
    """
    from understudy.domain.contact import ContactDetails

    return {f: parameters[f] for f in ContactDetails.model_fields if parameters.get(f) is not None}


def _checked(values: dict[str, Any]) -> Any:
    """Validate; print each problem as ``--option: message`` and exit 2 on failure."""
    from understudy.storage.contacts import check_contact

    try:
        return check_contact(values)
    except ContentError as exc:
        for problem in exc.problems:
            option = "--" + problem.field.replace("_", "-") if problem.field else "contact"
            err_console.print(
                f"[red]error[/red] {escape(option)}: {escape(problem.message)}", highlight=False
            )
        raise typer.Exit(2) from exc


def _as_json(contact: Any) -> dict[str, Any]:
    return {
        "id": contact.id,
        **contact.details.model_dump(),
        "created_by": contact.created_by,
        "created_at": contact.created_at.isoformat(),
        "roleplays": contact.roleplays,
    }


@contacts_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="The person's name."),
    company: str | None = COMPANY,
    role: str | None = ROLE,
    profile_url: str | None = PROFILE,
    notes: str | None = NOTES,
    persona: str | None = PERSONA,
    ecosystem: str | None = ECOSYSTEM,
    vertical: str | None = VERTICAL,
) -> None:
    """Add a contact; with --persona, a roleplay from it skips the Persona mapping step."""
    given = _given(locals())
    from understudy.storage.contacts import ContactStore

    with user_errors():
        from understudy.teams.permissions import Action, authorize

        authorize(Action.EDIT_CONTACT)
        details = _checked(given)
        contact = ContactStore().add(details)
    console.print(f"added contact {contact.id}: {escape(details.summary())}", highlight=False)


@contacts_app.command("edit")
def edit_command(
    contact_id: int = typer.Argument(..., metavar="ID"),
    name: str | None = NAME,
    company: str | None = COMPANY,
    role: str | None = ROLE,
    profile_url: str | None = PROFILE,
    notes: str | None = NOTES,
    persona: str | None = PERSONA,
    ecosystem: str | None = ECOSYSTEM,
    vertical: str | None = VERTICAL,
) -> None:
    """Change a contact's fields (only those given; an empty value clears one)."""
    given = _given(locals())
    from understudy.storage.contacts import ContactStore

    with user_errors():
        from understudy.teams.permissions import Action, authorize

        store = ContactStore()
        current = store.get(contact_id)
        authorize(Action.EDIT_CONTACT)
        values = current.details.model_dump()
        values.update(given)
        contact = store.update(contact_id, _checked(values))
    console.print(
        f"updated contact {contact.id}: {escape(contact.details.summary())}", highlight=False
    )


@contacts_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List your workspace's contacts: id, name, company, role, persona, roleplays."""
    from understudy.storage.contacts import ContactStore

    with user_errors():
        contacts = ContactStore().list_contacts()
    if as_json:
        typer.echo(json.dumps([_as_json(c) for c in contacts], indent=2))
        return
    if not contacts:
        console.print('no contacts yet; add one with: understudy contacts add "NAME"')
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("id", "name", "company", "role", "persona", "roleplays"):
        table.add_column(column)
    for c in contacts:
        d = c.details
        table.add_row(
            str(c.id),
            escape(d.name),
            escape(d.company or "-"),
            escape(d.role or "-"),
            escape(d.persona or "-"),
            str(c.roleplays),
        )
    console.print(table)


@contacts_app.command("show")
def show_command(
    contact_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Show a contact and its roleplays (Attempts, Status, Deadline)."""
    from understudy.storage.contacts import ContactStore

    with user_errors():
        store = ContactStore()
        contact = store.get(contact_id)
        roleplays = store.roleplays(contact_id)
    if as_json:
        shown = _as_json(contact)
        shown["roleplay_sessions"] = [
            {
                "session_id": s.id,
                "name": s.scenario_name or s.scenario_id,
                "trainee": s.trainee,
                "attempts": s.attempts,
                "status": s.status,
                "deadline": s.deadline.isoformat() if s.deadline else None,
            }
            for s in roleplays
        ]
        typer.echo(json.dumps(shown, indent=2))
        return
    d = contact.details
    console.print(f"[bold]{escape(d.name)}[/bold] (contact {contact.id})", highlight=False)
    for label, value in (
        ("company", d.company),
        ("role", d.role),
        ("profile URL", d.profile_url),
        ("persona", d.persona),
        ("ecosystem", d.ecosystem),
        ("vertical", d.vertical),
        ("notes", d.notes),
        ("created by", contact.created_by or ""),
    ):
        if value:
            console.print(f"  {label}: {escape(value)}", highlight=False)
    if not roleplays:
        console.print("no roleplays yet (Create Roleplay on the contact's page in the web app)")
        return
    table = Table(box=box.SIMPLE_HEAD, title="Roleplay")
    for column in ("session", "name", "trainee", "attempts", "status", "deadline"):
        table.add_column(column)
    for s in roleplays:
        table.add_row(
            str(s.id),
            escape(s.scenario_name or s.scenario_id),
            escape(s.trainee),
            str(s.attempts),
            s.status,
            s.deadline.isoformat() if s.deadline else "-",
        )
    console.print(table)


@contacts_app.command("delete")
def delete_command(
    contact_id: int = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a contact; roleplays started from it and their attempts stay."""
    from understudy.storage.contacts import ContactStore

    with user_errors():
        store = ContactStore()
        contact = store.get(contact_id)
    if not yes:
        typer.confirm(
            f"Delete contact {contact_id} ({contact.details.name})?",
            abort=True,
            err=True,
            default=False,
        )
    with user_errors():
        store.delete(contact_id)
    console.print(f"deleted contact {contact_id} ({escape(contact.details.name)})", highlight=False)
