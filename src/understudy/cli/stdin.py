"""The one stdin pump of the CLI: typed lines go to the event loop without blocking it.

A daemon thread reads standard input line by line and hands each line to ``submit`` on the
loop's thread (the trainee's queue in ``practice``, the customer's in ``chat``). At end of input
(Ctrl-D) it sends ``at_end``. Being a daemon, it never keeps the process alive after the
conversation ended for another reason (time limit, exit condition) while a read is pending.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from typing import TextIO


def start_stdin_pump(
    submit: Callable[[str], None],
    loop: asyncio.AbstractEventLoop,
    *,
    at_end: str,
    stream: TextIO | None = None,
) -> threading.Thread:
    """Start a daemon thread that feeds lines of ``stream`` (stdin) to ``submit``.

    Args:
        submit: takes one line (without its newline); called on ``loop``'s thread.
        loop: the running event loop.
        at_end: the line sent at end of input (``/end``, ``/quit``).
        stream: where lines come from; standard input when None.

    Returns:
        The started thread.
    """
    source = stream or sys.stdin

    def pump() -> None:
        try:
            for line in source:
                loop.call_soon_threadsafe(submit, line.rstrip("\n"))
            loop.call_soon_threadsafe(submit, at_end)
        except RuntimeError:  # the loop closed: the conversation is over
            return

    thread = threading.Thread(target=pump, name="understudy-stdin", daemon=True)
    thread.start()
    return thread
