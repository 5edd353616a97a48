"""A local OpenAI-compatible chat server, for tests and benchmarks of LLM-backed runs.

:class:`ChatServer` listens on 127.0.0.1 (loopback only, a free port), answers
``POST /v1/chat/completions`` after a fixed delay, and stops when its ``with`` block ends. What it
answers is up to a ``responder``: a function of the request's JSON returning a :class:`Reply` (a
text, or an HTTP status with a raw body to test failures). Every request is kept in ``requests``,
its model and the moment it arrived in ``arrivals`` (``(model, time.monotonic())``), and the most
requests of each model it was answering at once in ``peak_in_flight`` (what a per-model rate or
concurrency limit is checked against).
Given ``models``, it also lists them at ``GET /v1/models`` (otherwise that route answers 501, as a
server without a listing does); given ``api_key``, any request without that bearer key gets the
401 OpenAI answers.

Example::

    with ChatServer(lambda request: Reply("Hello!"), delay_s=0.2) as server:
        settings = LLMSettings(base_url=server.base_url)
        run = LLMRun(settings)        # model "openai-compatible:tiny" now talks to it
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from understudy.llm.loopback import JSONHandler, LoopbackHTTP


@dataclass
class Reply:
    """One answer of the server.

    Attributes:
        text: the assistant message content (used when ``status`` is 200 and ``body`` is None).
        status: HTTP status to answer with.
        body: a raw body to send instead of a chat completion (e.g. malformed JSON).
        prompt_tokens: reported input tokens.
        completion_tokens: reported output tokens.
        headers: extra response headers (e.g. ``retry-after`` on a 429).
    """

    text: str = ""
    status: int = 200
    body: str | None = None
    prompt_tokens: int = 10
    completion_tokens: int = 5
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[dict[str, Any]], Reply]


def completion(text: str, model: str, prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    """Return an OpenAI chat completion body carrying ``text``."""
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class ChatServer:
    """An OpenAI-compatible server on 127.0.0.1 (see the module docstring).

    Args:
        responder: builds each answer from the request JSON.
        delay_s: seconds to wait before answering each request.
        max_requests: the server answers 503 after this many requests (a safety bound).
        models: model ids listed at ``GET /v1/models``; None: that route answers 501.
        api_key: the bearer key every request must carry (401 otherwise); None: any.
    """

    responder: Responder
    delay_s: float = 0.0
    max_requests: int = 100_000
    models: list[str] | None = None
    api_key: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[tuple[str, float]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    peak_in_flight: dict[str, int] = field(default_factory=dict)
    _loopback: LoopbackHTTP | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give as ``llm.base_url``."""
        assert self._loopback is not None, "start the server first (use it in a with block)"
        return f"{self._loopback.root_url}/v1"

    def __enter__(self) -> ChatServer:
        owner = self

        class Handler(JSONHandler):
            def refused(self) -> bool:
                if owner.api_key is None:
                    return False
                if self.headers.get("Authorization") == f"Bearer {owner.api_key}":
                    return False
                message = "Incorrect API key provided."
                error = {"message": message, "type": "invalid_request_error"}
                self.send_json(401, {"error": {**error, "code": "invalid_api_key"}})
                return True

            def do_GET(self) -> None:
                if self.refused():
                    return
                if owner.models is None or self.path.rstrip("/") != "/v1/models":
                    self.send_json(501, {"error": {"message": "not implemented"}})
                    return
                listed = [{"id": m, "object": "model", "owned_by": "local"} for m in owner.models]
                self.send_json(200, {"object": "list", "data": listed})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.refused():
                    return
                try:
                    request = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    request = {}
                model = str(request.get("model", ""))
                with owner._lock:
                    owner.requests.append(request)
                    owner.arrivals.append((model, time.monotonic()))
                    count = len(owner.requests)
                    now = owner.in_flight[model] = owner.in_flight.get(model, 0) + 1
                    owner.peak_in_flight[model] = max(owner.peak_in_flight.get(model, 0), now)
                try:
                    status, data, headers = self.answer(request, count)
                finally:  # counted until the answer leaves, so a client's next call is not
                    with owner._lock:  # seen overlapping the one it just got back
                        owner.in_flight[model] -= 1
                self.send_bytes(status, data, headers)

            def answer(
                self, request: dict[str, Any], count: int
            ) -> tuple[int, bytes, dict[str, str]]:
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                if count > owner.max_requests:
                    reply = Reply(status=503, body='{"error": "request bound reached"}')
                else:
                    reply = owner.responder(request)
                if reply.body is not None:
                    return reply.status, reply.body.encode(), reply.headers
                body = completion(
                    reply.text,
                    str(request.get("model", "local")),
                    reply.prompt_tokens,
                    reply.completion_tokens,
                )
                return reply.status, json.dumps(body).encode(), reply.headers

        self._loopback = LoopbackHTTP(Handler)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loopback is not None:
            self._loopback.close()
