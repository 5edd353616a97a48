"""Contacts of a workspace, and the roleplays (practice sessions) tied to each.

Table ``contacts`` (migration ``0012_contacts``); a practice session started from a contact
carries its id (``practice_sessions.contact_id``), which is how a contact's Roleplay tab lists
every roleplay tied to it. Deleting a contact unties its sessions (they and their attempts
stay). Every read and write is limited to the acting user's workspace; an id from another
workspace is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from understudy.domain.contact import ContactDetails
from understudy.errors import ContentError, ContentProblem, NotFoundError
from understudy.storage.assignments import active_session_row, summarize
from understudy.storage.attempt_records import SessionSummary
from understudy.storage.attempts import PracticeSessionRow
from understudy.storage.clocked import ClockedStore
from understudy.storage.db import Base, serialize
from understudy.teams.context import acting_name, current_actor, current_workspace_id
from understudy.teams.permissions import Action, authorize, can


class ContactRow(Base):
    """One contact (the fields of ``domain.contact.ContactDetails``)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    profile_url: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    persona: Mapped[str] = mapped_column(String(200), default="")
    ecosystem: Mapped[str] = mapped_column(String(200), default="")
    vertical: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


FIELDS = tuple(ContactDetails.model_fields)
"""The stored fields of a contact, in form order."""


@dataclass(frozen=True)
class Contact:
    """A stored contact.

    Attributes:
        id: the contact's number (unique in the database).
        details: what was typed about them.
        created_by: who added the contact, if known.
        created_at: when (naive UTC).
        updated_at: last change (naive UTC).
        roleplays: how many practice sessions are tied to it.
    """

    id: int
    details: ContactDetails
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    roleplays: int = 0


def check_contact(data: dict[str, Any], known_personas: set[str] | None = None) -> ContactDetails:
    """Validate a contact's fields.

    Args:
        data: field name -> value (see ``ContactDetails``); unknown names are problems.
        known_personas: persona ids that ``persona`` may name; None reads the persona library
            of the acting workspace (built-ins included).

    Raises:
        ContentError: every problem, each naming its field (``name``, ``profile_url``...).
    """
    from pydantic import ValidationError

    from understudy.content.loader import problems_from_validation

    problems: list[ContentProblem] = []
    details: ContactDetails | None = None
    try:
        details = ContactDetails.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, {}, None)
    persona = str(data.get("persona", "") or "").strip()
    if persona:
        if known_personas is None:
            from understudy.content.personas import load_persona_library

            known_personas = set(load_persona_library().personas)
        if persona not in known_personas:
            known = ", ".join(sorted(known_personas)) or "none"
            problems.append(
                ContentProblem(None, None, "persona", f"no persona {persona!r}; known: {known}")
            )
    if problems or details is None:
        raise ContentError(problems)
    return details


def _contact(row: ContactRow, roleplays: int = 0) -> Contact:
    details = ContactDetails.model_construct(**{f: getattr(row, f) for f in FIELDS})
    return Contact(row.id, details, row.created_by, row.created_at, row.updated_at, roleplays)


class ContactStore(ClockedStore):
    """The acting workspace's contacts.

    Takes a session factory and a clock, as ``ClockedStore``.
    """

    def _row(self, db: Session, contact_id: int) -> ContactRow:
        row = db.get(ContactRow, contact_id)
        if row is None or row.workspace_id != current_workspace_id():
            raise NotFoundError(f"no contact {contact_id} (see: understudy contacts list)")
        return row

    def add(self, details: ContactDetails) -> Contact:
        """Store a new contact in the acting workspace, created by the acting user.

        Raises:
            PermissionDenied: the acting user may not create or edit contacts.
        """
        authorize(Action.EDIT_CONTACT)
        now = self.now()
        with self._sessions.begin() as db:
            row = ContactRow(
                workspace_id=current_workspace_id(),
                created_by=acting_name(),
                created_at=now,
                updated_at=now,
                **details.model_dump(),
            )
            db.add(row)
            db.flush()
            return _contact(row)

    def update(self, contact_id: int, details: ContactDetails) -> Contact:
        """Replace a contact's fields.

        Raises:
            NotFoundError: no such contact in the workspace.
            PermissionDenied: the acting user may not create or edit contacts.
        """
        authorize(Action.EDIT_CONTACT)
        with self._sessions.begin() as db:
            row = self._row(db, contact_id)
            for key, value in details.model_dump().items():
                setattr(row, key, value)
            row.updated_at = self.now()
            db.flush()
            return _contact(row, self._count(db, row.id))

    def get(self, contact_id: int) -> Contact:
        """Return one contact of the workspace.

        Raises:
            NotFoundError: no such contact in the workspace.
        """
        with self._sessions() as db:
            row = self._row(db, contact_id)
            return _contact(row, self._count(db, row.id))

    def list_contacts(self) -> list[Contact]:
        """Return the workspace's contacts by name (then id), with their roleplay counts."""
        with self._sessions() as db:
            tied = (
                select(PracticeSessionRow.contact_id, func.count(PracticeSessionRow.id).label("n"))
                .where(PracticeSessionRow.removed_at.is_(None))
                .group_by(PracticeSessionRow.contact_id)
                .subquery()
            )
            rows = db.execute(
                select(ContactRow, func.coalesce(tied.c.n, 0))
                .outerjoin(tied, tied.c.contact_id == ContactRow.id)
                .where(ContactRow.workspace_id == current_workspace_id())
                .order_by(ContactRow.name, ContactRow.id)
            ).all()
            return [_contact(row, int(count)) for row, count in rows]

    def delete(self, contact_id: int) -> Contact:
        """Delete a contact; the roleplays tied to it stay, untied.

        Raises:
            NotFoundError: no such contact in the workspace.
            PermissionDenied: the acting user may not delete it (a member only their own).
        """
        with self._sessions.begin() as db:
            row = self._row(db, contact_id)
            authorize(Action.DELETE_CONTACT, owner=row.created_by)
            gone = _contact(row, self._count(db, row.id))
            db.execute(
                update(PracticeSessionRow)
                .where(PracticeSessionRow.contact_id == contact_id)
                .values(contact_id=None)
            )
            db.delete(row)
            return gone

    def roleplays(self, contact_id: int, today: date | None = None) -> list[SessionSummary]:
        """Return the practice sessions tied to the contact that the acting user may list,
        newest first, with their status.

        As Roleplay Training (``AttemptStore.participant_attempts``): someone who may see the
        Participant column (an administrator, or anyone when no user acts) gets every session
        tied to the contact; anyone else gets only their own.

        Raises:
            NotFoundError: no such contact in the workspace.
        """
        today = today or self.now().date()
        query = (
            select(PracticeSessionRow)
            .where(
                PracticeSessionRow.workspace_id == current_workspace_id(),
                PracticeSessionRow.contact_id == contact_id,
                PracticeSessionRow.removed_at.is_(None),
            )
            .order_by(PracticeSessionRow.id.desc())
        )
        actor = current_actor()
        if actor is not None and not can(Action.SEE_PARTICIPANTS):
            query = query.where(PracticeSessionRow.trainee == actor.name)
        with self._sessions() as db:
            self._row(db, contact_id)
            rows = db.scalars(query).all()
            return [summarize(row, today) for row in rows]

    def start_roleplay(
        self,
        contact_id: int,
        trainee: str,
        scenario_id: str,
        scenario_name: str = "",
        deadline: date | None = None,
    ) -> int:
        """Tie the trainee's practice session of a scenario to the contact; return its id.

        The trainee's active session of the scenario is used when there is one, else a new
        one is created (To do, with ``deadline``). Attempts started afterwards attach to it.

        Raises:
            NotFoundError: no such contact in the workspace.
            PermissionDenied: the acting user may not create a practice session.
        """
        authorize(Action.CREATE_SESSION)
        with self._sessions() as db:
            serialize(db, "practice_sessions")
            self._row(db, contact_id)
            row = active_session_row(db, trainee, scenario_id)
            if row is None:
                row = PracticeSessionRow(
                    trainee=trainee,
                    scenario_id=scenario_id,
                    scenario_name=scenario_name,
                    deadline=deadline,
                    created_at=self.now(),
                    workspace_id=current_workspace_id(),
                )
                db.add(row)
            row.contact_id = contact_id
            db.commit()
            return row.id

    @staticmethod
    def _count(db: Session, contact_id: int) -> int:
        return int(
            db.scalar(
                select(func.count(PracticeSessionRow.id)).where(
                    PracticeSessionRow.contact_id == contact_id,
                    PracticeSessionRow.removed_at.is_(None),
                )
            )
            or 0
        )
