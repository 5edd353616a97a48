"""Practice sessions, attempts, attempt messages, event log and coach reviews.

Revision ID: 0002_attempts
Revises: 0001_runs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_attempts"
down_revision = "0001_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the practice tables."""
    op.create_table(
        "practice_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("trainee", sa.String(200), nullable=False, index=True),
        sa.Column("scenario_id", sa.String(200), nullable=False, index=True),
        sa.Column("scenario_name", sa.String(300), nullable=False),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("practice_sessions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("trainee", sa.String(200), nullable=False, index=True),
        sa.Column("scenario_id", sa.String(200), nullable=False, index=True),
        sa.Column("scenario_json", sa.JSON, nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("persona_id", sa.String(200), nullable=False),
        sa.Column("persona_json", sa.JSON, nullable=False),
        sa.Column("persona_hash", sa.String(64), nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=True),
        sa.Column("seed", sa.String(100), nullable=True),
        sa.Column("started_at", sa.DateTime, nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("termination_reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evaluation_status", sa.String(20), nullable=False),
        sa.Column("grade_json", sa.JSON, nullable=True),
        sa.Column("graded_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "attempt_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("clean_text", sa.Text, nullable=True),
        sa.Column("acts", sa.JSON, nullable=False),
        sa.Column("mood", sa.String(20), nullable=True),
        sa.Column("at_s", sa.Float, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "attempt_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("turn", sa.Integer, nullable=True),
        sa.Column("at_s", sa.Float, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "coach_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("coach", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the practice tables."""
    for table in (
        "coach_reviews",
        "attempt_events",
        "attempt_messages",
        "attempts",
        "practice_sessions",
    ):
        op.drop_table(table)
