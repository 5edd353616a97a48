"""Retention: how long each kind of stored data is kept, and purging what is past its time.

Settings come from the ``retention:`` key of ``$UNDERSTUDY_HOME/config.yaml``; each value is a
number of days, or ``null`` / ``keep`` to keep forever::

    retention:
      event_log_days: 90     # attempt event logs (default 90)
      transcripts_days: keep # attempt transcripts (default: kept)
      grades_days: keep      # grades and coach reviews (default: kept)
      audio_days: 90         # voice call recordings (default 90)

Each workspace may override these (``understudy retention set KIND DAYS``, administrators only;
stored in ``workspaces.retention``), and a purge removes only the acting workspace's data.

Ages are measured from when a row was written (event log rows, transcript turns) or when the
attempt started (grades) or when the recording was first stored (audio). A purge removes
event-log rows, transcript turns, or clears the grade and deletes the reviews, or empties a
recording's audio (its turn timings and the attempt's channel stay); the attempt row itself,
with its snapshots, stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from understudy.errors import ConfigError
from understudy.settings import config_path, load_config
from understudy.storage.accounts import WorkspaceRow
from understudy.storage.attempts import (
    AttemptEventRow,
    AttemptGradeRow,
    AttemptRow,
    CoachReviewRow,
)
from understudy.storage.db import open_database
from understudy.storage.messages import MessageRow
from understudy.storage.recordings import AttemptRecordingRow
from understudy.teams.context import current_workspace_id
from understudy.teams.permissions import Action, authorize

KINDS = ("event_log", "transcripts", "grades", "audio")
"""The kinds of data with a retention setting, in display order."""


class RetentionSettings(BaseModel):
    """Days each kind of data is kept; None keeps it forever.

    Attributes:
        event_log_days: attempt event logs (default 90 days).
        transcripts_days: attempt transcripts (default: kept).
        grades_days: grades and coach reviews (default: kept).
        audio_days: voice call recordings (default 90 days).
    """

    model_config = ConfigDict(extra="forbid")

    event_log_days: int | None = Field(default=90, ge=0)
    transcripts_days: int | None = Field(default=None, ge=0)
    grades_days: int | None = Field(default=None, ge=0)
    audio_days: int | None = Field(default=90, ge=0)

    @field_validator("*", mode="before")
    @classmethod
    def _keep(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"keep", "forever", "never"}:
            return None
        return value

    def days(self, kind: str) -> int | None:
        """Return the days kept for ``kind`` (one of ``KINDS``), None for forever."""
        value: int | None = getattr(self, f"{kind}_days")
        return value


def workspace_retention(sessions: sessionmaker[Session] | None = None) -> dict[str, Any]:
    """The acting workspace's own retention settings (``{"event_log_days": 30}``...)."""
    factory = sessions or open_database()
    with factory() as db:
        row = db.get(WorkspaceRow, current_workspace_id())
        return dict(row.retention or {}) if row is not None else {}


def set_workspace_retention(
    kind: str, days: int | None, sessions: sessionmaker[Session] | None = None
) -> RetentionSettings:
    """Set how long the acting workspace keeps ``kind`` (None: forever); return the result.

    Raises:
        ConfigError: an unknown kind or a negative number of days.
        PermissionDenied: the acting user is not an administrator.
    """
    authorize(Action.MANAGE_USERS)
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if days is not None and days < 0:
        raise ConfigError(f"expected 0 or more days, got {days}")
    factory = sessions or open_database()
    with factory() as db:
        row = db.get(WorkspaceRow, current_workspace_id())
        if row is None:
            raise ConfigError("the acting workspace does not exist")
        row.retention = {**(row.retention or {}), f"{kind}_days": days}
        db.commit()
    return load_retention(sessions)


def load_retention(sessions: sessionmaker[Session] | None = None) -> RetentionSettings:
    """Read the ``retention:`` settings of ``config.yaml``, then the workspace's own on top.

    Raises:
        ContentError: the file is not a YAML mapping (file and line named).
        ConfigError: the ``retention`` section is invalid.
    """
    path = config_path()
    configured = load_config(path).get("retention")
    own = workspace_retention(sessions)
    section: Any = {**configured, **own} if isinstance(configured, dict) else configured or own
    if not section:
        return RetentionSettings()
    try:
        return RetentionSettings.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"retention.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


class PurgeReport(BaseModel):
    """What ``apply_retention`` removed, per kind.

    Attributes:
        now: the reference time (naive UTC).
        removed: kind -> rows removed (event-log rows, transcript turns, grades cleared, audio
            files).
        cutoffs: kind -> the time before which data was removed (None: kept forever).
    """

    now: datetime
    removed: dict[str, int]
    cutoffs: dict[str, datetime | None]


def apply_retention(
    settings: RetentionSettings,
    now: datetime,
    sessions: sessionmaker[Session] | None = None,
) -> PurgeReport:
    """Purge every kind of data older than its retention period.

    Args:
        settings: the retention settings.
        now: the reference time, naive UTC.
        sessions: a session factory; ``open_database()`` when None.

    Raises:
        PermissionDenied: the acting user is not an administrator.

    Returns:
        Counts of what was removed, per kind.
    """
    factory = sessions or open_database()
    cutoffs: dict[str, datetime | None] = {}
    for kind in KINDS:
        days = settings.days(kind)
        cutoffs[kind] = None if days is None else now - timedelta(days=days)
    removed = dict.fromkeys(KINDS, 0)
    events_cut, messages_cut, grades_cut = (
        cutoffs["event_log"],
        cutoffs["transcripts"],
        cutoffs["grades"],
    )
    authorize(Action.MANAGE_USERS)
    mine = select(AttemptRow.id).where(AttemptRow.workspace_id == current_workspace_id())
    with factory() as db:
        if events_cut is not None:
            stmt: Any = delete(AttemptEventRow).where(
                AttemptEventRow.created_at < events_cut, AttemptEventRow.attempt_id.in_(mine)
            )
            removed["event_log"] = _count(db.execute(stmt))
        if messages_cut is not None:
            stmt = delete(MessageRow).where(
                MessageRow.attempt_id.in_(mine), MessageRow.created_at < messages_cut
            )
            removed["transcripts"] = _count(db.execute(stmt))
        if grades_cut is not None:
            old = select(AttemptRow.id).where(
                AttemptRow.workspace_id == current_workspace_id(),
                AttemptRow.started_at < grades_cut,
                AttemptRow.grade_json.is_not(None),
            )
            ids = list(db.scalars(old))
            if ids:
                stmt = delete(CoachReviewRow).where(CoachReviewRow.attempt_id.in_(ids))
                db.execute(stmt)
                stmt = delete(AttemptGradeRow).where(AttemptGradeRow.attempt_id.in_(ids))
                db.execute(stmt)
                stmt = (
                    update(AttemptRow)
                    .where(AttemptRow.id.in_(ids))
                    .values(grade_json=None, evaluation_status="Purged")
                )
                db.execute(stmt)
            removed["grades"] = len(ids)
        audio_cut = cutoffs["audio"]
        if audio_cut is not None:
            stmt = (
                update(AttemptRecordingRow)
                .where(
                    AttemptRecordingRow.created_at < audio_cut,
                    AttemptRecordingRow.audio.is_not(None),
                    AttemptRecordingRow.attempt_id.in_(mine),
                )
                .values(audio=None, audio_purged_at=now)
            )
            removed["audio"] = _count(db.execute(stmt))
        db.commit()
    return PurgeReport(now=now, removed=removed, cutoffs=cutoffs)


def _count(outcome: Any) -> int:
    return int(getattr(outcome, "rowcount", 0) or 0)
