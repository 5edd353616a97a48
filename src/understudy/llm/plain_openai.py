"""An OpenAI client that sends plain chat requests without the SDK's per-request type walk.

The OpenAI SDK's ``chat.completions.create`` passes every request body through its
``async_maybe_transform``, which walks the body against the request's TypedDict annotations
(every message against every message type of a union) to rename aliased keys and format dates
and files. A chat request made only of text messages and scalar settings has none of those, so
the walk returns the body unchanged, at about 1.2 ms of CPU per call for a ten-message
conversation: more than a third of the client's CPU per call in an LLM-backed batch.

``PlainChatOpenAI`` is an ``AsyncOpenAI`` whose ``chat.completions.create`` sends such a plain
request as it is, through the SDK's own ``_post`` with the same options (headers, auth, timeout,
retries, error statuses) and reads the answer with one pydantic validation (falling back to the
SDK's lenient reading for an answer that does not conform); anything else (streaming, tools, a
response format, non-text content, any non-scalar setting) goes through the SDK unchanged.
``tests/test_plain_openai.py`` checks that both paths put the same JSON on the wire.

Sending as it is uses two of the SDK's internals (``openai._base_client.make_request_options``
and the resource's ``_post``), tested with the openai releases the ``llm`` extra allows. Should
a release move them, every request goes through the SDK's own ``create`` (correct, only slower):
``REQUEST_OPTIONS`` is None then.

:func:`http_client` gives the clients an aiohttp transport (the SDK's ``DefaultAioHttpClient``):
in an LLM-backed batch it takes about a third less CPU per call than the SDK's default httpx
pool, which checks every idle connection on each request (``docs/scale.md``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any

import httpx2
from openai import NOT_GIVEN, AsyncOpenAI, NotGiven, Omit
from openai.resources.chat import AsyncChat
from openai.resources.chat.completions import AsyncCompletions
from openai.types.chat import ChatCompletion
from pydantic import ValidationError


def sdk_internals() -> Callable[..., Any] | None:
    """Return the SDK's ``make_request_options`` when it and ``_post`` are where expected.

    None means this openai release moved them, and plain requests take the SDK's own path.
    """
    try:
        from openai._base_client import make_request_options
    except ImportError:
        return None
    if not callable(getattr(AsyncOpenAI, "post", None)):  # what a resource's ``_post`` is
        return None
    return make_request_options


REQUEST_OPTIONS = sdk_internals()
"""The SDK's request-options builder, or None: every request then goes through the SDK."""

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
        if name in _OPTIONS or isinstance(value, (NotGiven, Omit)):
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


def read_completion(content: bytes) -> ChatCompletion:
    """Read a chat completion answer (JSON bytes) as the SDK's ``ChatCompletion``.

    A conforming answer is validated by pydantic in one pass (about 0.1 ms less than the SDK's
    field-by-field reading); one that does not conform (a server leaving out a field, or using
    its own values) is read leniently, field by field, as the SDK itself reads every answer.

    Raises:
        ValueError: the body is not JSON (``json.JSONDecodeError``).
    """
    try:
        return ChatCompletion.model_validate_json(content)
    except ValidationError:
        return ChatCompletion.construct(**json.loads(content))


class PlainCompletions(AsyncCompletions):
    """``chat.completions`` sending plain requests as they are (see the module docstring)."""

    async def create(self, **params: Any) -> Any:
        """Create a chat completion (the SDK's ``create``; plain requests skip its transform)."""
        make_options = REQUEST_OPTIONS
        body = plain_body(params) if make_options is not None else None
        if make_options is None or body is None or "messages" not in body or "model" not in body:
            return await super().create(**params)
        options = make_options(
            extra_headers=params.get("extra_headers"),
            extra_query=params.get("extra_query"),
            extra_body=params.get("extra_body"),
            timeout=params.get("timeout", NOT_GIVEN),
            security={"bearer_auth": True},
        )
        response = await self._post(
            "/chat/completions",
            body=body,
            options=options,
            cast_to=httpx2.Response,
            stream=False,
        )
        return read_completion(response.content)


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


def http_client(timeout_s: float) -> Any | None:
    """Return the SDK's aiohttp-backed HTTP client, or None to keep its default httpx one.

    The client is closed with its OpenAI client (``await client.close()``, which ``LLMRun.aclose``
    does). One dropped without closing lets its connections go at once, quietly (the SDK's httpx
    client is as forgiving).

    Args:
        timeout_s: the client's default timeout in seconds (each call also passes its own).

    Returns:
        a subclass of ``openai.DefaultAioHttpClient`` when the SDK offers it and aiohttp is
        installed (the ``llm`` extra installs both); None otherwise, and the client keeps the
        SDK's default.
    """
    try:
        from openai import DefaultAioHttpClient
    except ImportError:  # an SDK release without the aiohttp transport
        return None
    try:
        return _self_closing(DefaultAioHttpClient)(timeout=timeout_s)
    except RuntimeError:  # the SDK's own signal that aiohttp is not installed
        return None


@lru_cache(maxsize=2)
def _self_closing(base: type[Any]) -> type[Any]:
    """``base`` (the SDK's aiohttp client class) closing its session when dropped unclosed."""

    class SelfClosingAioHttpClient(base):  # type: ignore[misc]
        def __del__(self) -> None:
            session: Any = getattr(getattr(self, "_transport", None), "client", None)
            if getattr(session, "closed", True):
                return
            # Closed now, not in a task: the session is garbage too, and its own finaliser
            # would complain before a task ran.
            connector = session.connector
            session.detach()  # the session counts as closed: no "Unclosed client session"
            close_now = getattr(connector, "_close", None)
            if callable(close_now) and not connector.closed:
                close_now()  # what aiohttp itself does when dropping an open connector

    return SelfClosingAioHttpClient
