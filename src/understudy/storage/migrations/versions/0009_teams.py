"""Teams: workspaces and user accounts; runs, practice sessions and attempts belong to a workspace.

Revision ID: 0009_teams
Revises: 0008_attempt_recordings

- New table ``workspaces`` (id, slug, name, created_at, retention): one row, ``default`` (id 1),
  is created here; every existing run, practice session and attempt goes into it.
- New table ``users`` (username, display name, Argon2 password hash, role, workspace, disabled).
- New column ``workspace_id`` (integer, not null, default 1, indexed) on ``runs``,
  ``practice_sessions`` and ``attempts``. Plain ``ADD COLUMN`` with a server default, no batch
  table copy (see 0005_simulator_info), so no foreign key: the stores always write the id of an
  existing workspace.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_teams"
down_revision = "0008_attempt_recordings"
branch_labels = None
depends_on = None

OWNED = ("runs", "practice_sessions", "attempts")


def upgrade() -> None:
    """Create ``workspaces`` (with ``default``) and ``users``; add ``workspace_id`` columns."""
    workspaces = op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("retention", sa.JSON, nullable=True),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    # No explicit id: a fresh table gives 1 on every database, and PostgreSQL's id sequence
    # moves past it (an explicit 1 left it at 1, so the next workspace collided).
    op.bulk_insert(workspaces, [{"slug": "default", "name": "Default", "created_at": now}])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "workspace_id", sa.Integer, sa.ForeignKey("workspaces.id"), nullable=False, index=True
        ),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    for table in OWNED:
        op.add_column(
            table, sa.Column("workspace_id", sa.Integer, nullable=False, server_default="1")
        )
        op.create_index(f"ix_{table}_workspace_id", table, ["workspace_id"])


def downgrade() -> None:
    """Drop the ``workspace_id`` columns, ``users`` and ``workspaces`` (every row is kept)."""
    for table in OWNED:
        op.drop_index(f"ix_{table}_workspace_id", table_name=table)
        op.drop_column(table, "workspace_id")
    op.drop_table("users")
    op.drop_table("workspaces")
