"""Tables of stress-test history: runs and their conversations (messages: ``storage.messages``).

The schema is created by the Alembic migrations (``0001_runs`` onwards); these mapped classes
must match them.
Every run keeps snapshots and content hashes of the agent (flow), persona and scenario(s) it used,
so editing a file later never rewrites history.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from understudy.storage.db import Base, UTCDateTime

if TYPE_CHECKING:
    from understudy.storage.messages import MessageRow


class RunRow(Base):
    """One batch run.

    ``status`` is ``running`` while the batch plays, then ``finished``, ``interrupted`` (Ctrl-C,
    SIGTERM, or the process vanished: see ``store.Store.reap_stale``) or ``failed``. ``metrics``
    holds ``BatchMetrics`` as JSON once the run stops; ``usage`` holds LLM token usage when an LLM
    took part. ``pid`` and ``host`` identify the process that plays a running batch.
    ``simulator_info`` records the simulator's content (the offline simulator's phrasing banks:
    ``{"phrasing_banks": [{"file", "sha256"}], "phrasing_hash"}``; migration ``0005``).
    ``agent_file`` is the last path component of a flow run's ``agent_ref`` (empty for other
    kinds), indexed so runs are found by flow file in SQL (migration ``0011``).
    """

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    agent_kind: Mapped[str] = mapped_column(String(32))
    agent_ref: Mapped[str] = mapped_column(Text, index=True)
    agent_name: Mapped[str] = mapped_column(Text, default="", index=True)
    agent_file: Mapped[str] = mapped_column(String(255), default="", server_default="", index=True)
    agent_version: Mapped[str] = mapped_column(String(64), default="")
    agent_snapshot: Mapped[str] = mapped_column(Text, default="")
    agent_hash: Mapped[str] = mapped_column(String(64), default="")
    persona_id: Mapped[str] = mapped_column(String(128), index=True)
    persona_snapshot: Mapped[str] = mapped_column(Text, default="")
    persona_hash: Mapped[str] = mapped_column(String(64), default="")
    scenario_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    scenario_snapshot: Mapped[str] = mapped_column(Text, default="")
    scenario_hash: Mapped[str] = mapped_column(String(64), default="")
    simulator_kind: Mapped[str] = mapped_column(String(32))
    seed: Mapped[str] = mapped_column(String(64))
    n: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    wall_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    simulator_info: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    workspace_id: Mapped[int] = mapped_column(Integer, index=True, default=1)

    conversations: Mapped[list[ConversationRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ConversationRow.index"
    )


class ConversationRow(Base):
    """One conversation of a run, stored in its own transaction when it ends.

    ``turns`` counts customer turns; ``duration_s`` is seconds on the engine's clock.
    """

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("run_id", "index", name="uq_conversation_run_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(96))
    scenario_id: Mapped[str] = mapped_column(String(128))
    termination_reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean)
    off_topic: Mapped[bool] = mapped_column(Boolean)
    off_topic_answered: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    fell_back: Mapped[bool] = mapped_column(Boolean)
    fallback_turns: Mapped[int] = mapped_column(Integer, default=0)
    agent_turns: Mapped[int] = mapped_column(Integer, default=0)
    turns: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    moods: Mapped[list[str]] = mapped_column(JSON, default=list)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    run: Mapped[RunRow] = relationship(back_populates="conversations")
    messages: Mapped[list[MessageRow]] = relationship(
        "MessageRow", cascade="all, delete-orphan", order_by="MessageRow.index"
    )


# The messages table (and, through it, the attempts table) must be known to resolve the
# relationship above.
from understudy.storage import messages as _messages  # noqa: E402, F401
