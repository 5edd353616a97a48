"""Practice attempts keep their channel and voice recording (``attempt_recordings``).

Revision ID: 0008_attempt_recordings
Revises: 0007_off_topic_answered

- New table ``attempt_recordings``, one row per voice or hybrid attempt: the channel used
  (``voice`` or ``chat``), the call's audio (one compressed file, NULL once retention purged it),
  its format, sample rate, channels and length, and each turn's start and end time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_attempt_recordings"
down_revision = "0007_off_topic_answered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``attempt_recordings``."""
    op.create_table(
        "attempt_recordings",
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("audio", sa.LargeBinary, nullable=True),
        sa.Column("audio_format", sa.String(32), nullable=False, server_default=""),
        sa.Column("sample_rate", sa.Integer, nullable=False, server_default="0"),
        sa.Column("channels", sa.Integer, nullable=False, server_default="0"),
        sa.Column("audio_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("turns", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("audio_purged_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_attempt_recordings_created_at", "attempt_recordings", ["created_at"])


def downgrade() -> None:
    """Drop ``attempt_recordings``."""
    op.drop_index("ix_attempt_recordings_created_at", "attempt_recordings")
    op.drop_table("attempt_recordings")
