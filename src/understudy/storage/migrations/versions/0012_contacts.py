"""Contacts of a workspace, and practice sessions tied to a contact.

Revision ID: 0012_contacts
Revises: 0011_run_flow_index

- New table ``contacts`` (workspace, name, company, role, profile URL, notes, persona details:
  persona, ecosystem, vertical; who created it, when, last change).
- New column ``practice_sessions.contact_id`` (integer, nullable, indexed): the contact a
  roleplay was started from. Plain ``ADD COLUMN`` without a foreign key (no batch table copy on
  SQLite, as in 0009_teams); deleting a contact clears it in the store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_contacts"
down_revision = "0011_run_flow_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``contacts``; add ``practice_sessions.contact_id``."""
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("company", sa.String(200), nullable=False, server_default=""),
        sa.Column("role", sa.String(200), nullable=False, server_default=""),
        sa.Column("profile_url", sa.String(500), nullable=False, server_default=""),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("persona", sa.String(200), nullable=False, server_default=""),
        sa.Column("ecosystem", sa.String(200), nullable=False, server_default=""),
        sa.Column("vertical", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_contacts_workspace_id", "contacts", ["workspace_id"])
    op.add_column("practice_sessions", sa.Column("contact_id", sa.Integer, nullable=True))
    op.create_index("ix_practice_sessions_contact_id", "practice_sessions", ["contact_id"])


def downgrade() -> None:
    """Drop ``practice_sessions.contact_id`` and ``contacts``."""
    op.drop_index("ix_practice_sessions_contact_id", "practice_sessions")
    op.drop_column("practice_sessions", "contact_id")
    op.drop_index("ix_contacts_workspace_id", "contacts")
    op.drop_table("contacts")
