"""Invite participants to a scenario and remove them (with a confirmation).

Invite ticks the workspace's users who are not assigned yet; each gets a practice session of
the scenario (``storage.assignments``), due as the scenario's frequency says. Remove unassigns
(a session without attempts is deleted, one with attempts is kept as Removed with its history).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from understudy.content import scenario_library as library
from understudy.errors import NotFoundError
from understudy.storage.assignments import AssignmentStore
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_name
from understudy.teams.permissions import Action, authorize
from understudy.web.fields import RowId
from understudy.web.templating import render

router = APIRouter()


def invitable(scenario_id: str) -> list[str]:
    """The workspace's enabled users not assigned to ``scenario_id`` yet, by username."""
    assigned = {s.trainee for s in AssignmentStore().sessions(scenario_id=scenario_id)}
    return [u.username for u in Accounts().users() if not u.disabled and u.username not in assigned]


@router.post("/scenarios/{scenario_id}/participants")
async def invite(request: Request, scenario_id: str) -> RedirectResponse:
    """Invite the ticked team members (``trainee`` fields): they are assigned the scenario."""
    authorize(Action.INVITE_PARTICIPANTS)
    form = await request.form()
    scenario = library.locate(scenario_id).scenario
    allowed = set(invitable(scenario_id))
    store = AssignmentStore()
    for name in form.getlist("trainee"):
        if str(name) not in allowed:
            raise NotFoundError(f"no team member {name!r} to invite to {scenario_id}")
        store.assign(scenario, str(name), assigned_by=acting_name())
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


def _participant(scenario_id: str, session_id: int) -> str:
    for s in AssignmentStore().sessions(scenario_id=scenario_id):
        if s.id == session_id:
            return s.trainee
    raise NotFoundError(f"no participant session {session_id} in scenario {scenario_id}")


REMOVE = "/scenarios/{scenario_id}/participants/{session_id}/remove"


@router.get(REMOVE, response_class=HTMLResponse)
def confirm_remove(request: Request, scenario_id: str, session_id: RowId) -> HTMLResponse:
    """The "Remove participant from scenario?" confirmation (also a dialog on the page)."""
    trainee = _participant(scenario_id, session_id)
    context = {
        "title": "Remove participant from scenario?",
        "scenario_id": scenario_id,
        "session_id": session_id,
        "trainee": trainee,
    }
    return render(request, "scenarios/remove_participant.html", context)


@router.post(REMOVE)
def remove(scenario_id: str, session_id: RowId) -> RedirectResponse:
    """Unassign the participant; their attempts stay in the Participation history."""
    authorize(Action.INVITE_PARTICIPANTS)
    _participant(scenario_id, session_id)
    AssignmentStore().unassign(session_id, force=True)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)
