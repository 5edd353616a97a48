"""Runs are found by flow in SQL: an indexed flow-file column, and indexes for listing.

Revision ID: 0011_run_flow_index
Revises: 0010_scenario_reports

- New column ``runs.agent_file``: the last path component of a flow run's ``agent_ref``
  (``refund.yaml``), empty for other agent kinds; indexed, so ``runs list --flow refund.yaml``
  narrows to the runs of that file name with an index before comparing whole paths. Existing
  rows are filled in here.
- Indexes on ``runs.agent_name`` and ``runs.agent_ref`` (``--flow`` by the flow's name or the
  exact reference) and ``runs.created_at`` (newest first, paged).
"""

from __future__ import annotations

from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision = "0011_run_flow_index"
down_revision = "0010_scenario_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add and fill ``runs.agent_file``; index it, ``agent_name``, ``agent_ref``, ``created_at``."""
    op.add_column(
        "runs", sa.Column("agent_file", sa.String(255), nullable=False, server_default="")
    )
    runs = sa.table(
        "runs",
        sa.column("id", sa.String),
        sa.column("agent_kind", sa.String),
        sa.column("agent_ref", sa.Text),
        sa.column("agent_file", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(runs.c.id, runs.c.agent_ref).where(runs.c.agent_kind == "flow")
    ).all()
    for run_id, ref in rows:
        bind.execute(
            runs.update()
            .where(runs.c.id == run_id)
            .values(agent_file=PurePath(ref or "").name[:255])
        )
    op.create_index("ix_runs_agent_file", "runs", ["agent_file"])
    op.create_index("ix_runs_agent_name", "runs", ["agent_name"])
    op.create_index("ix_runs_agent_ref", "runs", ["agent_ref"])
    op.create_index("ix_runs_created_at", "runs", ["created_at"])


def downgrade() -> None:
    """Drop the indexes and ``runs.agent_file`` (plain ``DROP COLUMN``, SQLite 3.35 or later)."""
    op.drop_index("ix_runs_created_at", "runs")
    op.drop_index("ix_runs_agent_ref", "runs")
    op.drop_index("ix_runs_agent_name", "runs")
    op.drop_index("ix_runs_agent_file", "runs")
    op.drop_column("runs", "agent_file")
