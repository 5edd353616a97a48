"""Conversations record whether every off-topic question was answered (off-topic recovery).

Revision ID: 0007_off_topic_answered
Revises: 0006_one_store

- New nullable column ``conversations.off_topic_answered`` (boolean). Older rows keep NULL and
  count as answered, which is what the recovery rate assumed when they were stored.

A plain ``ALTER TABLE ... ADD COLUMN``, no batch mode (see 0005_simulator_info).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_off_topic_answered"
down_revision = "0006_one_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``conversations.off_topic_answered``."""
    op.add_column("conversations", sa.Column("off_topic_answered", sa.Boolean, nullable=True))


def downgrade() -> None:
    """Drop ``conversations.off_topic_answered`` (plain ``DROP COLUMN``, SQLite 3.35 or later)."""
    op.drop_column("conversations", "off_topic_answered")
