"""Grade history: every grade of an attempt is kept, and each coach review names its grade.

Revision ID: 0004_grade_history
Revises: 0003_assignments

- New table ``attempt_grades``: one row per grading of an attempt (number 1, 2... in order),
  with the rubric, the grade as JSON and when it was made. ``attempts.grade_json`` stays the
  current (newest) grade, so listings need no join.
- New column ``coach_reviews.grade_id``: the ``attempt_grades`` row the review was made on
  (NULL for a note written before any grade). It is a plain indexed integer, added with
  ``ALTER TABLE ... ADD COLUMN``: a foreign key would make SQLite copy the table (batch mode),
  and the rows it points at are only ever deleted together with the reviews (retention, or the
  attempt's cascade).
- Existing grades become grade 1 of their attempt, and existing reviews point at it.

Nothing here copies ``attempts`` (a parent table): with foreign keys on, dropping a copied
parent cascades to its children (see ``0003_assignments``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_grade_history"
down_revision = "0003_assignments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``attempt_grades``, add ``coach_reviews.grade_id``, move existing grades in."""
    op.create_table(
        "attempt_grades",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("rubric_id", sa.String(200), nullable=False, server_default=""),
        sa.Column("grader", sa.String(100), nullable=False, server_default=""),
        sa.Column("grade_json", sa.JSON, nullable=False),
        sa.Column("graded_at", sa.DateTime, nullable=False),
    )
    op.add_column("coach_reviews", sa.Column("grade_id", sa.Integer, nullable=True))
    op.create_index("ix_coach_reviews_grade_id", "coach_reviews", ["grade_id"])
    connection = op.get_bind()
    # Set-based, so it runs the same on SQLite and PostgreSQL: one grade row per graded
    # attempt, then each existing review points at its attempt's (only) grade.
    connection.execute(
        sa.text(
            "INSERT INTO attempt_grades (attempt_id, number, rubric_id, grader, grade_json, "
            "graded_at) SELECT id, 1, '', '', grade_json, "
            "COALESCE(graded_at, ended_at, started_at) FROM attempts "
            "WHERE grade_json IS NOT NULL"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE coach_reviews SET grade_id = (SELECT g.id FROM attempt_grades g "
            "WHERE g.attempt_id = coach_reviews.attempt_id)"
        )
    )
    grades = sa.table(
        "attempt_grades",
        sa.column("id", sa.Integer),
        sa.column("rubric_id", sa.String),
        sa.column("grader", sa.String),
        sa.column("grade_json", sa.JSON),
    )
    for row in connection.execute(sa.select(grades.c.id, grades.c.grade_json)).all():
        grade = row.grade_json if isinstance(row.grade_json, dict) else {}
        connection.execute(
            sa.update(grades)
            .where(grades.c.id == row.id)
            .values(rubric_id=str(grade.get("rubric_id", "")), grader=str(grade.get("grader", "")))
        )


def downgrade() -> None:
    """Drop the history (the current grade stays in ``attempts.grade_json``).

    Plain ``DROP INDEX`` / ``DROP COLUMN`` (SQLite 3.35 or later), no batch table copy.
    """
    op.drop_index("ix_coach_reviews_grade_id", table_name="coach_reviews")
    op.drop_column("coach_reviews", "grade_id")
    op.drop_table("attempt_grades")
