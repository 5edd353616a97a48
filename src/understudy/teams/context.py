"""Who is acting: the signed-in web user or the CLI's ``--as`` user, and their workspace.

The actor is a context variable, bound for one web request or one CLI command by
``acting_as``; library code reads it with ``current_actor`` (permissions), the stores with
``current_workspace_id`` (every row they write or read) and the content folders with
``workspace_home``. Nothing else is global: a new thread or task started inside the block sees
the same actor (context variables are copied into them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from understudy.teams.permissions import Role

DEFAULT_WORKSPACE_ID = 1
"""Id of the workspace the migration creates; holds everything stored before teams existed."""

DEFAULT_WORKSPACE = "default"


@dataclass(frozen=True)
class Actor:
    """A user acting in one workspace.

    Attributes:
        name: the username (recorded as ``created_by``, ``assigned_by``, a session's trainee).
        role: the user's role in the workspace.
        workspace_id: the workspace's id.
        workspace: the workspace's slug (its content folder's name).
    """

    name: str
    role: Role
    workspace_id: int = DEFAULT_WORKSPACE_ID
    workspace: str = DEFAULT_WORKSPACE


_ACTOR: ContextVar[Actor | None] = ContextVar("understudy_actor", default=None)


def current_actor() -> Actor | None:
    """Return the actor bound by ``acting_as``, or None (a trusted in-process caller)."""
    return _ACTOR.get()


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[Actor | None]:
    """Bind ``actor`` for the ``with`` block (None: no actor, the default workspace)."""
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)


def current_workspace_id() -> int:
    """Return the acting user's workspace id (``DEFAULT_WORKSPACE_ID`` with no actor)."""
    actor = _ACTOR.get()
    return actor.workspace_id if actor is not None else DEFAULT_WORKSPACE_ID


def workspace_home() -> Path:
    """Return the content folder of the acting user's workspace, creating it if needed.

    The ``default`` workspace's content is ``UNDERSTUDY_HOME`` itself (where it was before teams
    existed); another workspace's is ``UNDERSTUDY_HOME/workspaces/<slug>``. Personas, scenarios,
    agent personas and flows live below it, so two workspaces never share a file.
    """
    from understudy.settings import _make_folder, home

    actor = _ACTOR.get()
    if actor is None or actor.workspace == DEFAULT_WORKSPACE:
        return home()
    path = home() / "workspaces" / actor.workspace
    _make_folder(path)
    return path


def acting_name() -> str | None:
    """Return who acts, for ``created_by``, ``assigned_by`` and a call's trainee.

    The bound actor's username; with none (no accounts), the login name of the process, or
    None when it cannot be told.
    """
    actor = _ACTOR.get()
    if actor is not None:
        return actor.name
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
