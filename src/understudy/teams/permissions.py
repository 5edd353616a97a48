"""The one permission table: which role may do which action, enforced by the library.

Roles (product document 004, "Before you start" and "Open and edit a scenario"):

- ``admin``: a full member who also manages users and sees the Participant filter and column.
- ``member``: a full member: creates scenarios and sessions, practises, reviews, runs
  stress-tests, opens the Report.
- ``read-only``: opens what already exists (personas, scenarios, sessions, attempts, runs) and
  nothing more; in particular cannot create a session.

Some actions are allowed only on what the actor owns (``Grant.OWN``): only a scenario's creator
may delete it (not even an administrator), and a member may delete only their own chats and
contacts.

Library code calls ``authorize(action, owner=...)`` before it writes; the web app and the CLI
call the same function (through the library) and use ``allowed`` to decide what to show, so a
hidden button is never the only guard.
"""

from __future__ import annotations

from enum import StrEnum

from understudy.errors import PermissionDenied


class Role(StrEnum):
    """A user's role in their workspace."""

    ADMIN = "admin"
    MEMBER = "member"
    READ_ONLY = "read-only"


class Action(StrEnum):
    """Everything a user may or may not do; the value is the name used in messages and docs."""

    VIEW = "view"
    CREATE_SESSION = "create a practice session"
    START_ATTEMPT = "start an attempt"
    CREATE_SCENARIO = "create a scenario"
    EDIT_SCENARIO = "edit a scenario"
    DELETE_SCENARIO = "delete a scenario"
    EDIT_PERSONA = "create or edit a persona"
    REVIEW_ATTEMPT = "review an attempt"
    DELETE_CHAT = "delete a chat"
    RUN_STRESS_TEST = "run a stress-test"
    EDIT_AGENT_PERSONA = "edit an agent persona"
    INVITE_PARTICIPANTS = "invite or remove participants"
    REPORT_SCENARIO = "submit a scenario for review"
    EDIT_CONTACT = "create or edit a contact"
    DELETE_CONTACT = "delete a contact"
    OPEN_REPORT = "open the Report"
    SEE_PARTICIPANTS = "see the Participant filter and column"
    MANAGE_USERS = "manage users"
    CREATE_WORKSPACE = "create a workspace"


class Grant(StrEnum):
    """How far a role may do an action."""

    YES = "yes"
    OWN = "own"
    """Only on what the actor created or owns."""
    NO = "no"


_Y, _O, _N = Grant.YES, Grant.OWN, Grant.NO

PERMISSIONS: dict[Action, dict[Role, Grant]] = {
    #                          admin  member  read-only
    Action.VIEW: dict(zip(Role, (_Y, _Y, _Y), strict=True)),
    Action.CREATE_SESSION: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.START_ATTEMPT: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.CREATE_SCENARIO: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.EDIT_SCENARIO: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.DELETE_SCENARIO: dict(zip(Role, (_O, _O, _N), strict=True)),
    Action.EDIT_PERSONA: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.REVIEW_ATTEMPT: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.DELETE_CHAT: dict(zip(Role, (_Y, _O, _N), strict=True)),
    Action.RUN_STRESS_TEST: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.EDIT_AGENT_PERSONA: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.INVITE_PARTICIPANTS: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.REPORT_SCENARIO: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.EDIT_CONTACT: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.DELETE_CONTACT: dict(zip(Role, (_Y, _O, _N), strict=True)),
    Action.OPEN_REPORT: dict(zip(Role, (_Y, _Y, _N), strict=True)),
    Action.SEE_PARTICIPANTS: dict(zip(Role, (_Y, _N, _N), strict=True)),
    Action.MANAGE_USERS: dict(zip(Role, (_Y, _N, _N), strict=True)),
    Action.CREATE_WORKSPACE: dict(zip(Role, (_Y, _N, _N), strict=True)),
}
"""Role x action -> grant: the only place a permission is decided (``docs/teams.md`` shows it)."""

_WHY = {
    Role.READ_ONLY: "a read-only seat opens what already exists and cannot change or create",
    Role.MEMBER: "only an administrator may",
    Role.ADMIN: "",
}


def allowed(role: Role, action: Action, *, actor: str = "", owner: str | None = None) -> bool:
    """Return whether ``role`` may do ``action``.

    Args:
        role: the actor's role.
        action: what they want to do.
        actor: the actor's username (compared with ``owner`` for ``Grant.OWN``).
        owner: who created or owns the object; None when it has no recorded owner, which an
            ``OWN`` grant never matches.
    """
    grant = PERMISSIONS[action][role]
    if grant is Grant.YES:
        return True
    return grant is Grant.OWN and owner is not None and owner == actor


def denial(role: Role, action: Action, *, actor: str, owner: str | None = None) -> str:
    """Return the message telling ``actor`` why ``action`` is refused."""
    grant = PERMISSIONS[action][role]
    if grant is Grant.OWN:
        who = f"{owner} (who created it)" if owner else "whoever created it"
        return f"{actor} may not {action.value}: only {who} may"
    reason = _WHY[role]
    return f"{actor} ({role.value}) may not {action.value}: {reason}"


def authorize(action: Action, *, owner: str | None = None) -> None:
    """Refuse ``action`` unless the acting user may do it (``teams.context.current_actor``).

    With no actor bound the caller is trusted (a Python program using the library, or the CLI
    on a database without accounts), unless the database has user accounts: then the CLI must
    say who acts (``--as``), so the table applies to both front ends.

    Raises:
        PermissionDenied: the role may not do ``action`` (the message names the user, the
            role, the action and why).
    """
    from understudy.teams.context import current_actor

    actor = current_actor()
    if actor is None:
        from understudy.teams.accounts import accounts_exist

        if accounts_exist():
            raise PermissionDenied(
                f"this database has user accounts: say who you are to {action.value} "
                "(understudy --as USERNAME ..., or `user: USERNAME` in config.yaml)"
            )
        return
    if not allowed(actor.role, action, actor=actor.name, owner=owner):
        raise PermissionDenied(denial(actor.role, action, actor=actor.name, owner=owner))


def can(action: Action, *, owner: str | None = None) -> bool:
    """Return whether the acting user may do ``action`` (True with no actor bound)."""
    from understudy.teams.context import current_actor

    actor = current_actor()
    if actor is None:
        return True
    return allowed(actor.role, action, actor=actor.name, owner=owner)
