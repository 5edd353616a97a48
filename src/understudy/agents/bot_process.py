"""Run a Python bot in a worker process that can be killed: endless loops, crashes, memory leaks.

Threads (``understudy.agents.isolation``) abandon a call that blocks, but cannot stop an endless
loop in pure Python (it keeps competing for the interpreter lock) nor survive a bot that kills
its process (``os.kill(os.getpid(), 9)``, ``os.abort()``, a segfault in C code, ``os._exit``
from another thread). So, by default, a ``module:function`` bot runs in a worker process:

- a worker is a ``multiprocessing`` process started by the ``forkserver`` method (``spawn``
  where there is none): a small server process, started once, imports the bot protocol's modules
  and forks a clean worker for each new conversation (no threads of this program are copied);
- the worker imports the function by name (``module:function``, with this program's
  ``sys.path``), answers ``ready``, then serves one call at a time over a ``multiprocessing``
  pipe: the request is the conversation so far and the keyword arguments, the reply the
  function's return value (an async function, or an awaitable returned, is awaited on the
  worker's own event loop);
- one conversation keeps one worker from its first agent turn to its end, so state a bot keys by
  ``conversation_id`` in its module stays with it. A worker is handed to the next conversation
  only when its conversation ended with it idle and healthy, and only while the bot's module
  file is unchanged (an edited bot gets fresh workers); at most ``MAX_IDLE`` idle workers are
  kept in all;
- when the engine's per-turn timeout cancels a call, the worker is killed (``SIGKILL``) at once:
  an endless loop costs nothing after its timeout;
- a worker that dies is reported by how it died (exit code or signal) as ``BotCrashed``, which
  ends that conversation with ``error``; the batch goes on with a fresh worker;
- a worker's address space is capped (``RLIMIT_AS``, ``memory_mb``, 2,048 MiB by default): a bot
  that leaks runs into ``MemoryError`` in its own process, reported as such;
- a reply is capped in size (``max_reply_bytes``, 1 MB by default, as a webhook's): the worker
  measures the pickled reply and sends ``ReplyTooLarge``'s reason instead of a larger one, and
  this program reads at most that many bytes from the pipe (a worker that writes more anyway is
  killed), so no reply can hold up the event loop reading or unpickling it;
- a worker ignores Ctrl-C (the program handles it) and, on Linux, is killed when the server it
  was forked from ends, which is when this program ends, however it ends.

Costs, measured by ``benchmarks/bench_hanging_bots.py`` (docs/hardening.md): a worker's first
start, and the pickling of the transcript on every turn. A function that is not importable by
name (a lambda, a nested function) cannot run in another process; ``CallableAgent`` runs those in
threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import inspect
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import types
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

from understudy.agents.isolation import BotCrashed
from understudy.errors import ConfigError, UnderstudyError

DEFAULT_MEMORY_MB = 2048
"""Address-space cap of a worker in MiB: room for a bot with a few libraries loaded (a worker
with the protocol's modules uses about 50 MiB), well below a machine's memory."""

MAX_IDLE = 32
"""Idle workers kept, all bots together, for the next conversations (a batch leaves at most its
concurrency idle); past it the oldest is killed, so a long-lived process stays bounded."""

DEFAULT_MAX_REPLY_BYTES = 1_000_000
"""Largest reply a worker may send, in bytes of its pickled form (a chat reply is a few kB)."""

_FRAME_SLACK = 1024
"""Bytes allowed beyond the reply's cap for the reply's envelope (its kind and tuple)."""

START_TIMEOUT_S = 60.0
"""Seconds a worker may take to import the bot before ``prepare`` gives up."""

_PRELOAD = ["understudy.agents.bot_process", "understudy.agents.callable"]
"""Imported once by the fork server, so a worker starts with them (the reply models, pydantic)."""


class ReplyTooLarge(UnderstudyError):
    """A bot's reply is larger than ``max_reply_bytes`` (the message names the limit)."""


class BotRaised(UnderstudyError):
    """The bot raised an exception that cannot be carried back from its worker process."""


# --- the worker side -------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the process that forked it ends (best effort)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _cap_memory(memory_mb: int | None) -> None:
    """Cap this process's address space (``RLIMIT_AS``) where the system has one."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # no POSIX resource limits here (Windows)
        return
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # a system that refuses the limit
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _describe_exit(exc: BaseException, source: str) -> str:
    if isinstance(exc, SystemExit):
        return f"{source} called sys.exit({exc.code!r}); a bot cannot end the run"
    if isinstance(exc, KeyboardInterrupt):
        return f"{source} raised KeyboardInterrupt; a bot cannot end the run"
    return f"{source} raised {type(exc).__name__}: {exc}"


def _portable(exc: Exception, source: str) -> Exception:
    """The exception itself when it survives pickling, else a ``BotRaised`` naming it."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:
        return BotRaised(f"{source} raised {type(exc).__name__}: {exc}")
    return copy if isinstance(copy, Exception) else BotRaised(str(exc))


async def _awaited(value: Any) -> Any:
    return await value


def _call(function: Any, request: tuple[list[Any], dict[str, Any]], state: dict[str, Any]) -> Any:
    messages, kwargs = request
    value = function(messages, **kwargs)
    if inspect.isawaitable(value):
        if "loop" not in state:
            state["loop"] = asyncio.new_event_loop()
            asyncio.set_event_loop(state["loop"])
        value = state["loop"].run_until_complete(_awaited(value))
    return value


def serve(conn: Connection, reference: str, sys_path: list[str], memory_mb: int | None) -> None:
    """The worker's main function: load ``reference`` and answer calls until the pipe closes.

    Requests are ``(messages, kwargs, max_reply_bytes)``. Replies on ``conn``: ``("ready",
    None)`` or ``("config", message)`` once, then per call ``("ok", value)``, ``("raised",
    exception)``, ``("crashed", message)`` (the bot tried to stop the program), ``("memory",
    message)``, ``("unsendable", message)`` or ``("too_large", size)`` (the pickled reply had
    ``size`` bytes, more than ``max_reply_bytes``).

    Args:
        conn: this worker's end of the pipe.
        reference: ``module:function``.
        sys_path: the parent program's ``sys.path``, so the same modules import.
        memory_mb: address-space cap in MiB, None for none.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    sys.path[:] = sys_path
    from understudy.agents.callable import load_callable

    try:
        function = load_callable(reference)
    except ConfigError as exc:
        conn.send(("config", str(exc)))
        return
    except BaseException as exc:
        conn.send(("config", f"importing {reference} failed: {_describe_exit(exc, reference)}"))
        return
    _cap_memory(memory_mb)
    conn.send(("ready", None))
    state: dict[str, Any] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        messages, kwargs, limit = request
        reply: tuple[str, Any]
        try:
            reply = ("ok", _call(function, (messages, kwargs), state))
        except MemoryError:
            reply = ("memory", f"{reference} ran out of memory (MemoryError)")
        except Exception as exc:
            reply = ("raised", _portable(exc, reference))
        except BaseException as exc:
            reply = ("crashed", _describe_exit(exc, reference))
        try:
            data = pickle.dumps(reply)
        except Exception as exc:
            kind = type(reply[1]).__name__
            conn.send(("unsendable", f"{reference} returned a {kind} that cannot be sent: {exc}"))
            continue
        if len(data) > limit + _FRAME_SLACK:
            conn.send(("too_large", len(data)))
        else:
            conn.send_bytes(data)


# --- the program's side ----------------------------------------------------------------------


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)  # effective until the server first starts
        return context
    return multiprocessing.get_context("spawn")


def _death(exitcode: int | None, source: str) -> str:
    """How a worker died, in words."""
    if exitcode is None:
        return f"{source}'s worker process stopped answering"
    if exitcode >= 0:
        return (
            f"{source} ended its worker process with exit code {exitcode} (os._exit or similar);"
            " a bot cannot end the run"
        )
    number = -exitcode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    hint = {
        "SIGSEGV": "a crash in C code",
        "SIGBUS": "a crash in C code",
        "SIGABRT": "os.abort() or a failed C assertion",
        "SIGKILL": "os.kill, or the system ran out of memory",
    }.get(name, "a signal sent to it")
    return f"{source}'s worker process was killed by {name} ({hint})"


_start_lock = threading.Lock()


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Hide the program's ``__main__`` module while a worker is started.

    A worker imports its bot by name and never needs the program's main script, but
    ``multiprocessing`` (spawn and forkserver) runs that script again in every new process, to
    rebuild ``__main__``: the whole command-line app for ``understudy``, or a user's script,
    which fails without its ``if __name__ == "__main__":`` guard. A stand-in without ``__file__``
    tells it there is nothing to rebuild.
    """
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real


async def _readable(conn: Connection) -> None:
    """Wait, without blocking the event loop, until ``conn`` has data or is closed."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


class BotWorker:
    """One worker process serving one bot (see the module docstring).

    Args:
        reference: the bot as ``module:function``.
        memory_mb: address-space cap in MiB, None for none.
    """

    def __init__(self, reference: str, memory_mb: int | None) -> None:
        self.reference = reference
        self.memory_mb = memory_mb
        self.key = _pool_key(reference, memory_mb)
        context = _context()
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=serve,
            args=(child, reference, list(sys.path), memory_mb),
            name=f"understudy bot {reference}",
            daemon=True,
        )
        with _start_lock, _without_main():
            self.process.start()
        child.close()
        self.ready = False
        self.busy = False

    @property
    def alive(self) -> bool:
        """True while the process runs and no call was cut short."""
        return not self.conn.closed and self.process.is_alive()

    def _take(self, source: str, limit: int = DEFAULT_MAX_REPLY_BYTES) -> tuple[str, Any]:
        """Read one message of at most ``limit`` bytes (plus its envelope).

        Raises:
            ReplyTooLarge: the worker wrote a longer one (it is killed; nothing more is read).
            BotCrashed: the worker died.
        """
        try:
            data = self.conn.recv_bytes(limit + _FRAME_SLACK)
        except OSError as exc:
            if "bad message length" not in str(exc):
                return self._died(source)
            self.kill()
            raise ReplyTooLarge(_too_large(source, None, limit)) from None
        except EOFError:
            return self._died(source)
        return pickle.loads(data)  # type: ignore[no-any-return]

    def _died(self, source: str) -> tuple[str, Any]:
        """Report how the worker ended (it closed the pipe).

        Raises:
            BotCrashed: always.
        """
        self.process.join(1.0)
        self.kill()
        if not self.ready:
            raise BotCrashed(
                f"{source}'s worker process ended with exit code {self.process.exitcode} "
                "before the bot was loaded (the error is printed above)"
            )
        raise BotCrashed(_death(self.process.exitcode, source))

    def _check_ready(self, reply: tuple[str, Any]) -> None:
        kind, value = reply
        if kind == "config":
            self.kill()
            raise ConfigError(str(value))
        self.ready = True

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Block until the worker has imported the bot (used before a run starts).

        Raises:
            ConfigError: the bot does not import in the worker (the message says why).
            BotCrashed: the worker died or took longer than ``timeout_s``.
        """
        if self.ready:
            return
        if not self.conn.poll(timeout_s):
            self.kill()
            raise BotCrashed(f"{self.reference}'s worker did not start within {timeout_s:g} s")
        self._check_ready(self._take(self.reference))

    async def call(
        self,
        messages: list[Any],
        kwargs: dict[str, Any],
        source: str,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> Any:
        """Send one call and await its reply; a cancelled wait kills the worker.

        Args:
            messages: the conversation so far.
            kwargs: keyword arguments of the bot (``conversation_id``).
            source: the bot's name, for messages.
            max_reply_bytes: the largest reply accepted (its pickled size, in bytes).

        Raises:
            ReplyTooLarge: the reply is larger than ``max_reply_bytes``; the worker stays
                usable (it sent the size instead), unless it wrote a longer message anyway.
            BotCrashed: the worker died, or the bot tried to stop the program.
            ConfigError: the bot no longer imports (first call of a worker).
            Exception: what the bot raised (``BotRaised`` when it cannot be carried back).
        """
        self.busy = True
        try:
            if not self.ready:
                await _readable(self.conn)
                self._check_ready(self._take(source))
            self.conn.send((messages, kwargs, max_reply_bytes))
            await _readable(self.conn)
            kind, value = self._take(source, max_reply_bytes)
        except BaseException:  # cancelled (turn timeout) or failed: this worker is done
            self.kill()
            raise
        self.busy = False
        if kind == "ok":
            return value
        if kind == "raised":
            raise value
        if kind == "too_large":
            raise ReplyTooLarge(_too_large(source, int(value), max_reply_bytes))
        self.kill()
        if kind == "memory":
            cap = f" under its cap of {self.memory_mb} MiB" if self.memory_mb else ""
            raise BotCrashed(f"{value}{cap} (callable.memory_mb in config.yaml)")
        raise BotCrashed(str(value))

    def kill(self) -> None:
        """Kill the process at once (idempotent)."""
        with contextlib.suppress(OSError, ValueError):
            if self.process.is_alive():
                self.process.kill()
        self.conn.close()


def _too_large(source: str, size: int | None, limit: int) -> str:
    got = f"{size:,} bytes" if size is not None else "more"
    return (
        f"{source} returned a reply of {got}, over callable.max_reply_bytes={limit:,}; "
        "raise it in config.yaml's callable section if such replies are meant"
    )


PoolKey = tuple[str, int | None, str, int]

_idle: list[BotWorker] = []  # oldest first
_idle_lock = threading.Lock()


def _pool_key(reference: str, memory_mb: int | None) -> PoolKey:
    """What an idle worker must match to be reused: the bot, its cap, and its module's file.

    The file's path and modification time are part of it, so a worker that imported an older
    version of the bot (edited since, or another file of the same module name on a changed
    ``sys.path``) is never handed to a new conversation.
    """
    module = sys.modules.get(reference.partition(":")[0])
    file = str(getattr(module, "__file__", None) or "")
    try:
        changed = os.stat(file).st_mtime_ns if file else 0
    except OSError:
        changed = 0
    return (reference, memory_mb, file, changed)


def acquire(reference: str, memory_mb: int | None) -> BotWorker:
    """A worker for ``reference``: an idle healthy one, else a new one (not yet ready)."""
    key = _pool_key(reference, memory_mb)
    with _idle_lock:
        for worker in reversed(_idle):
            if worker.key == key:
                _idle.remove(worker)
                if worker.alive:
                    return worker
                worker.kill()
    return BotWorker(reference, memory_mb)


def release(worker: BotWorker) -> None:
    """Give back a worker at the end of its conversation: kept if idle and healthy, else killed.

    At most ``MAX_IDLE`` idle workers are kept in all; past it the oldest is killed.
    """
    if worker.busy or not worker.alive:
        worker.kill()
        return
    with _idle_lock:
        _idle.append(worker)
        surplus = _idle[: max(0, len(_idle) - MAX_IDLE)]
        del _idle[: len(surplus)]
    for old in surplus:
        old.kill()


def prepare(reference: str, memory_mb: int | None) -> None:
    """Start one worker for ``reference`` and wait until it imported the bot, before a run.

    So a bot that does not import in a worker is refused before the first conversation, and the
    first conversation does not pay for starting the worker server.

    Raises:
        ConfigError: the bot does not import in a worker, or workers cannot be started here.
    """
    if multiprocessing.current_process().daemon:
        raise ConfigError(
            f"{reference} cannot run in a worker process from a daemonic process; "
            "set callable.isolation to 'thread' in config.yaml"
        )
    worker = acquire(reference, memory_mb)
    try:
        worker.wait_ready()
    except BotCrashed as exc:
        raise ConfigError(str(exc)) from exc
    release(worker)


def shutdown() -> None:
    """Kill every idle worker (they would end with the program anyway)."""
    with _idle_lock:
        workers = list(_idle)
        _idle.clear()
    for worker in workers:
        worker.kill()


def reference_of(function: Any) -> str | None:
    """``module:qualname`` when importing that name gives ``function`` back, else None.

    Lambdas, nested functions and functions of ``__main__`` have no such name.
    """
    module_name = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not module_name or not qualname or module_name == "__main__" or "<" in qualname:
        return None
    obj: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if obj is not function:
        return None
    return f"{module_name}:{qualname}"


def worker_count() -> int:
    """Idle workers kept (for tests and benchmarks)."""
    with _idle_lock:
        return len(_idle)


__all__ = [
    "DEFAULT_MEMORY_MB",
    "BotCrashed",
    "BotRaised",
    "BotWorker",
    "acquire",
    "prepare",
    "reference_of",
    "release",
    "serve",
    "shutdown",
]
