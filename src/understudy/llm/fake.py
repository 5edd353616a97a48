"""A fake model for tests: pydantic-ai's ``FunctionModel`` answering with queued replies.

``FakeModel`` is a real pydantic-ai model (no network), so everything built on the LLM layer
(the LLM user simulator, the LLM grader, LLM agents, ``LLMRun`` with its cache and usage) runs
unchanged against it::

    model = FakeModel("Hi, I want a refund.", "Order 123.")
    model.enqueue("Thanks, bye. [END goal_met]")
    simulator = make_simulator("llm", persona, scenario, rng, llm_model=model)

A reply is a text, a mapping (the arguments of the output tool, for structured output such as
a grade), or a callable ``(messages, info) -> reply``. Every request is kept in ``requests``.
When the queue is empty the model repeats ``default``, or fails with a message saying how many
replies were used, when no default was given.

Needs the ``llm`` extra (pydantic-ai).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

Reply: TypeAlias = str | Mapping[str, Any] | Callable[[list[ModelMessage], AgentInfo], Any]
"""What the model answers: text, output-tool arguments, or a function of the request."""


class FakeModelExhausted(AssertionError):
    """The fake model was asked for more replies than were queued (and has no default)."""


class FakeModel(FunctionModel):
    """A pydantic-ai model that answers with queued replies (see the module docstring).

    Args:
        *replies: the first replies, in order.
        default: the reply once the queue is empty; None fails instead.
        model_name: the name the model reports (and ``LLMRun`` labels calls with).

    Attributes:
        requests: the messages of every request, in order.
    """

    def __init__(self, *replies: Reply, default: Reply | None = None, model_name: str = "fake"):
        self.queue: deque[Reply] = deque(replies)
        self.default = default
        self.requests: list[list[ModelMessage]] = []
        super().__init__(self._answer, model_name=model_name)

    def enqueue(self, *replies: Reply) -> None:
        """Add replies at the end of the queue."""
        self.queue.extend(replies)

    @property
    def calls(self) -> int:
        """How many requests the model answered."""
        return len(self.requests)

    def _answer(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self.requests.append(list(messages))
        if self.queue:
            reply = self.queue.popleft()
        elif self.default is not None:
            reply = self.default
        else:
            raise FakeModelExhausted(
                f"the fake model was asked for reply {self.calls} but only {self.calls - 1} "
                "were queued: enqueue more, or give a default"
            )
        if callable(reply):
            reply = reply(messages, info)
        if isinstance(reply, ModelResponse):
            return reply
        if isinstance(reply, str):
            return ModelResponse(parts=[TextPart(reply)])
        if not info.output_tools:
            raise TypeError(
                "a mapping reply is the arguments of an output tool, but this request has none"
            )
        tool = info.output_tools[0].name
        return ModelResponse(parts=[ToolCallPart(tool, json.dumps(dict(reply)))])
