"""Reading the trainee's lines from the terminal without blocking the event loop.

A daemon thread reads standard input line by line and hands each line to the trainee's queue on
the loop's thread. Being a daemon, it never keeps the process alive after the call ended for
another reason (time limit, exit condition) while a read is pending.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from understudy.agents.trainee import END_COMMAND, TraineeAgent


def start_input_thread(
    trainee: TraineeAgent, loop: asyncio.AbstractEventLoop, stream: TextIO | None = None
) -> threading.Thread:
    """Start a daemon thread that feeds lines of ``stream`` (stdin) to ``trainee``.

    At end of input (Ctrl-D), ``/end`` is sent so the call ends as ``trainee_ended``.
    """
    source = stream or sys.stdin

    def pump() -> None:
        try:
            for line in source:
                loop.call_soon_threadsafe(trainee.submit, line.rstrip("\n"))
            loop.call_soon_threadsafe(trainee.submit, END_COMMAND)
        except RuntimeError:  # the loop closed: the call is over
            return

    thread = threading.Thread(target=pump, name="understudy-trainee-input", daemon=True)
    thread.start()
    return thread
