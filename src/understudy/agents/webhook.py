"""An agent behind an HTTP webhook: each customer turn is POSTed, the reply is read from the JSON.

Default shapes are those of Rasa's REST channel::

    POST <url>   {"sender": "<conversation id>", "message": "<customer text>"}
    200          [{"recipient_id": "...", "text": "Hi! How can I help?"}, ...]

Several reply items are joined with a newline. Every part is configurable
(:class:`WebhookOptions`): the request fields (dotted paths, so ``{"data": {"text": ...}}`` works),
the reply path (``[*].text`` by default; ``reply``, ``choices[0].message.content``...), headers,
timeout and retries.

Fallback detection, for black-box bots: a reply that carries a true ``is_fallback`` field (path
``fallback_path``, default ``[*].is_fallback``) is a fallback; when the bot reports no such field,
a reply matching one of ``fallback_phrases`` (fuzzy, :mod:`understudy.matching`) or
``fallback_patterns`` (regular expressions) is. ``end_path`` optionally names a field that, when
true, means the bot ended the conversation.

Failures raise :class:`WebhookError` with a message that names the URL and what went wrong: an
HTTP status of 400 or more (500s are retried ``retries`` times first), a redirect (3xx: reported
with where it points, never followed, since the bot's real address belongs in ``--agent``), no
complete answer within ``timeout_s`` seconds (connecting, sending and reading the whole body: a
bot that drips a byte at a time is cut off too), a body larger than ``max_reply_bytes``, a
connection error, a body that is not JSON, a JSON body without the reply at ``reply_path``, or an
empty list (``[]``: the bot sent no reply at all). The engine turns the error into an ``error``
ending of that conversation only; the batch goes on.

Credentials in the URL (``https://user:password@host/...``, ``?token=...``) are used for the
request only: messages, the run's agent reference and its snapshot show the URL through
:func:`understudy.redaction.redact_url`.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from understudy.engine.seams import Agent, AgentTurn, ConversationState
from understudy.errors import UnderstudyError
from understudy.matching import best_match
from understudy.redaction import redact_text, redact_url

DEFAULT_FALLBACK_PHRASES = [
    "sorry, I didn't get that",
    "I didn't understand",
    "I did not understand",
    "could you rephrase",
    "can you rephrase",
    "I'm not sure I understand",
    "I don't understand",
]
"""Phrases that mark a fallback re-prompt when the bot does not report ``is_fallback``."""


class WebhookError(UnderstudyError):
    """The webhook failed: bad status, timeout, connection error, malformed or unexpected JSON."""


class WebhookOptions(BaseModel):
    """How to talk to a webhook bot (unknown keys are errors).

    Attributes:
        url: the endpoint (``http://`` or ``https://``).
        headers: extra request headers (e.g. ``Authorization``).
        sender_field: dotted path of the conversation id in the request body.
        message_field: dotted path of the customer text in the request body.
        extra_body: fields added to every request body.
        reply_path: path of the reply text(s) in the response: dotted keys, ``[n]`` indexes and
            ``[*]`` for every item of a list.
        fallback_path: path of a boolean fallback flag in the response.
        end_path: path of a boolean "conversation ended" flag in the response, if any.
        fallback_phrases: fuzzy phrases that mark a fallback when no flag is reported.
        fallback_patterns: regular expressions (case-insensitive) that mark a fallback.
        start_message: what to send when the agent speaks first (there is no customer text yet).
        timeout_s: seconds per request, from connecting to the last byte of the reply.
        max_reply_bytes: the largest reply body read, in bytes (1 MB by default; a chat reply
            is rarely above a few kB).
        retries: extra attempts after a 5xx, a timeout or a connection error.
        backoff_s: wait before the first retry; doubled on each further retry.
    """

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    headers: dict[str, str] = Field(default_factory=dict)
    sender_field: str = "sender"
    message_field: str = "message"
    extra_body: dict[str, Any] = Field(default_factory=dict)
    reply_path: str = "[*].text"
    fallback_path: str = "[*].is_fallback"
    end_path: str | None = None
    fallback_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_FALLBACK_PHRASES))
    fallback_patterns: list[str] = Field(default_factory=list)
    start_message: str = "hello"
    timeout_s: float = Field(default=10.0, gt=0)
    max_reply_bytes: int = Field(default=1_000_000, gt=0)
    retries: int = Field(default=1, ge=0, le=10)
    backoff_s: float = Field(default=0.2, ge=0)

    @field_validator("fallback_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for i, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                message = f"item {i}: {pattern!r} is not a regular expression ({exc})"
                raise ValueError(message) from exc
        return patterns


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\*|-?\d+)\]")
_MISSING = object()


def json_path(data: Any, path: str) -> list[Any]:
    """Return every value at ``path`` in ``data`` (empty when nothing is there).

    Args:
        data: parsed JSON.
        path: dotted keys with ``[n]`` indexes and ``[*]`` wildcards, e.g. ``[*].text`` or
            ``choices[0].message.content``; an empty path is the whole document.
    """
    current = [data]
    for key, index in _TOKEN.findall(path):
        following: list[Any] = []
        for item in current:
            if key:
                if isinstance(item, dict) and key in item:
                    following.append(item[key])
            elif index == "*":
                if isinstance(item, list):
                    following.extend(item)
            elif isinstance(item, list):
                position = int(index)
                if -len(item) <= position < len(item):
                    following.append(item[position])
        current = following
    return current


def _set_path(body: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    target = body
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


class WebhookAgent(Agent):
    """An agent that forwards each customer turn to a webhook (see the module docstring).

    Args:
        options: URL, shapes, timeout, retries, fallback detection.
        client: a shared ``httpx.AsyncClient``; the agent makes (and closes) its own when None.
        sleep: the backoff wait (tests pass a fast one).
    """

    name = "http"

    def __init__(
        self,
        options: WebhookOptions,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Any = asyncio.sleep,
    ) -> None:
        self.options = options
        self._client = client
        self._owns_client = client is None
        self._sleep = sleep
        self._patterns = [re.compile(p, re.IGNORECASE) for p in options.fallback_patterns]

    async def respond(self, state: ConversationState) -> AgentTurn:
        """POST the customer's last turn and return the bot's reply.

        Raises:
            WebhookError: see the module docstring.
        """
        last = state.last_customer_message
        text = last.text if last is not None else self.options.start_message
        body = dict(self.options.extra_body)
        _set_path(body, self.options.sender_field, state.conversation_id)
        _set_path(body, self.options.message_field, text)
        data = await self._post(body)
        return self._reply(data)

    @property
    def shown_url(self) -> str:
        """The URL as printed and stored (credentials masked)."""
        return redact_url(self.options.url)

    async def _post(self, body: dict[str, Any]) -> Any:
        options = self.options
        if self._client is None:
            self._client = httpx.AsyncClient()
        attempts = options.retries + 1
        failure = ""
        for attempt in range(attempts):
            retry = True
            try:
                async with asyncio.timeout(options.timeout_s):
                    status, reason, location, content = await self._exchange(body)
            except TimeoutError:
                failure = f"no complete answer within timeout_s={options.timeout_s:g} s"
            except httpx.HTTPError as exc:
                failure = f"connection failed: {type(exc).__name__}: {exc}"
            except WebhookError as exc:
                failure, retry = str(exc), False
            else:
                if 300 <= status < 400:
                    where = redact_url(location) if location else "nowhere (no Location header)"
                    failure = (
                        f"redirected (HTTP {status} {reason}) to {where}; redirects are not "
                        "followed: give the address it points to as the agent"
                    )
                    retry = False
                elif status < 400:
                    return self._parse(content)
                else:
                    shown = content[:200].decode("utf-8", "replace")
                    failure = f"HTTP {status} {reason}: {shown!r}"
                    retry = status >= 500
            if not retry:
                break
            if attempt + 1 < attempts:
                await self._sleep(options.backoff_s * 2**attempt)
        tries = f" after {attempt + 1} attempts" if attempt > 0 else ""
        message = f"webhook {self.shown_url} failed{tries}: {failure}"
        raise WebhookError(redact_text(message, options.url))

    async def _exchange(self, body: dict[str, Any]) -> tuple[int, str, str, bytes]:
        """POST ``body``; return status, reason, Location header and the body (size-capped).

        Raises:
            WebhookError: the body is larger than ``max_reply_bytes``.
            httpx.HTTPError: the request failed.
        """
        assert self._client is not None
        options = self.options
        request = self._client.build_request(
            "POST", options.url, json=body, headers=options.headers, timeout=options.timeout_s
        )
        response = await self._client.send(request, stream=True, follow_redirects=False)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > options.max_reply_bytes:
                raise WebhookError(self._too_big(f"{int(declared):,} bytes announced"))
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content.extend(chunk)
                if len(content) > options.max_reply_bytes:
                    raise WebhookError(self._too_big("more was sent"))
        finally:
            await response.aclose()
        location = response.headers.get("location", "")
        return response.status_code, response.reason_phrase, location, bytes(content)

    def _too_big(self, seen: str) -> str:
        limit = self.options.max_reply_bytes
        return (
            f"reply larger than max_reply_bytes={limit:,} ({seen}); raise it in the webhook options"
        )

    def _parse(self, content: bytes) -> Any:
        try:
            return json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            shown = content[:200].decode("utf-8", "replace")
            raise WebhookError(
                f"webhook {self.shown_url} sent malformed JSON ({exc}): {shown!r}"
            ) from exc

    def _reply(self, data: Any) -> AgentTurn:
        options = self.options
        texts = [t for t in json_path(data, options.reply_path) if t is not None]
        if not all(isinstance(t, str) for t in texts):
            raise WebhookError(
                f"webhook {self.shown_url}: expected text at {options.reply_path!r}, "
                f"got {json.dumps(texts)[:200]}"
            )
        if isinstance(data, list) and not data:
            raise WebhookError(f"webhook {self.shown_url}: no reply (the bot sent an empty list)")
        if not texts:
            raise WebhookError(
                f"webhook {self.shown_url}: no reply at {options.reply_path!r} in "
                f"{json.dumps(data)[:200]}"
            )
        text = "\n".join(texts)
        flags = json_path(data, options.fallback_path)
        if flags:
            fell_back = any(flag is True for flag in flags)
        else:
            fell_back = bool(text) and (
                any(p.search(text) for p in self._patterns)
                or best_match(options.fallback_phrases, text) is not None
            )
        ended = bool(options.end_path) and any(
            flag is True for flag in json_path(data, options.end_path or "")
        )
        meta: dict[str, Any] = {"replies": len(texts), "fallback_reported": bool(flags)}
        return AgentTurn(text=text, fell_back=fell_back, ended=ended, meta=meta)

    async def aclose(self) -> None:
        """Close the HTTP client if the agent made it."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
