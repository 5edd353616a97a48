"""A contact: a real person a trainee prepares to talk to, with the persona that plays them.

A contact belongs to a workspace (``storage.contacts``). Its persona details (a persona of the
library, an ecosystem and a vertical) fill the Persona mapping step of a roleplay started from
the contact, so that step is skipped (product document 004, "Practice from a contact").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from understudy.domain.base import StrictModel


class ContactDetails(StrictModel):
    """What a user types about a contact.

    Attributes:
        name: the person's name (1-200 characters).
        company: where they work.
        role: their job title, e.g. ``Head of IT``.
        profile_url: a public profile (``http``/``https``); a label only, never fetched.
        notes: free text: what the trainee knows about them, past calls, what to watch for.
        persona: id of the persona (built-in or the workspace's library) that plays them.
        ecosystem: the market they are in, e.g. ``retail``, ``SaaS``.
        vertical: their industry, e.g. ``fashion``.
    """

    name: str = Field(min_length=1, max_length=200)
    company: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    profile_url: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=20_000)
    persona: str = Field(default="", max_length=200)
    ecosystem: str = Field(default="", max_length=200)
    vertical: str = Field(default="", max_length=200)

    @field_validator("name", "company", "role", "profile_url", "persona", "ecosystem", "vertical")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("expected the contact's name, got an empty one")
        return value

    @field_validator("profile_url")
    @classmethod
    def _address(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"expected an http:// or https:// address, got {value!r}")
        return value

    @property
    def has_persona_details(self) -> bool:
        """Whether a roleplay from this contact can skip the Persona mapping step."""
        return bool(self.persona)

    def summary(self) -> str:
        """Return ``Name, Role at Company`` (parts left out when blank)."""
        where = " at ".join(p for p in (self.role, self.company) if p)
        return f"{self.name}, {where}" if where else self.name
