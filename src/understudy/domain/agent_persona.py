"""An agent persona: the identity and settings of an LLM assistant under test.

An agent persona is the assistant side of a conversation, defined by prompts rather than by a flow:
a name, whether it remembers earlier conversations with the same contact, one voice configuration
per locale and a chat configuration. Files are YAML (format and examples in ``docs/agents.md``);
versions (draft and production) are kept by :mod:`understudy.agents.persona_store`.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from understudy.domain.base import StrictModel
from understudy.domain.transcript import Role

_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")


class VoiceConfig(StrictModel):
    """How the assistant behaves on a voice call in one locale.

    Attributes:
        locale: BCP 47 tag, e.g. ``en-US``; one configuration per locale.
        prompt: the system prompt for calls in this locale.
        voice: the TTS voice name.
        first_speaker: who speaks first on a call (default: the agent).
        first_message: the agent's scripted opening line (generated when empty).
        model: ``provider:model``; the persona's ``model`` when None.
        temperature: sampling temperature, 0..2.
        max_duration_s: longest call in seconds before the agent wraps up.
        silence_timeout_s: seconds of caller silence before the agent prompts or hangs up.
        recording: whether calls are recorded.
    """

    locale: str = "en-US"
    prompt: str
    voice: str | None = None
    first_speaker: Role = Role.agent
    first_message: str = ""
    model: str | None = None
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_duration_s: float = Field(default=600.0, gt=0)
    silence_timeout_s: float = Field(default=10.0, gt=0)
    recording: bool = True

    @field_validator("locale")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        if not _BCP47.match(value):
            raise ValueError(f"expected a BCP 47 locale such as en-US, got {value!r}")
        return value


class ChatConfig(StrictModel):
    """How the assistant behaves in chat.

    Attributes:
        prompt: the system prompt for chats.
        model: ``provider:model``; the persona's ``model`` when None.
        temperature: sampling temperature, 0..2.
        max_tokens: longest reply in tokens.
        forward_to_voice: offer to continue the conversation on a voice call.
        first_message: the agent's opening line when it speaks first (generated when empty).
    """

    prompt: str
    model: str | None = None
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=400, ge=1, le=32000)
    forward_to_voice: bool = False
    first_message: str = ""


class AgentPersona(StrictModel):
    """An LLM assistant's identity and settings.

    Attributes:
        id: stable identifier, lower-case with dashes (``acme-support``).
        name: display name the assistant uses (``Ava from Acme``).
        description: a line shown in lists.
        model: default ``provider:model`` of its configurations; the ``llm.model`` setting
            when None.
        memory: True when it remembers earlier conversations with the same contact.
        voice: voice configurations, at most one per locale.
        chat: the chat configuration.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    description: str = ""
    model: str | None = None
    memory: bool = False
    voice: list[VoiceConfig] = Field(default_factory=list)
    chat: ChatConfig | None = None

    @model_validator(mode="after")
    def _check(self) -> AgentPersona:
        locales = [v.locale.lower() for v in self.voice]
        duplicates = sorted({loc for loc in locales if locales.count(loc) > 1})
        if duplicates:
            raise ValueError(f"one voice configuration per locale, got several for {duplicates}")
        if self.chat is None and not self.voice:
            raise ValueError("expected a chat configuration or at least one voice configuration")
        return self

    def voice_for(self, locale: str) -> VoiceConfig | None:
        """Return the voice configuration of ``locale`` (or of its language), or None."""
        wanted = locale.lower()
        for config in self.voice:
            if config.locale.lower() == wanted:
                return config
        language = wanted.split("-")[0]
        return next((v for v in self.voice if v.locale.lower().split("-")[0] == language), None)
