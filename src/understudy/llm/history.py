"""Convert understudy transcripts to pydantic-ai messages, at the edge (our ``Message`` stays ours).

Two views of one transcript:

- :func:`customer_view` (roles reversed, for the LLM user simulator): agent turns become user
  prompts, customer turns become the model's own earlier answers;
- :func:`agent_view` (for an LLM agent persona): customer turns are user prompts, agent turns are
  the model's answers.

Imports pydantic-ai: import only after ``require_llm()``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    UserPromptPart,
)

from understudy.domain.transcript import Message, Role


def _view(
    system: str,
    messages: Sequence[Message],
    speaker: Role,
    opening_cue: str,
    direction: str | None,
) -> list[ModelMessage]:
    out: list[ModelMessage] = []
    pending: list[ModelRequestPart] = [SystemPromptPart(content=system)]
    for message in messages:
        if message.role is speaker:
            if not any(isinstance(p, UserPromptPart) for p in pending):
                pending.append(UserPromptPart(content=opening_cue))
            out.append(ModelRequest(parts=pending))
            pending = []
            text = message.clean_text if message.clean_text is not None else message.text
            out.append(ModelResponse(parts=[TextPart(content=text)]))
        else:
            pending.append(UserPromptPart(content=message.text))
    if not any(isinstance(p, UserPromptPart) for p in pending):
        pending.append(UserPromptPart(content=opening_cue))
    if direction:
        pending.append(UserPromptPart(content=direction))
    out.append(ModelRequest(parts=pending))
    return out


def customer_view(
    system: str, messages: Sequence[Message], opening_cue: str, direction: str | None = None
) -> list[ModelMessage]:
    """Return the request history for the customer's next turn (roles reversed).

    Args:
        system: the customer's system prompt.
        messages: the transcript so far.
        opening_cue: stands in for the silence before a line nobody prompted (the customer
            opening the call).
        direction: a one-turn note (mood, off-topic...) added to the last request only.
    """
    return _view(system, messages, Role.customer, opening_cue, direction)


def agent_view(
    system: str, messages: Sequence[Message], opening_cue: str, direction: str | None = None
) -> list[ModelMessage]:
    """Return the request history for the agent's next turn (customer lines are user prompts)."""
    return _view(system, messages, Role.agent, opening_cue, direction)


def response_text(response: ModelResponse) -> str:
    """Return the text parts of a model response, joined and stripped."""
    return "".join(p.content for p in response.parts if isinstance(p, TextPart)).strip()
