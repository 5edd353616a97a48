"""An OpenAI client that sends plain chat requests without the SDK's per-request type walk.

The OpenAI SDK's ``chat.completions.create`` passes every request body through its
``async_maybe_transform``, which walks the body against the request's TypedDict annotations
(every message against every message type of a union) to rename aliased keys and format dates
and files. A chat request made only of text messages and scalar settings has none of those, so
the walk returns the body unchanged, at about 1.2 ms of CPU per call for a ten-message
conversation: more than a third of the client's CPU per call in an LLM-backed batch.

``PlainChatOpenAI`` is an ``AsyncOpenAI`` whose ``chat.completions.create`` sends such a plain
request as it is, through the SDK's own ``_post`` with the same options (headers, auth, timeout,
retries, response parsing); anything else (streaming, tools, a response format, non-text
content, any non-scalar setting) goes through the SDK unchanged.
``tests/test_plain_openai.py`` checks that both paths put the same JSON on the wire.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from openai import NOT_GIVEN, AsyncOpenAI, AsyncStream
from openai._base_client import make_request_options
from openai._utils import is_given
from openai.resources.chat import AsyncChat
from openai.resources.chat.completions import AsyncCompletions
from openai.types.chat import ChatCompletion, ChatCompletionChunk

_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")
_SCALARS = (str, int, float, bool)


def plain_body(params: dict[str, Any]) -> dict[str, Any] | None:
    """Return the request body of ``create(**params)`` when it needs no transform, else None.

    Plain means: not streamed; every message a mapping of text fields; every other given
    parameter a scalar (str, int, float, bool). The SDK's transform leaves such a body as it is.
    """
    if params.get("stream"):
        return None
    body: dict[str, Any] = {}
    for name, value in params.items():
        if name in _OPTIONS or not is_given(value):
            continue
        if name == "messages":
            if not isinstance(value, list) or not all(
                isinstance(m, dict) and all(isinstance(v, str) for v in m.values()) for m in value
            ):
                return None
        elif value is not None and not isinstance(value, _SCALARS):
            return None
        body[name] = value
    return body


class PlainCompletions(AsyncCompletions):
    """``chat.completions`` sending plain requests as they are (see the module docstring)."""

    async def create(self, **params: Any) -> Any:
        """Create a chat completion (the SDK's ``create``; plain requests skip its transform)."""
        body = plain_body(params)
        if body is None or "messages" not in body or "model" not in body:
            return await super().create(**params)
        options = make_request_options(
            extra_headers=params.get("extra_headers"),
            extra_query=params.get("extra_query"),
            extra_body=params.get("extra_body"),
            timeout=params.get("timeout", NOT_GIVEN),
            security={"bearer_auth": True},
        )
        return await self._post(
            "/chat/completions",
            body=body,
            options=options,
            cast_to=ChatCompletion,
            stream=False,
            stream_cls=AsyncStream[ChatCompletionChunk],
        )


class PlainChat(AsyncChat):
    """``chat`` whose ``completions`` are ``PlainCompletions``."""

    @cached_property
    def completions(self) -> AsyncCompletions:
        """Chat completions, plain requests sent as they are."""
        return PlainCompletions(self._client)


class PlainChatOpenAI(AsyncOpenAI):
    """An ``AsyncOpenAI`` client whose plain chat requests skip the SDK's body transform."""

    @cached_property
    def chat(self) -> AsyncChat:
        """Chat resources (``chat.completions`` is ``PlainCompletions``)."""
        return PlainChat(self)
