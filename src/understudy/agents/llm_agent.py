"""An LLM assistant defined by an agent persona, played against the user simulator.

The agent uses the persona's chat configuration (or, for the ``voice`` channel, the voice
configuration of the locale asked for, falling back to the chat configuration): its prompt, model,
temperature and token limit. When it speaks first it uses ``first_message`` when set. Its system
prompt adds two conventions, removed from the text before the customer sees it:

- ``[END completed]`` after its last line when the request is handled (the conversation ends with
  ``goal_met``), ``[END escalated]`` when it hands over to a human;
- nothing else: fallbacks are detected from the wording, with the webhook's default phrases.

Memory: when the persona has ``memory: true`` and the agent is given a ``contact`` and a shared
``memory`` store, the transcripts of earlier conversations with that contact (their last 10 lines)
go into the system prompt, and this conversation is added when it closes.

Each call's seed is derived from the conversation id and turn number, so the replay cache replays
a batch exactly.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from understudy.agents.webhook import DEFAULT_FALLBACK_PHRASES
from understudy.domain.agent_persona import AgentPersona
from understudy.domain.transcript import COMPLETED, Role, TerminationReason, agent_ending
from understudy.engine.seams import Agent, AgentTurn, ConversationState
from understudy.llm import require_llm
from understudy.matching import best_match

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from understudy.llm.managed import ManagedModel
    from understudy.llm.run import LLMRun

_END = re.compile(r"\[\s*END(?:[\s:_-]+([A-Za-z_]+))?\s*\]", re.IGNORECASE)


def _ending(word: str | None) -> TerminationReason:
    """The ending of ``[END word]``: ``escalated``, else the goal is met (``[END completed]``)."""
    try:
        reason = agent_ending((word or COMPLETED).lower())
    except ValueError:
        reason = None
    return reason if reason is TerminationReason.escalated else TerminationReason.goal_met


AGENT_RULES = (
    "Conventions of this conversation: when the customer's request is fully handled and the "
    "conversation is over, end your last message with [END completed]; when you hand the "
    "customer over to a human, end it with [END escalated]. Otherwise never write [END]."
)
AGENT_OPENING_CUE = "[A customer has just connected. Greet them.]"

Memory = dict[str, list[str]]
"""Earlier conversations by contact: contact id -> transcript lines (``role: text``)."""


class LLMAgent(Agent):
    """An assistant whose replies come from a model configured by an agent persona.

    Args:
        persona: the agent persona (one version of it).
        channel: ``chat`` or ``voice``.
        locale: locale of the voice configuration to use.
        run: the run that accounts for calls; a new one when None.
        model: overrides the configuration's model (``provider:model``).
        llm_model: a ready pydantic-ai model (``TestModel``/``FunctionModel`` in tests).
        contact: who the customer is, for memory.
        memory: shared store of earlier conversations, for memory.

    Raises:
        ConfigError: the ``llm`` extra is missing.
    """

    name = "llm"

    def __init__(
        self,
        persona: AgentPersona,
        *,
        channel: str = "chat",
        locale: str = "en-US",
        run: LLMRun | None = None,
        model: str | None = None,
        llm_model: Model | None = None,
        contact: str | None = None,
        memory: Memory | None = None,
    ) -> None:
        require_llm("the LLM agent")
        from understudy.llm.run import LLMRun

        self.persona = persona
        self.run = run if run is not None else LLMRun()
        voice = persona.voice_for(locale) if channel == "voice" else None
        chat = persona.chat
        if voice is not None:
            prompt, first = voice.prompt, voice.first_message
            self.model_name = model or voice.model or persona.model
            self.temperature, self.max_tokens = voice.temperature, 400
        elif chat is not None:
            prompt, first = chat.prompt, chat.first_message
            self.model_name = model or chat.model or persona.model
            self.temperature, self.max_tokens = chat.temperature, chat.max_tokens
        else:
            fallback = persona.voice[0]
            prompt, first = fallback.prompt, fallback.first_message
            self.model_name = model or fallback.model or persona.model
            self.temperature, self.max_tokens = fallback.temperature, 400
        self.first_message = first
        self.llm_model = llm_model
        self.contact = contact
        self.memory = memory
        self.system_prompt = self._system(prompt)
        self._model: ManagedModel | None = None
        self._transcript: list[str] = []

    def _system(self, prompt: str) -> str:
        parts = [f"You are {self.persona.name}.", prompt.strip(), AGENT_RULES]
        if self.persona.memory and self.contact and self.memory:
            earlier = self.memory.get(self.contact, [])[-10:]
            if earlier:
                parts.append("Earlier conversations with this customer:\n" + "\n".join(earlier))
        return "\n\n".join(p for p in parts if p)

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Return the assistant's next reply."""
        if not state.messages and self.first_message:
            return AgentTurn(text=self.first_message, meta={"scripted": True})
        from pydantic_ai.direct import model_request

        from understudy.llm.history import agent_view, response_text

        if self._model is None:
            self._model = self.run.model(
                self.model_name, state.conversation_id, model=self.llm_model
            )
        turn = sum(1 for m in state.messages if m.role is Role.agent)
        digest = hashlib.sha256(f"{state.conversation_id}:{turn}".encode()).hexdigest()
        settings: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": int(digest[:8], 16) % 2**31,
        }
        messages = agent_view(self.system_prompt, state.messages, AGENT_OPENING_CUE)
        response = await model_request(self._model, messages, model_settings=settings)  # type: ignore[arg-type]
        text = response_text(response)
        match = _END.search(text)
        outcome = None
        if match is not None:
            outcome = _ending(match.group(1))
            text = _END.sub("", text).strip() or "Goodbye."
        fell_back = best_match(DEFAULT_FALLBACK_PHRASES, text) is not None
        self._transcript = [f"{m.role.value}: {m.text}" for m in state.messages]
        self._transcript.append(f"agent: {text}")
        return AgentTurn(
            text=text,
            fell_back=fell_back,
            ended=outcome is not None,
            outcome=outcome,
            meta={"model": self._model.call_label},
        )

    async def aclose(self) -> None:
        """Remember this conversation for the contact (memory on, contact and store given)."""
        if self.persona.memory and self.contact and self.memory is not None:
            self.memory.setdefault(self.contact, []).extend(self._transcript)
