"""Due dates from a weekly frequency roll forward: the first one is no longer stored.

Revision ID: 0013_rolling_due_dates
Revises: 0012_contacts

Before, assigning a scenario with ``sessions_per_week`` and no deadline stored one due date (the
first: ``7 // per_week`` days after assignment, at least 1) in ``practice_sessions.deadline``.
Now such a session keeps ``deadline`` empty and its due dates roll forward from the frequency
(``storage.due_dates``). This data migration empties the stored deadline of every assigned
session whose deadline is exactly that first due date, so existing assignments roll too. (A
deadline typed by hand that happens to fall on that same day is taken for a derived one.) No
schema change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0013_rolling_due_dates"
down_revision = "0012_contacts"
branch_labels = None
depends_on = None

SESSIONS = sa.table(
    "practice_sessions",
    sa.column("id", sa.Integer),
    sa.column("deadline", sa.Date),
    sa.column("per_week", sa.Integer),
    sa.column("assigned_at", sa.DateTime),
)


def _first_due(assigned: datetime, per_week: int) -> date:
    return assigned.date() + timedelta(days=max(1, 7 // per_week))


def upgrade() -> None:
    """Empty the deadlines that were only the frequency's first due date."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(SESSIONS.c.id, SESSIONS.c.deadline, SESSIONS.c.per_week, SESSIONS.c.assigned_at)
        .where(SESSIONS.c.per_week > 0)
        .where(SESSIONS.c.deadline.is_not(None))
        .where(SESSIONS.c.assigned_at.is_not(None))
    ).all()
    for session_id, deadline, per_week, assigned_at in rows:
        if deadline == _first_due(assigned_at, per_week):
            bind.execute(SESSIONS.update().where(SESSIONS.c.id == session_id).values(deadline=None))


def downgrade() -> None:
    """Store the first due date again where a frequency set the due dates."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(SESSIONS.c.id, SESSIONS.c.per_week, SESSIONS.c.assigned_at)
        .where(SESSIONS.c.per_week > 0)
        .where(SESSIONS.c.deadline.is_(None))
        .where(SESSIONS.c.assigned_at.is_not(None))
    ).all()
    for session_id, per_week, assigned_at in rows:
        bind.execute(
            SESSIONS.update()
            .where(SESSIONS.c.id == session_id)
            .values(deadline=_first_due(assigned_at, per_week))
        )
