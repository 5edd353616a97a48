"""Roleplay Training: sessions table, New session (four steps), Session history, attempts.

New session from a contact (``/sessions/new?contact=ID``, the contact's Create Roleplay) is the
same dialog pre-filled from the contact, without the Persona mapping step when the contact
carries persona details; the session it starts is tied to the contact.

Sessions and attempts are the practice records of ``understudy.storage`` (the same the
``understudy attempts`` commands read); grading and reviews go through the attempt store.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.content import scenario_library as library
from understudy.content.importers.common import slug
from understudy.errors import ConfigError, NotFoundError, UnderstudyError
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.attempts import EVALUATED
from understudy.storage.contacts import Contact, ContactStore
from understudy.teams.permissions import Action, authorize, can
from understudy.web.calls import begin_call
from understudy.web.fields import RowId
from understudy.web.scenarios import (
    current_user,
    new_scenario_data,
    scenario_form_page,
    submit_scenario,
    values_of,
)
from understudy.web.templating import render

router = APIRouter()

SESSION_STEPS = 4
"""New session walks the first four steps of the scenario form (Details to Evaluation)."""


def _scenario_facts(scenario_id: str) -> dict[str, str]:
    try:
        s = library.locate_id(scenario_id).scenario
    except UnderstudyError:
        return {"type": "-", "persona": "-"}
    return {"type": s.type, "persona": s.persona}


@router.get("/sessions", response_class=HTMLResponse)
def session_list(request: Request, participant: str = "") -> HTMLResponse:
    """Practice sessions: name, attempts, status, deadline, type, persona, creator, date.

    Administrators see everyone's, with the Participant column and filter; everyone else sees
    their own sessions.
    """
    sessions = AttemptStore().list_sessions()
    see_participants = can(Action.SEE_PARTICIPANTS)
    people = sorted({s.trainee for s in sessions})
    if not see_participants:
        sessions = [s for s in sessions if s.trainee == current_user()]
    elif participant:
        sessions = [s for s in sessions if s.trainee == participant]
    rows = [{"s": s, **_scenario_facts(s.scenario_id)} for s in reversed(sessions)]
    context = {
        "title": "Roleplay Training",
        "rows": rows,
        "see_participants": see_participants,
        "people": people,
        "participant": participant,
    }
    return render(request, "sessions/list.html", context)


PERSONA_MAPPING = "Persona mapping"


def _contact(raw: str) -> Contact | None:
    """The contact a roleplay is started from (``contact`` query or form field), if any."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit() or len(raw.strip()) > 9:
        raise NotFoundError(f"no contact {raw!r} (see Contacts)")
    return ContactStore().get(int(raw))


def _skip(contact: Contact | None) -> frozenset[str]:
    """Persona mapping is skipped for a contact that carries persona details."""
    if contact is not None and contact.details.has_persona_details:
        return frozenset({PERSONA_MAPPING})
    return frozenset()


def _free_id(name: str) -> str:
    """A scenario id from ``name`` that the library does not use yet (``-2``, ``-3``...)."""
    base = slug(name)[:80]  # never empty: slug gives "x" for a name with no letters or digits
    candidate, number = base, 1
    while library.library_path(candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def contact_values(contact: Contact) -> dict[str, Any]:
    """The Create Roleplay Session dialog pre-filled from a contact.

    Name and id after the contact; the contact's persona details fill Persona mapping (persona,
    ecosystem, vertical, profile URL); who they are goes to the briefing and their notes to
    Scenario tuning.
    """
    d = contact.details
    data = new_scenario_data()
    data["name"] = f"Roleplay with {d.name}"
    data["id"] = _free_id(data["name"])
    data["type"] = "sales_discovery"
    if d.persona:
        data["persona"] = d.persona
    mapping = {"ecosystem": d.ecosystem, "vertical": d.vertical, "profile_url": d.profile_url}
    data["persona_mapping"] = {k: v for k, v in mapping.items() if v}
    data["briefing"] = {**data.get("briefing", {}), "persona_summary": d.summary()}
    if d.notes:
        data["tuning"] = d.notes
    values = values_of(data)
    values["contact"] = str(contact.id)
    return values


@router.get("/sessions/new", response_class=HTMLResponse)
def new_session(request: Request, step: int = 1, contact: str = "") -> HTMLResponse:
    """The four-step Create Roleplay Session dialog; ``contact`` pre-fills it from a contact
    (and skips Persona mapping when the contact carries persona details)."""
    source = _contact(contact)
    return scenario_form_page(
        request,
        step=step,
        steps=SESSION_STEPS,
        action="/sessions/new",
        values=contact_values(source) if source is not None else None,
        skip=_skip(source),
    )


@router.post("/sessions/new", response_model=None)
async def create_session(request: Request) -> Response:
    """Save the session's scenario in the library, then start its call (Start).

    A roleplay from a contact is tied to it (it shows on the contact's Roleplay tab) once its
    call has started; a call refused before it starts (a persona language the simulator cannot
    speak, a voice that is not installed) ties nothing.
    """
    authorize(Action.CREATE_SESSION)
    form = await request.form()
    source = _contact(str(form.get("contact", "") or ""))
    outcome = await submit_scenario(
        request, form, None, steps=SESSION_STEPS, action="/sessions/new", skip=_skip(source)
    )
    if isinstance(outcome, Response):
        return outcome
    trainee = str(form.get("trainee", "") or "").strip() or current_user() or "trainee"
    call = begin_call(request, outcome.id, trainee)
    if source is not None:
        # The call's attempt is stored by a background task; both it and start_roleplay take
        # the trainee's active session of the scenario under the practice_sessions lock, so
        # whichever comes first creates it and the other finds it (never two sessions).
        ContactStore().start_roleplay(
            source.id, trainee, outcome.id, outcome.name, outcome.deadline
        )
    return RedirectResponse(f"/calls/{call.token}", status_code=303)


def _session(session_id: int) -> Any:
    for s in AttemptStore().list_sessions():
        if s.id == session_id:
            return s
    raise NotFoundError(f"no practice session {session_id} (see Roleplay Training)")


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_history(request: Request, session_id: RowId) -> HTMLResponse:
    """Session history: each attempt's number, status, date and number of interactions."""
    session = _session(session_id)
    store = AttemptStore()
    attempts = [
        {"a": a, "interactions": len(store.get(a.id).messages)}
        for a in store.list_attempts(session.trainee, session.scenario_id)
    ]
    return render(
        request,
        "sessions/history.html",
        {
            "title": f"Session history: {session.scenario_name or session.scenario_id}",
            "session": session,
            "attempts": attempts,
            "evaluated": EVALUATED,
        },
    )


@router.get("/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt_page(
    request: Request, attempt_id: RowId, tab: str = "evaluation", reported: str = ""
) -> HTMLResponse:
    """The attempt: Evaluation tab (or "Generating results…") and Transcript tab."""
    record = AttemptStore().get(attempt_id)
    grade = record.effective_grade()
    template = "sessions/attempt.html"
    if "HX-Request" in request.headers and tab == "evaluation":
        template = "sessions/evaluation.html"
    return render(
        request,
        template,
        {
            "title": f"Attempt {record.number} of {record.scenario_id}",
            "r": record,
            "grade": grade,
            "tab": tab,
            "evaluated": EVALUATED,
            "coach": current_user() or "coach",
            "reported": bool(reported),
        },
    )


@router.post("/attempts/{attempt_id}/review", response_model=None)
async def review(request: Request, attempt_id: RowId) -> Response:
    """Store a coach's review: a note and per-criterion score overrides (blank = keep)."""
    form = await request.form()
    overrides: dict[str, float] = {}
    problems: list[str] = []
    for key, value in form.multi_items():
        if key.startswith("override.") and str(value).strip():
            try:
                overrides[key.removeprefix("override.")] = float(str(value))
            except ValueError:
                problems.append(f"{key}: expected a number between 0 and 1, got {value!r}")
    try:
        if problems:
            raise ConfigError("; ".join(problems))
        AttemptStore().add_review(
            attempt_id,
            str(form.get("coach", "") or "coach"),
            str(form.get("note", "") or ""),
            overrides,
        )
    except ConfigError as exc:
        record = AttemptStore().get(attempt_id)
        context = {
            "title": f"Attempt {record.number} of {record.scenario_id}",
            "r": record,
            "grade": record.effective_grade(),
            "tab": "evaluation",
            "evaluated": EVALUATED,
            "coach": str(form.get("coach", "")),
            "review_error": str(exc),
        }
        return render(request, "sessions/attempt.html", context, 422)
    return RedirectResponse(f"/attempts/{attempt_id}", status_code=303)


@router.post("/attempts/{attempt_id}/report", response_model=None)
async def report_attempt(request: Request, attempt_id: RowId) -> Response:
    """Submit the scenario for review: the persona broke character on a customer turn."""
    from understudy.storage.scenario_reports import submit_for_review

    authorize(Action.REPORT_SCENARIO)
    form = await request.form()
    raw = str(form.get("turn", "") or "")
    try:
        if not raw.isdigit() or len(raw) > 6:
            raise ConfigError(f"turn: expected a turn number, got {raw!r}")
        submit_for_review(attempt_id, int(raw), str(form.get("note", "") or ""))
    except ConfigError as exc:
        record = AttemptStore().get(attempt_id)
        context = {
            "title": f"Attempt {record.number} of {record.scenario_id}",
            "r": record,
            "grade": record.effective_grade(),
            "tab": "evaluation",
            "evaluated": EVALUATED,
            "coach": current_user() or "coach",
            "report_error": str(exc),
        }
        return render(request, "sessions/attempt.html", context, 422)
    return RedirectResponse(f"/attempts/{attempt_id}?reported=1", status_code=303)


@router.post("/attempts/{attempt_id}/delete")
def delete_attempt(attempt_id: RowId) -> RedirectResponse:
    """Delete chat: the attempt, its messages, events, grades and reviews (permanent)."""
    removed = AttemptStore().delete_attempt(attempt_id)
    return RedirectResponse(f"/sessions/{removed['session_id']}", status_code=303)
