"""Contacts: the list, New contact, the contact's page (Details and Roleplay tabs), edit, delete.

A contact's Roleplay tab lists every practice session started from it (Attempts, Status,
Deadline) and offers Create Roleplay: the Create Roleplay Session dialog pre-filled from the
contact (``web.sessions``). Storage and permissions are ``storage.contacts``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.errors import ContentError
from understudy.storage.contacts import FIELDS, Contact, ContactStore, check_contact
from understudy.teams.permissions import Action, authorize, can
from understudy.web.fields import FormField, RowId
from understudy.web.forms import FormErrors
from understudy.web.templating import render

router = APIRouter()


def contact_fields() -> list[FormField]:
    """The controls of the contact form (persona options read now)."""
    from understudy.web.scenarios import persona_options

    return [
        FormField("name", "Name", required=True),
        FormField("company", "Company"),
        FormField("role", "Role", help="job title, e.g. Head of IT"),
        FormField("profile_url", "Profile URL", "url", help="a public profile; never fetched"),
        FormField("notes", "Notes", "textarea", help="what you know about them"),
        FormField(
            "persona",
            "Persona",
            "select",
            options=persona_options(),
            help="who plays them in a roleplay; with one, Persona mapping is skipped",
        ),
        FormField("ecosystem", "Ecosystem", help="e.g. retail, SaaS"),
        FormField("vertical", "Vertical", help="e.g. fashion"),
    ]


def _errors(exc: ContentError) -> FormErrors:
    """Each problem beside its control, as ``field: message``."""
    errors: FormErrors = {}
    for problem in exc.problems:
        owner = problem.field if problem.field in FIELDS else ""
        errors.setdefault(owner, []).append(f"{problem.field or 'contact'}: {problem.message}")
    return errors


def _form_page(
    request: Request,
    values: dict[str, Any],
    *,
    contact: Contact | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    title = f"Edit contact {contact.details.name}" if contact else "New contact"
    action = f"/contacts/{contact.id}/edit" if contact else "/contacts/new"
    context = {
        "title": title,
        "fields": contact_fields(),
        "values": values,
        "errors": errors or {},
        "action": action,
        "cancel": f"/contacts/{contact.id}" if contact else "/contacts",
    }
    return render(request, "contacts/form.html", context, status_code)


@router.get("/contacts", response_class=HTMLResponse)
def contact_list(request: Request) -> HTMLResponse:
    """The workspace's contacts: name, company, role, persona, roleplays, created by."""
    context = {"title": "Contacts", "contacts": ContactStore().list_contacts()}
    return render(request, "contacts/list.html", context)


@router.get("/contacts/new", response_class=HTMLResponse)
def new_contact(request: Request) -> HTMLResponse:
    """The New contact form (403 for those who may not create contacts)."""
    authorize(Action.EDIT_CONTACT)
    return _form_page(request, dict.fromkeys(FIELDS, ""))


async def _submitted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "") or "") for name in FIELDS}


@router.post("/contacts/new", response_model=None)
async def create_contact(request: Request) -> Response:
    """Save a new contact, or show the form again with each problem beside its field (422)."""
    authorize(Action.EDIT_CONTACT)
    values = await _submitted(request)
    try:
        contact = ContactStore().add(check_contact(values))
    except ContentError as exc:
        return _form_page(request, values, errors=_errors(exc), status_code=422)
    return RedirectResponse(f"/contacts/{contact.id}", status_code=303)


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
def contact_page(request: Request, contact_id: RowId, tab: str = "details") -> HTMLResponse:
    """The contact: Details tab, Roleplay tab (its roleplays and Create Roleplay).

    Administrators see every roleplay tied to the contact, with the Participant column;
    everyone else sees their own, as on Roleplay Training.
    """
    store = ContactStore()
    contact = store.get(contact_id)
    roleplays = store.roleplays(contact_id)  # one's own only, unless one sees participants
    see_participants = can(Action.SEE_PARTICIPANTS)
    context = {
        "title": contact.details.name,
        "c": contact,
        "d": contact.details,
        "fields": contact_fields(),
        "tab": "roleplay" if tab == "roleplay" else "details",
        "roleplays": roleplays,
        "see_participants": see_participants,
        "can_delete": can(Action.DELETE_CONTACT, owner=contact.created_by),
    }
    return render(request, "contacts/detail.html", context)


@router.get("/contacts/{contact_id}/edit", response_class=HTMLResponse)
def edit_contact(request: Request, contact_id: RowId) -> HTMLResponse:
    """The Edit contact form, filled in (403 for those who may not edit contacts)."""
    contact = ContactStore().get(contact_id)
    authorize(Action.EDIT_CONTACT)
    return _form_page(request, contact.details.model_dump(), contact=contact)


@router.post("/contacts/{contact_id}/edit", response_model=None)
async def update_contact(request: Request, contact_id: RowId) -> Response:
    """Save the edit, or show the form again with its problems (422)."""
    store = ContactStore()
    contact = store.get(contact_id)
    authorize(Action.EDIT_CONTACT)
    values = await _submitted(request)
    try:
        store.update(contact_id, check_contact(values))
    except ContentError as exc:
        return _form_page(request, values, contact=contact, errors=_errors(exc), status_code=422)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.get("/contacts/{contact_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, contact_id: RowId) -> HTMLResponse:
    """The Delete contact? confirmation (also a dialog on the contact's page)."""
    contact = ContactStore().get(contact_id)
    return render(request, "contacts/delete.html", {"title": "Delete contact?", "c": contact})


@router.post("/contacts/{contact_id}/delete")
def delete_contact(contact_id: RowId) -> RedirectResponse:
    """Delete the contact; its roleplays and their attempts stay (untied)."""
    ContactStore().delete(contact_id)
    return RedirectResponse("/contacts", status_code=303)
