"""Scenarios submitted for review: a trainee's report that the persona broke character.

Revision ID: 0010_scenario_reports
Revises: 0009_teams

- New table ``scenario_reports`` (workspace, scenario id, attempt id, turn number, kind, note,
  who reported it, when, when resolved).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_scenario_reports"
down_revision = "0009_teams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``scenario_reports``."""
    op.create_table(
        "scenario_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, nullable=False, index=True),
        sa.Column("scenario_id", sa.String(200), nullable=False, index=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("turn", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    """Drop ``scenario_reports``."""
    op.drop_table("scenario_reports")
