"""Run a bot's own Python code where a hang or an exit cannot reach the batch.

A Python callable under test may block in plain code (``time.sleep``, a socket read that never
returns, an endless loop), in a sync or an async function, or try to stop the program
(``sys.exit()``, ``raise KeyboardInterrupt``, ``os._exit(3)``). None of that may hold up or end the
batch, so:

- a **sync** function runs in a fresh daemon thread per call (``call_sync_isolated``); the
  caller awaits an asyncio future that the thread resolves. When the engine's per-turn timeout
  cancels the wait, the thread is abandoned: nothing joins it, and being a daemon it never keeps
  the program from exiting (unlike ``asyncio.to_thread``, whose pool ``asyncio.run`` waits for);
- an **async** function runs on an event loop of its own (``call_async_isolated``), one per
  function (the least recently used idle one ends past ``MAX_LOOPS``), in a daemon thread, so
  a coroutine that blocks stalls only that loop, never the engine's. Calls made while it is
  stalled time out in turn; if it ever frees itself, it serves calls again;
- ``BaseException`` raised by the bot (``SystemExit``, ``KeyboardInterrupt``, ``GeneratorExit``)
  is caught in its thread and re-raised in the engine as ``BotCrashed``, an ordinary exception
  that ends one conversation with ``error``;
- ``os._exit`` is wrapped once, on first use: called from a bot's thread in this process, it
  raises ``BotCrashed`` in that thread instead of ending the process; from any other thread, or in
  a child process, it is the original function.

What threads cannot stop: an endless loop in pure Python (abandoned, it keeps competing for the
interpreter lock), and a bot that kills its own process (``os.kill(os.getpid(), 9)``,
``os.abort()``, a crash in C code), which ends the run. Bots given as ``module:function`` therefore
run in worker processes by default (``understudy.agents.bot_process``); threads serve functions
that cannot be imported by name, and users who choose ``callable.isolation: thread``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

from understudy.errors import UnderstudyError

_bot_thread = threading.local()
_guard_lock = threading.Lock()
_original_exit: Callable[[int], NoReturn] | None = None
_guard_pid: int | None = None


class BotCrashed(UnderstudyError):
    """The bot tried to stop the program (``sys.exit``, ``os._exit``...) or its worker process died.

    Raised in the engine, it ends that conversation with ``error`` and this message.
    """


def _guarded_exit(status: int) -> NoReturn:
    if getattr(_bot_thread, "active", False) and os.getpid() == _guard_pid:
        raise BotCrashed(f"the bot called os._exit({status}); a bot cannot end the run")
    assert _original_exit is not None
    _original_exit(status)


def _install_exit_guard() -> None:
    """Wrap ``os._exit`` so a bot's thread cannot end the process (idempotent)."""
    global _original_exit, _guard_pid
    with _guard_lock:
        if _original_exit is None:
            _original_exit = os._exit
            _guard_pid = os.getpid()
            os._exit = _guarded_exit


def _describe(exc: BaseException, source: str) -> str:
    if isinstance(exc, SystemExit):
        return f"{source} called sys.exit({exc.code!r}); a bot cannot end the run"
    if isinstance(exc, KeyboardInterrupt):
        return f"{source} raised KeyboardInterrupt; a bot cannot end the run"
    return f"{source} raised {type(exc).__name__}: {exc}"


def _deliver(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # the engine gave up waiting (timeout or cancellation)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _bot_error(exc: BaseException, source: str) -> BaseException:
    """Ordinary exceptions pass through unchanged; process-ending ones become ``BotCrashed``."""
    if isinstance(exc, Exception):
        return exc
    return BotCrashed(_describe(exc, source))


async def call_sync_isolated(
    function: Callable[..., Any], messages: list[Any], kwargs: dict[str, Any], source: str
) -> Any:
    """Call a sync function in a daemon thread of its own and await its return value.

    If it returns an awaitable, that is awaited on the function's own event loop (as an async
    function's coroutine would be).

    Args:
        function: the bot.
        messages: its first argument, the conversation so far.
        kwargs: extra keyword arguments (``conversation_id``).
        source: how to name the bot in messages.

    Returns:
        Whatever the function returned.

    Raises:
        BotCrashed: the function raised ``SystemExit``, ``KeyboardInterrupt`` or called
            ``os._exit``.
        Exception: whatever ordinary exception the function raised.
    """
    _install_exit_guard()
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def work() -> None:
        _bot_thread.active = True
        value: Any = None
        error: BaseException | None = None
        try:
            value = function(messages, **kwargs)
        except BaseException as exc:
            error = _bot_error(exc, source)
        with contextlib.suppress(RuntimeError):  # the engine loop closed meanwhile
            loop.call_soon_threadsafe(_deliver, future, value, error)

    threading.Thread(target=work, name=f"bot {source}", daemon=True).start()
    value = await future
    if asyncio.iscoroutine(value):
        return await _loop_for(function).run(value, source)
    return value


async def call_async_isolated(
    function: Callable[..., Any], messages: list[Any], kwargs: dict[str, Any], source: str
) -> Any:
    """Await an async function on its own event loop, in a daemon thread.

    Args and Raises: as ``call_sync_isolated``.
    """
    _install_exit_guard()
    bot_loop = _loop_for(function)
    return await bot_loop.run(function(messages, **kwargs), source)


class _BotLoop:
    """An event loop running forever in a daemon thread, for one async bot function."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.running = 0  # calls scheduled and not finished (counted on both threads)
        self._count = threading.Lock()
        self.thread = threading.Thread(target=self._serve, name=f"bot loop {name}", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        _bot_thread.active = True
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        self.loop.close()

    @property
    def idle(self) -> bool:
        """True when no call of this loop is under way (a cancelled one that still runs counts)."""
        return self.running == 0

    def _started(self, change: int) -> None:
        with self._count:
            self.running += change

    def close(self) -> None:
        """Stop the loop and end its thread (only call when idle)."""
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def run(self, coroutine: Coroutine[Any, Any, Any], source: str) -> Any:
        engine_loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = engine_loop.create_future()

        async def guarded() -> None:
            value: Any = None
            error: BaseException | None = None
            try:
                value = await coroutine
            except asyncio.CancelledError:
                error = BotCrashed(f"{source} was cancelled")
            except BaseException as exc:
                error = _bot_error(exc, source)
            finally:
                self._started(-1)
            with contextlib.suppress(RuntimeError):  # the engine loop closed meanwhile
                engine_loop.call_soon_threadsafe(_deliver, future, value, error)

        self._started(+1)
        handle = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        try:
            return await future
        except asyncio.CancelledError:
            handle.cancel()  # takes effect at the coroutine's next await, if it ever gets there
            raise


MAX_LOOPS = 64
"""Event loops kept for async bot functions; past it, the least recently used idle one ends
(so a long-lived process that plays many different functions keeps a bounded set of threads)."""

_loops: OrderedDict[int, tuple[Callable[..., Any], _BotLoop]] = OrderedDict()
_loops_lock = threading.Lock()


def _loop_for(function: Callable[..., Any]) -> _BotLoop:
    """The event loop that runs ``function``'s coroutines (made on first use)."""
    key = id(function)
    with _loops_lock:
        if key in _loops:
            _loops.move_to_end(key)
            return _loops[key][1]
        # the function is kept with its loop, so its id stays unique while the loop lives
        made = _BotLoop(getattr(function, "__qualname__", "bot"))
        _loops[key] = (function, made)
        idle = [k for k, (_, loop) in _loops.items() if k != key and loop.idle]
        for old in idle[: max(0, len(_loops) - MAX_LOOPS)]:
            _loops.pop(old)[1].close()
        return made
