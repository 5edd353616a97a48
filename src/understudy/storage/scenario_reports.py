"""Submit a scenario for review: a trainee reports that the persona broke character on a turn.

Table ``scenario_reports`` (migration ``0010_scenario_reports``). A report names the attempt and
the customer turn where the simulated customer stopped being the persona (it spoke as an
assistant, revealed it is an AI, forgot its goal...), with a note; the scenario's creator sees
the open reports on the scenario's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from understudy.domain.transcript import Role
from understudy.errors import ConfigError, NotFoundError
from understudy.storage.attempt_records import utc_now
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import Base, open_database
from understudy.teams.context import acting_name, current_workspace_id
from understudy.teams.permissions import Action, authorize

BROKE_CHARACTER = "persona broke character"


class ScenarioReportRow(Base):
    """One report on a scenario."""

    __tablename__ = "scenario_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer, index=True)
    scenario_id: Mapped[str] = mapped_column(String(200), index=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True
    )
    turn: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class ScenarioReport:
    """A report as listed: the turn's text is quoted from the attempt's transcript."""

    id: int
    scenario_id: str
    attempt_id: int | None
    turn: int | None
    quote: str
    kind: str
    note: str
    reported_by: str
    created_at: datetime


def submit_for_review(
    attempt_id: int, turn: int, note: str, sessions: sessionmaker[Session] | None = None
) -> ScenarioReport:
    """Report that the persona broke character on customer turn ``turn`` of an attempt.

    Args:
        attempt_id: the attempt (of the acting user's workspace).
        turn: the transcript turn number (1-based) of a customer turn.
        note: what went wrong, in the reporter's words.

    Raises:
        NotFoundError: no such attempt in the workspace.
        ConfigError: ``turn`` is not a customer turn of that attempt.
        PermissionDenied: the acting user may not submit scenarios for review.
    """
    authorize(Action.REPORT_SCENARIO)
    record = AttemptStore(sessions).get(attempt_id)
    customer = {m.index: m.text for m in record.messages if m.role is Role.customer}
    if turn not in customer:
        turns = ", ".join(str(t) for t in sorted(customer)) or "none"
        raise ConfigError(f"turn {turn} is not a customer turn of attempt {attempt_id} ({turns})")
    factory = sessions or open_database()
    with factory() as db:
        row = ScenarioReportRow(
            workspace_id=current_workspace_id(),
            scenario_id=record.scenario_id,
            attempt_id=attempt_id,
            turn=turn,
            kind=BROKE_CHARACTER,
            note=note.strip(),
            reported_by=acting_name() or "trainee",
            created_at=utc_now(),
        )
        db.add(row)
        db.commit()
        return _report(row, customer[turn])


def _report(row: ScenarioReportRow, quote: str) -> ScenarioReport:
    return ScenarioReport(
        id=row.id,
        scenario_id=row.scenario_id,
        attempt_id=row.attempt_id,
        turn=row.turn,
        quote=quote,
        kind=row.kind,
        note=row.note,
        reported_by=row.reported_by,
        created_at=row.created_at,
    )


def reports_for(
    scenario_id: str, sessions: sessionmaker[Session] | None = None
) -> list[ScenarioReport]:
    """Open reports on a scenario of the acting user's workspace, newest first, with quotes."""
    factory = sessions or open_database()
    with factory() as db:
        rows = db.scalars(
            select(ScenarioReportRow)
            .where(
                ScenarioReportRow.workspace_id == current_workspace_id(),
                ScenarioReportRow.scenario_id == scenario_id,
                ScenarioReportRow.resolved_at.is_(None),
            )
            .order_by(ScenarioReportRow.id.desc())
        ).all()
    store = AttemptStore(sessions)
    listed = []
    for row in rows:
        quote = ""
        if row.attempt_id is not None:
            try:
                messages = store.get(row.attempt_id).messages
                quote = next((m.text for m in messages if m.index == row.turn), "")
            except NotFoundError:  # the attempt was deleted since: the report stays
                quote = ""
        listed.append(_report(row, quote))
    return listed
