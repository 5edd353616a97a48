"""User accounts and workspaces: add, list, change role, disable, sign in.

``understudy users add NAME --role admin`` creates the first administrator (allowed while the
database has no account); after that only an administrator manages users
(``Action.MANAGE_USERS``), and only in their own workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from understudy.errors import (
    ConfigError,
    ContentError,
    ContentProblem,
    NotFoundError,
    PermissionDenied,
)
from understudy.storage.accounts import UserRow, WorkspaceRow
from understudy.storage.db import open_database
from understudy.teams.context import DEFAULT_WORKSPACE, Actor, current_actor
from understudy.teams.passwords import MIN_LENGTH, hash_password, verify_password
from understudy.teams.permissions import Action, Role, authorize

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
NAME_LENGTH = 200
"""The most characters of a workspace's or a user's display name (their ``String(200)`` columns)."""


@dataclass(frozen=True)
class User:
    """A user account as shown: no password hash.

    Attributes:
        username: the sign-in name (lower case letters, digits, ``.``, ``_``, ``-``).
        display_name: the name shown in tables, or the username.
        role: the role in the workspace.
        workspace: the workspace's slug.
        workspace_id: the workspace's id.
        disabled: a disabled user cannot sign in or act.
        created_at: when the account was added (naive UTC).
    """

    username: str
    display_name: str
    role: Role
    workspace: str
    workspace_id: int
    disabled: bool
    created_at: datetime

    def actor(self) -> Actor:
        """Return this user as the acting user of their workspace."""
        return Actor(self.username, self.role, self.workspace_id, self.workspace)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_name(name: str, what: str = "username") -> str:
    """Return ``name`` if it is a valid username or workspace slug.

    Raises:
        ConfigError: it is not 1-64 lower-case letters, digits, ``.``, ``_`` or ``-`` starting
            with a letter or digit.
    """
    if not _NAME.match(name):
        raise ConfigError(
            f"{what} {name!r} is not valid: expected 1-64 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def accounts_exist(sessions: sessionmaker[Session] | None = None) -> bool:
    """Return whether the database has at least one user account."""
    factory = sessions or open_database()
    with factory() as db:
        return db.scalar(select(func.count(UserRow.id))) != 0


class Accounts:
    """User accounts and workspaces in the store.

    Args:
        sessions: a SQLAlchemy session factory; ``open_database()`` when None.
    """

    def __init__(self, sessions: sessionmaker[Session] | None = None) -> None:
        self._sessions = sessions or open_database()

    def _user(self, db: Session, row: UserRow) -> User:
        workspace = db.get(WorkspaceRow, row.workspace_id)
        slug = workspace.slug if workspace is not None else DEFAULT_WORKSPACE
        return User(
            username=row.username,
            display_name=row.display_name or row.username,
            role=Role(row.role),
            workspace=slug,
            workspace_id=row.workspace_id,
            disabled=row.disabled,
            created_at=row.created_at,
        )

    def _manage(self, db: Session, workspace_id: int | None = None) -> None:
        """Refuse unless the actor may manage users (of ``workspace_id``), or none exist yet."""
        if db.scalar(select(func.count(UserRow.id))) == 0:
            return
        authorize(Action.MANAGE_USERS)
        actor = current_actor()
        if actor is not None and workspace_id is not None and workspace_id != actor.workspace_id:
            raise PermissionDenied(
                f"{actor.name} may not {Action.MANAGE_USERS.value} of another workspace"
            )

    def _workspace(self, db: Session, slug: str, *, create: bool) -> WorkspaceRow:
        row = db.scalars(select(WorkspaceRow).where(WorkspaceRow.slug == slug)).first()
        if row is not None:
            return row
        if not create:
            known = ", ".join(db.scalars(select(WorkspaceRow.slug).order_by(WorkspaceRow.id)))
            raise NotFoundError(f"no workspace {slug!r}; known: {known}")
        row = WorkspaceRow(slug=check_name(slug, "workspace"), name=slug, created_at=_now())
        db.add(row)
        db.flush()
        return row

    def add(
        self,
        username: str,
        password: str,
        *,
        role: Role = Role.MEMBER,
        display_name: str = "",
        workspace: str | None = None,
        create_workspace: bool = False,
    ) -> User:
        """Add a user account.

        Args:
            username: the sign-in name (see ``check_name``).
            password: at least ``passwords.MIN_LENGTH`` characters; only its hash is kept.
            role: the role in the workspace.
            display_name: the name shown in tables (default: the username).
            workspace: the workspace's slug; default the actor's (or ``default``).
            create_workspace: create the workspace when it does not exist yet.

        Raises:
            PermissionDenied: accounts exist and the actor is not an administrator (of that
                workspace, unless a new one is created).
            ConfigError: the name is taken or invalid, the display name longer than
                ``NAME_LENGTH``, or the password too short.
            NotFoundError: no such workspace (and ``create_workspace`` is False).
        """
        check_name(username)
        if len(display_name) > NAME_LENGTH:
            raise ConfigError(
                f"the name must have at most {NAME_LENGTH} characters, got {len(display_name)}"
            )
        if len(password) < MIN_LENGTH:
            raise ConfigError(f"the password must have at least {MIN_LENGTH} characters")
        actor = current_actor()
        slug = workspace or (actor.workspace if actor is not None else DEFAULT_WORKSPACE)
        with self._sessions.begin() as db:
            existing = db.scalars(select(WorkspaceRow).where(WorkspaceRow.slug == slug)).first()
            self._manage(db, existing.id if existing is not None else None)
            if existing is None and create_workspace and accounts_exist(self._sessions):
                authorize(Action.CREATE_WORKSPACE)
            taken = db.scalars(select(UserRow).where(UserRow.username == username)).first()
            if taken is not None:
                raise ConfigError(f"the username {username!r} is taken")
            space = self._workspace(db, slug, create=create_workspace)
            row = UserRow(
                username=username,
                display_name=display_name,
                password_hash=hash_password(password),
                role=Role(role).value,
                workspace_id=space.id,
                disabled=False,
                created_at=_now(),
            )
            db.add(row)
            db.flush()
            return self._user(db, row)

    def users(self, *, workspace: str | None = None) -> list[User]:
        """Return the users of a workspace (default: the actor's), by username."""
        actor = current_actor()
        slug = workspace or (actor.workspace if actor is not None else None)
        with self._sessions() as db:
            query = select(UserRow).order_by(UserRow.username)
            if slug is not None:
                space = self._workspace(db, slug, create=False)
                query = query.where(UserRow.workspace_id == space.id)
            return [self._user(db, row) for row in db.scalars(query)]

    def get(self, username: str) -> User:
        """Return one user.

        Raises:
            NotFoundError: no such user.
        """
        with self._sessions() as db:
            row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                raise NotFoundError(f"no user {username!r} (see: understudy users list)")
            return self._user(db, row)

    def _change(self, username: str, **values: Any) -> User:
        with self._sessions.begin() as db:
            row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                raise NotFoundError(f"no user {username!r} (see: understudy users list)")
            self._manage(db, row.workspace_id)
            for key, value in values.items():
                setattr(row, key, value)
            db.flush()
            return self._user(db, row)

    def set_role(self, username: str, role: Role) -> User:
        """Change a user's role (an administrator of their workspace only)."""
        return self._change(username, role=Role(role).value)

    def disable(self, username: str, disabled: bool = True) -> User:
        """Disable (or enable again) a user: a disabled user can neither sign in nor act."""
        actor = current_actor()
        if actor is not None and actor.name == username and disabled:
            raise ConfigError("you cannot disable your own account")
        return self._change(username, disabled=disabled)

    def set_password(self, username: str, password: str) -> User:
        """Replace a user's password (an administrator, or the user themself)."""
        if len(password) < MIN_LENGTH:
            raise ConfigError(f"the password must have at least {MIN_LENGTH} characters")
        actor = current_actor()
        if actor is not None and actor.name == username:
            with self._sessions.begin() as db:
                row = db.scalars(select(UserRow).where(UserRow.username == username)).one()
                row.password_hash = hash_password(password)
                return self._user(db, row)
        return self._change(username, password_hash=hash_password(password))

    def authenticate(self, username: str, password: str) -> User | None:
        """Return the user if the password is right and the account enabled, else None.

        A hash with outdated parameters is replaced on success. The hash is computed even for
        an unknown username, so the time taken does not tell which names exist.
        """
        with self._sessions.begin() as db:
            row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
            stored = row.password_hash if row is not None else _dummy_hash()
            valid, updated = verify_password(password, stored)
            if row is None or not valid or row.disabled:
                return None
            if updated is not None:
                row.password_hash = updated
            return self._user(db, row)

    def workspace_id(self, slug: str) -> int:
        """Return the id of the workspace ``slug``.

        Raises:
            NotFoundError: no such workspace (the message lists them).
        """
        with self._sessions() as db:
            return self._workspace(db, slug, create=False).id

    def create_workspace(
        self,
        slug: str,
        name: str,
        admin: str,
        password: str,
        *,
        admin_name: str = "",
    ) -> User:
        """Create a workspace with its first administrator (administrators only).

        The new workspace starts empty: its own users, personas, scenarios, sessions and
        contacts; the acting administrator stays in their own workspace.

        Args:
            slug: the workspace's short name (as ``check_name``), also its folder's name.
            name: the name shown (default: the slug).
            admin: the username of its first administrator.
            password: that administrator's password (``passwords.MIN_LENGTH`` or more).
            admin_name: the administrator's display name.

        Returns:
            The new administrator.

        Raises:
            PermissionDenied: the acting user may not create a workspace.
            ContentError: every problem, by field: ``slug`` (invalid or taken), ``name``
                (too long), ``admin`` (invalid or taken), ``admin_name`` (too long),
                ``password`` (too short); nothing is written.
        """
        authorize(Action.CREATE_WORKSPACE)
        slug, admin, name = slug.strip(), admin.strip(), name.strip()
        problems: list[ContentProblem] = []

        def problem(field: str, message: str) -> None:
            problems.append(ContentProblem(None, None, field, message))

        with self._sessions() as db:
            if not _NAME.match(slug):
                problem("slug", "expected 1-64 lower-case letters, digits, '.', '_' or '-'")
            elif db.scalars(select(WorkspaceRow).where(WorkspaceRow.slug == slug)).first():
                problem("slug", f"a workspace {slug!r} exists already")
            if len(name) > NAME_LENGTH:
                problem("name", f"expected at most {NAME_LENGTH} characters")
            if not _NAME.match(admin):
                problem("admin", "expected 1-64 lower-case letters, digits, '.', '_' or '-'")
            elif db.scalars(select(UserRow).where(UserRow.username == admin)).first():
                problem("admin", f"the username {admin!r} is taken")
        if len(admin_name.strip()) > NAME_LENGTH:
            problem("admin_name", f"expected at most {NAME_LENGTH} characters")
        if len(password) < MIN_LENGTH:
            problem("password", f"expected at least {MIN_LENGTH} characters")
        if problems:
            raise ContentError(problems)
        try:
            return self._create_workspace(slug, name, admin, password, admin_name)
        except IntegrityError as exc:  # created by someone else since the checks above
            raise ContentError(
                [ContentProblem(None, None, "slug", "the workspace or username was just taken")]
            ) from exc

    def _create_workspace(
        self, slug: str, name: str, admin: str, password: str, admin_name: str
    ) -> User:
        with self._sessions.begin() as db:
            space = WorkspaceRow(slug=slug, name=name or slug, created_at=_now())
            db.add(space)
            db.flush()
            row = UserRow(
                username=admin,
                display_name=admin_name.strip(),
                password_hash=hash_password(password),
                role=Role.ADMIN.value,
                workspace_id=space.id,
                disabled=False,
                created_at=_now(),
            )
            db.add(row)
            db.flush()
            return self._user(db, row)

    def workspaces(self) -> list[tuple[str, str]]:
        """Return every workspace as ``(slug, name)``, oldest first."""
        with self._sessions() as db:
            rows = db.scalars(select(WorkspaceRow).order_by(WorkspaceRow.id))
            return [(row.slug, row.name) for row in rows]


@cache
def _dummy_hash() -> str:
    return hash_password("not the password of anyone")
