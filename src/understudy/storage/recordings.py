"""A practice attempt's channel and voice recording (table ``attempt_recordings``).

Created by the migration ``0008_attempt_recordings``. One row per attempt that was started from
a voice or hybrid scenario:

- ``mode``: the channel the attempt used, ``voice`` or ``chat`` (a hybrid scenario lets the
  trainee pick);
- ``audio``: the call's audio, both sides in one file (``audio_format``, e.g. ``ogg/opus``:
  stereo, the trainee on the left channel and the customer on the right), or NULL once the
  retention setting ``audio_days`` purged it (``audio_purged_at`` says when);
- ``turns``: each transcript turn's start and end time in seconds of the recording, whether it
  was cut off and what of it was heard (kept like the transcript, not purged with the audio).

The voice event log (speech starts and stops, interruptions, latencies) goes to the attempt's
ordinary event log (``AttemptStore.add_event``), and its retention is the event log's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from understudy.storage.clocked import ClockedStore
from understudy.storage.db import Base
from understudy.storage.messages import MessageRow


class AttemptRecordingRow(Base):
    """The channel and recording of one attempt."""

    __tablename__ = "attempt_recordings"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(8))
    audio: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    audio_format: Mapped[str] = mapped_column(String(32), default="")
    sample_rate: Mapped[int] = mapped_column(Integer, default=0)
    channels: Mapped[int] = mapped_column(Integer, default=0)
    audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    audio_purged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class TurnTiming(BaseModel):
    """When one transcript turn was spoken, in seconds from the start of the recording.

    Attributes:
        index: the transcript turn (1-based).
        role: ``customer`` or ``agent`` (the trainee).
        start_s: when its audio started.
        end_s: when its audio ended (for a cut-off turn: when it was cut).
        cut_off: the other side started speaking and this turn's audio was stopped.
        heard: for a cut-off customer turn, the words played before the cut.
    """

    index: int
    role: str
    start_s: float
    end_s: float
    cut_off: bool = False
    heard: str | None = None


class Recording(BaseModel):
    """An attempt's stored channel and recording (``RecordingStore.get``).

    Attributes:
        attempt_id: the attempt.
        mode: ``voice`` or ``chat``.
        audio: the audio file's bytes, None when there is none or it was purged.
        audio_format: ``ogg/opus`` (or empty without audio).
        sample_rate: samples per second of the audio.
        channels: 2: the trainee left, the customer right.
        audio_seconds: length of the audio.
        turns: the timing of each spoken turn.
        audio_purged_at: when retention removed the audio (naive UTC), if it did.
    """

    attempt_id: int
    mode: str
    audio: bytes | None = None
    audio_format: str = ""
    sample_rate: int = 0
    channels: int = 0
    audio_seconds: float = 0.0
    turns: list[TurnTiming] = []
    audio_purged_at: datetime | None = None


class RecordingStore(ClockedStore):
    """Attempt channels and recordings in the database.

    Takes a session factory and a clock, as ``ClockedStore``.
    """

    def set_mode(self, attempt_id: int, mode: str) -> None:
        """Record the channel (``voice`` or ``chat``) of an attempt and commit.

        Raises:
            ValueError: ``mode`` is neither.
        """
        if mode not in ("voice", "chat"):
            raise ValueError(f"mode must be 'voice' or 'chat', got {mode!r}")
        with self._sessions() as db:
            row = self._row(db, attempt_id)
            row.mode = mode
            db.commit()

    def save_audio(
        self,
        attempt_id: int,
        audio: bytes | None,
        *,
        audio_format: str,
        sample_rate: int,
        channels: int,
        seconds: float,
        turns: list[TurnTiming],
    ) -> None:
        """Store (or replace) the call's audio and turn timings, and commit (``audio`` None:
        a call not recorded, the turn timings only).

        Each timed transcript turn also gets its times in ``meta["voice"]`` (``start_s``,
        ``end_s``), where the time-based rubric checks read them on a regrade.
        """
        with self._sessions() as db:
            times = {t.index: {"start_s": t.start_s, "end_s": t.end_s} for t in turns}
            stmt = select(MessageRow).where(MessageRow.attempt_id == attempt_id)
            for message in db.scalars(stmt):
                if message.index in times:
                    message.meta = {**(message.meta or {}), "voice": times[message.index]}
            row = self._row(db, attempt_id)
            row.mode = "voice"
            row.audio = audio
            row.audio_format = audio_format
            row.sample_rate = sample_rate
            row.channels = channels
            row.audio_seconds = seconds
            row.turns = [t.model_dump() for t in turns]
            row.updated_at = self.now()
            db.commit()

    def mark_cut_off(self, attempt_id: int, index: int, heard: str) -> None:
        """Mark transcript turn ``index`` as cut off, with the words heard, and commit.

        The turn's ``meta`` gets ``cut_off: true`` and ``heard``; its text stays what the
        customer meant to say.
        """
        with self._sessions() as db:
            stmt = select(MessageRow).where(
                MessageRow.attempt_id == attempt_id, MessageRow.index == index
            )
            message = db.scalars(stmt).first()
            if message is not None:
                message.meta = {**(message.meta or {}), "cut_off": True, "heard": heard}
                db.commit()

    def get(self, attempt_id: int) -> Recording | None:
        """Return the attempt's channel and recording, or None for a plain chat attempt."""
        with self._sessions() as db:
            row = db.get(AttemptRecordingRow, attempt_id)
            if row is None:
                return None
            return Recording(
                attempt_id=row.attempt_id,
                mode=row.mode,
                audio=row.audio,
                audio_format=row.audio_format,
                sample_rate=row.sample_rate,
                channels=row.channels,
                audio_seconds=row.audio_seconds,
                turns=[TurnTiming.model_validate(t) for t in row.turns or []],
                audio_purged_at=row.audio_purged_at,
            )

    def _row(self, db: Session, attempt_id: int) -> AttemptRecordingRow:
        row = db.get(AttemptRecordingRow, attempt_id)
        if row is None:
            now = self.now()
            row = AttemptRecordingRow(
                attempt_id=attempt_id, mode="voice", turns=[], created_at=now, updated_at=now
            )
            db.add(row)
        return row
