"""A pydantic-ai model wrapper that sends every call through an :class:`LLMRun`.

Imports pydantic-ai at module level: import it only after ``require_llm()``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_core import to_jsonable_python

from understudy.llm.cache import cache_key
from understudy.llm.usage import Usage

if TYPE_CHECKING:
    from understudy.llm.run import LLMRun


def _output_of(params: ModelRequestParameters) -> dict[str, Any]:
    fields = ("output_mode", "output_tools", "function_tools", "allow_text_output")
    picked = {name: getattr(params, name, None) for name in fields}
    return dict(to_jsonable_python(picked, fallback=str))


class ManagedModel(WrapperModel):
    """Wraps a model so its calls get the run's cache, budget, limits and retries.

    Args:
        wrapped: the real model.
        run: the run that accounts for the calls.
        label: names the model in messages and cache keys (model string and endpoint).
        usage: the conversation's usage counters.
    """

    def __init__(self, wrapped: Model, *, run: LLMRun, label: str, usage: Usage) -> None:
        super().__init__(wrapped)
        self.run = run
        self.call_label = label
        self.usage = usage

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        """Answer one request: from the replay cache, else from the model (see ``LLMRun``).

        Cache files are read and written on a worker thread, never on the event loop.
        """
        run = self.run
        key = None
        if run.cache is not None:
            key = cache_key(
                self.call_label,
                ModelMessagesTypeAdapter.dump_python(messages, mode="json"),
                to_jsonable_python(dict(model_settings or {}), fallback=str),
                _output_of(model_request_parameters),
            )
            stored = await asyncio.to_thread(run.cache.get, key)
            if stored is not None:
                response = ModelMessagesTypeAdapter.validate_json(stored)[0]
                if isinstance(response, ModelResponse):
                    run.record(self.usage, 0, 0, cached=True)
                    return response
        lease = await run.acquire(self.call_label)
        used = None
        try:
            response = await run.call_with_retries(
                self.call_label,
                self.usage,
                lambda: self.wrapped.request(messages, model_settings, model_request_parameters),
            )
            assert isinstance(response, ModelResponse)
            used = (response.usage.input_tokens, response.usage.output_tokens)
        finally:
            run.release(lease, used)
        run.record(
            self.usage, response.usage.input_tokens, response.usage.output_tokens, cached=False
        )
        if key is not None and run.cache is not None:
            data = ModelMessagesTypeAdapter.dump_json([response])
            await asyncio.to_thread(run.cache.put, key, data)
        return response
