"""The one message table of runs and attempts, and its one converter to and from ``Message``.

A message belongs either to a conversation of a stress-test run (``conversation_id``) or to a
practice attempt (``attempt_id``), never both (migration ``0006_one_store`` merged the former
``attempt_messages`` table in). Its columns are the fields of ``domain.transcript.Message``:
``index`` (1-based turn), ``role``, noisy ``text`` and ``clean_text``, dialogue ``acts`` as JSON,
the customer's ``mood``, ``at_s`` (seconds since the conversation started, engine clock),
``fell_back`` and ``meta``. ``created_at`` (naive UTC) is when an attempt's message was written,
for retention; run messages leave it empty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from understudy.domain.persona import Mood
from understudy.domain.transcript import DialogueAct, Message, Role
from understudy.storage.db import Base


class MessageRow(Base):
    """One message of a run's conversation or of a practice attempt."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "(conversation_id IS NULL) <> (attempt_id IS NULL)", name="ck_messages_one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True, nullable=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True, nullable=True
    )
    index: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    clean_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    acts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    mood: Mapped[str | None] = mapped_column(String(16), nullable=True)
    at_s: Mapped[float] = mapped_column(Float)
    fell_back: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


def message_values(message: Message) -> dict[str, Any]:
    """Return the column values of ``message`` (without its owner and ``created_at``)."""
    return {
        "index": message.index,
        "role": message.role.value,
        "text": message.text,
        "clean_text": message.clean_text,
        "acts": [act.model_dump(mode="json") for act in message.acts],
        "mood": message.mood.value if message.mood is not None else None,
        "at_s": message.at_s,
        "fell_back": message.fell_back,
        "meta": message.meta,
    }


def to_message(row: MessageRow) -> Message:
    """Rebuild the ``Message`` stored in ``row``."""
    return Message(
        index=row.index,
        role=Role(row.role),
        text=row.text,
        clean_text=row.clean_text,
        acts=[DialogueAct.model_validate(a) for a in row.acts],
        mood=Mood(row.mood) if row.mood else None,
        at_s=row.at_s,
        fell_back=row.fell_back,
        meta=dict(row.meta),
    )


# Both owners' tables must be known before the foreign keys above resolve.
from understudy.storage import attempts as _attempts  # noqa: E402, F401
from understudy.storage import tables as _tables  # noqa: E402, F401
