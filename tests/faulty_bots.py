"""Faulty Python bots for the worker-process tests, importable by name (``faulty_bots:NAME``).

Each is broken on purpose, in one way a bot under test can be: it blocks, loops forever, leaks
memory, exits, aborts, kills its own process or crashes in C code. ``every_other`` variants
misbehave only in conversations whose id ends in an odd digit, so a batch holds both kinds.
Nothing here runs in the test process itself: the tests run these bots in worker processes.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import sys
import time
from typing import Any

DONE = {"text": "All done, goodbye.", "ended": True, "outcome": "completed"}


def healthy(messages: list[Any], conversation_id: str = "") -> dict[str, Any]:
    """Answers at once and ends the conversation on its third turn; says which process it is."""
    reply: dict[str, Any] = {"text": "Hello, how can I help?"}
    if len(messages) >= 4:
        reply = dict(DONE)
    reply["meta"] = {"pid": os.getpid(), "conversation_id": conversation_id}
    return reply


async def healthy_async(messages: list[Any]) -> dict[str, Any]:
    """The async twin of ``healthy``."""
    await asyncio.sleep(0)
    return healthy(messages)


def misbehave(how: str) -> None:
    """Do one faulty thing in the calling process."""
    if how == "sleep":
        time.sleep(120)
    elif how == "socket":
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=120) as client:
            client.recv(1)  # nothing ever answers
    elif how == "busy":
        while True:
            pass
    elif how == "leak":
        hoard = []
        while True:
            hoard.append(bytearray(16 * 2**20))
    elif how == "sys.exit":
        sys.exit(3)
    elif how == "KeyboardInterrupt":
        raise KeyboardInterrupt
    elif how == "os._exit":
        os._exit(0)
    elif how == "SIGKILL":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "abort":
        os.abort()
    elif how == "segfault":
        ctypes.string_at(0)
    else:
        raise ValueError(how)


def _make(how: str, *, every_other: bool, kind: str) -> Any:
    def faulty(messages: list[Any], conversation_id: str = "") -> dict[str, Any]:
        if not every_other or int(conversation_id[-1]) % 2:
            misbehave(how)
        return healthy(messages, conversation_id)

    async def afaulty(messages: list[Any], conversation_id: str = "") -> dict[str, Any]:
        if not every_other or int(conversation_id[-1]) % 2:
            misbehave(how)  # blocks the worker's event loop: no await gives way
        return healthy(messages, conversation_id)

    bot = faulty if kind == "sync" else afaulty
    name = f"{how.replace('.', '_')}_{kind}{'_every_other' if every_other else ''}"
    bot.__name__ = bot.__qualname__ = name
    return bot


HOW = ["sleep", "socket", "busy", "leak", "sys.exit", "KeyboardInterrupt", "os._exit", "SIGKILL"]
HOW += ["abort", "segfault"]
for _how in HOW:
    for _kind in ("sync", "async"):
        for _every_other in (False, True):
            _bot = _make(_how, every_other=_every_other, kind=_kind)
            globals()[_bot.__name__] = _bot


def name_of(how: str, kind: str = "sync", *, every_other: bool = False) -> str:
    """The ``faulty_bots:NAME`` reference of a faulty bot."""
    return f"faulty_bots:{how.replace('.', '_')}_{kind}{'_every_other' if every_other else ''}"


HUGE_CHARS = 5_000_000
"""Length of ``huge``'s oversized reply text (five times the default reply cap)."""


def huge(messages: list[Any], conversation_id: str = "") -> dict[str, Any]:
    """Answers with ``HUGE_CHARS`` characters in conversations whose id ends in an odd digit."""
    reply = healthy(messages, conversation_id)
    if int(conversation_id[-1]) % 2:
        reply["text"] = "x" * HUGE_CHARS
    return reply


def flood(messages: list[Any], conversation_id: str = "") -> dict[str, Any]:
    """Writes an 8 MB message straight into its worker's pipe, past the worker's own size check,
    then hangs (a bot that tampers with the protocol)."""
    import gc
    from multiprocessing.connection import Connection

    pipe = next(o for o in gc.get_objects() if isinstance(o, Connection) and not o.closed)
    pipe.send_bytes(b"x" * 8_000_000)
    time.sleep(120)
    return healthy(messages, conversation_id)
