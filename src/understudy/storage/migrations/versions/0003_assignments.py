"""Assignments: practice-session frequency, who assigned it, instructions, removal.

Revision ID: 0003_assignments
Revises: 0002_attempts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_assignments"
down_revision = "0002_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the assignment columns to ``practice_sessions`` (existing rows: self-started)."""
    with op.batch_alter_table("practice_sessions") as batch:
        batch.add_column(sa.Column("per_week", sa.Integer, nullable=True))
        batch.add_column(sa.Column("assigned_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("instructions", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("assigned_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("removed_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    """Drop the assignment columns.

    Plain ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 or later), not a batch table copy: with
    foreign keys on, dropping the copied ``practice_sessions`` would cascade to the attempts.
    """
    for column in ("removed_at", "assigned_at", "instructions", "assigned_by", "per_week"):
        op.drop_column("practice_sessions", column)
