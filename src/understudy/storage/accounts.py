"""Tables of teams: workspaces and user accounts (migration ``0009_teams``).

A workspace owns every run, practice session and attempt (their ``workspace_id``) and a folder of
content (personas, scenarios, agent personas: ``understudy.teams.context.workspace_home``). The
workspace with id 1, slug ``default``, is created by the migration and holds everything stored
before teams existed. A user belongs to one workspace with one role (``teams.permissions.Role``);
the password is kept only as an Argon2 hash (``teams.passwords``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from understudy.storage.db import Base


class WorkspaceRow(Base):
    """A workspace; ``retention`` overrides the configuration's ``retention:`` section."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    retention: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class UserRow(Base):
    """A user account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
