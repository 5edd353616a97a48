"""An agent that is a Python function: ``--agent mypackage.bot:reply``.

The function is called once per agent turn with the conversation so far, a list of
:class:`understudy.domain.transcript.Message` (oldest first; empty when the agent opens; each has
``role`` (``customer``/``agent``), ``text``, ``index``...). When the function also accepts a
``conversation_id`` keyword, it gets the conversation's id too (to key its own state). It may be
sync or async, and returns one of:

- a ``str``: the reply;
- a ``dict`` with ``text`` and optionally ``fell_back``, ``ended``, ``outcome``, ``meta``;
- an :class:`understudy.engine.seams.AgentTurn`.

Anything else returned, or an exception raised, ends that conversation with ``error`` and the
reason.

A bot under test is buggy by definition, so the function never runs on the engine's event loop.
By default (``isolation="auto"``) a function importable by name (``module:function``, as the
command line names it) runs in a worker process (``understudy.agents.bot_process``): one per
conversation at a time, reused by later conversations while healthy. A call that blocks or loops
forever is killed at the engine's per-turn timeout (``agent_timeout_s``); a bot that exits, aborts,
kills its process, segfaults or runs past its memory cap (``memory_mb``) ends only its
conversation, with ``error`` and how its worker died. Module-level state lives in the worker: key
it by ``conversation_id``, not by the order of calls across conversations.

``isolation="thread"`` (and "auto" for a lambda or nested function, which cannot be imported by a
worker) runs the function in this process instead (see ``understudy.agents.isolation``): a sync
function in a fresh daemon thread per call, an async one on an event loop of its own. A blocking
call is abandoned at the timeout, and ``sys.exit()``, ``SystemExit``, ``KeyboardInterrupt`` and
``os._exit()`` from the bot's thread end only its conversation; an endless loop keeps its thread
spinning, and a bot that kills the process (``os.kill``, a crash in C code) takes the run down
(the next start marks that run interrupted).

Example::

    def reply(messages, conversation_id=None):
        if not messages:
            return "Hello! How can I help?"
        if "refund" in messages[-1].text.lower():
            return {"text": "Your refund is on its way.", "ended": True, "outcome": "completed"}
        return {"text": "Sorry, I didn't get that.", "fell_back": True}
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, Literal

from pydantic import ValidationError

from understudy.agents import bot_process
from understudy.agents.isolation import call_async_isolated, call_sync_isolated
from understudy.engine.seams import Agent, AgentTurn, ConversationState
from understudy.errors import ConfigError, UnderstudyError


class CallableAgentError(UnderstudyError):
    """The function returned something that is not a reply."""


def load_callable(target: str) -> Callable[..., Any]:
    """Import ``module:function`` (the function part may be dotted: ``module:Class.method``).

    Raises:
        ConfigError: the module cannot be imported, the attribute is missing or not callable.
    """
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ConfigError(f"expected module:function, got {target!r}")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {module_name!r} for agent {target!r}: {exc}") from exc
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ConfigError(f"{module_name!r} has no attribute {attr!r} (agent {target!r})")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ConfigError(f"{target!r} is a {type(obj).__name__}, not a function")
    return obj  # type: ignore[no-any-return]


def _accepts_conversation_id(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return "conversation_id" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def to_agent_turn(value: Any, source: str) -> AgentTurn:
    """Turn a function's return value into an ``AgentTurn``.

    Raises:
        CallableAgentError: not a str, dict with ``text``, or AgentTurn.
    """
    if isinstance(value, AgentTurn):
        return value
    if isinstance(value, str):
        return AgentTurn(text=value)
    if isinstance(value, dict):
        try:
            return AgentTurn.model_validate(value)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "reply"
            raise CallableAgentError(
                f"{source} returned a dict that is not a reply ({where}: {problem['msg']}); "
                "expected keys text, fell_back, ended, outcome, meta"
            ) from exc
    raise CallableAgentError(
        f"{source} returned {type(value).__name__} {value!r:.100}; expected str, dict or AgentTurn"
    )


Isolation = Literal["auto", "process", "thread"]


class CallableAgent(Agent):
    """Calls a Python function for every agent turn (see the module docstring).

    Args:
        function: the function.
        source: how to name it in messages (``module:function``).
        isolation: ``process`` (a worker process, killed on timeout), ``thread`` (this process)
            or ``auto``: ``process`` when the function can be imported by name, else ``thread``.
        memory_mb: a worker's address-space cap in MiB (None: no cap); process isolation only.
        max_reply_bytes: the largest reply a worker may send, in bytes (``ReplyTooLarge``
            beyond it); process isolation only (a thread's reply is not copied).
        reference: the name a worker imports the function by (``module:function``); found from
            the function when None.

    Raises:
        ConfigError: ``isolation="process"`` for a function that cannot be imported by name.
    """

    name = "callable"

    def __init__(
        self,
        function: Callable[..., Any],
        source: str = "",
        *,
        isolation: Isolation = "auto",
        memory_mb: int | None = bot_process.DEFAULT_MEMORY_MB,
        max_reply_bytes: int = bot_process.DEFAULT_MAX_REPLY_BYTES,
        reference: str | None = None,
    ) -> None:
        self.function = function
        self.source = source or getattr(function, "__qualname__", repr(function))
        self._pass_id = _accepts_conversation_id(function)
        self._is_async = inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
            getattr(function, "__call__", None)  # noqa: B004 - async callable objects
        )
        self.reference = reference or bot_process.reference_of(function)
        if isolation == "process" and self.reference is None:
            raise ConfigError(
                f"{self.source} cannot run in a worker process: it is not importable by name "
                "(a lambda, a nested function or a function of __main__); define it at module "
                "level or use thread isolation"
            )
        self.isolation = "process" if isolation == "auto" and self.reference else isolation
        if self.isolation == "auto":
            self.isolation = "thread"
        self.memory_mb = memory_mb
        self.max_reply_bytes = max_reply_bytes
        self._worker: bot_process.BotWorker | None = None

    async def respond(self, state: ConversationState) -> AgentTurn:
        """Call the function with the transcript so far and return its reply.

        Raises:
            CallableAgentError: the function returned something that is not a reply.
            BotCrashed: the bot tried to stop the program, or its worker process died.
        """
        messages = list(state.messages)
        kwargs = {"conversation_id": state.conversation_id} if self._pass_id else {}
        if self.isolation == "process" and self.reference is not None:
            if self._worker is None or not self._worker.alive:
                self._worker = bot_process.acquire(self.reference, self.memory_mb)
            value = await self._worker.call(messages, kwargs, self.source, self.max_reply_bytes)
        elif self._is_async:
            value = await call_async_isolated(self.function, messages, kwargs, self.source)
        else:
            value = await call_sync_isolated(self.function, messages, kwargs, self.source)
        return to_agent_turn(value, self.source)

    async def aclose(self) -> None:
        """Give the conversation's worker back for the next one (killed if busy or dead)."""
        if self._worker is not None:
            bot_process.release(self._worker)
            self._worker = None
