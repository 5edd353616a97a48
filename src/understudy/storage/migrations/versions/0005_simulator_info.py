"""Runs record the content their user simulator used (the offline simulator's phrasing banks).

Revision ID: 0005_simulator_info
Revises: 0004_grade_history

- New nullable column ``runs.simulator_info`` (JSON): ``{"phrasing_banks": [{"file", "sha256"}],
  "phrasing_hash"}`` for offline runs. Older runs keep NULL: what they used was not recorded.

A plain ``ALTER TABLE ... ADD COLUMN``, no batch mode: batch mode copies ``runs`` (a parent
table), and dropping the copied parent cascades to its conversations on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_simulator_info"
down_revision = "0004_grade_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``runs.simulator_info``."""
    op.add_column("runs", sa.Column("simulator_info", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop ``runs.simulator_info`` (plain ``DROP COLUMN``, SQLite 3.35 or later)."""
    op.drop_column("runs", "simulator_info")
