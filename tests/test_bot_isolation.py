"""Thread isolation: a buggy Python bot ends its own conversation, never the batch.

These bots are closures (no worker process can import them), so ``CallableAgent`` runs them in
threads, as ``callable.isolation: thread`` does for any bot; worker processes are tested in
``tests/test_bot_process.py``.

The bots here are faulty on purpose: they block in plain code (``time.sleep``, a socket read from
a loopback server that never answers, a lock that is never released, an endless loop), in sync
and async functions, or try to stop the program (``sys.exit``, ``SystemExit``,
``KeyboardInterrupt``, ``os._exit``). Every blocking bot is released when its test ends, so no test
leaves work running; every test is bounded in time.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from batch_fakes import dice_simulators, scenario
from understudy.agents import isolation
from understudy.agents.callable import CallableAgent
from understudy.agents.isolation import call_async_isolated
from understudy.cli.app import app
from understudy.domain.transcript import TerminationReason
from understudy.engine.loop import EngineSettings
from understudy.runs.batch import BatchResult, run_batch

TIMEOUT_S = 0.4
MARGIN_S = 0.6  # per round of conversations: scheduling on a busy two-core machine
BUSY_MARGIN_S = 1.2  # abandoned endless loops keep competing for the GIL with the engine
RELEASE_S = 30.0  # the longest any faulty bot could block if its test failed to release it


class Faults:
    """Blocking behaviours, released by ``release()`` (each waits at most ``RELEASE_S``)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)  # connections queue; nothing ever reads or answers them
        self.lock = threading.Lock()
        self.lock.acquire()

    def sleep(self) -> None:
        deadline = time.monotonic() + RELEASE_S
        while not self.stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.2)  # plain time.sleep: the thread cannot be interrupted

    def socket(self) -> None:
        with socket.create_connection(self.server.getsockname(), timeout=RELEASE_S) as client:
            client.sendall(b"hello?")
            client.recv(1)  # blocks: the server never answers

    def deadlock(self) -> None:
        self.lock.acquire(timeout=RELEASE_S)

    def busy(self) -> None:
        deadline = time.monotonic() + RELEASE_S
        while not self.stop.is_set() and time.monotonic() < deadline:
            pass

    def release(self) -> None:
        self.stop.set()
        self.server.close()  # queued connections are reset, so blocked reads return
        self.lock.release()


@pytest.fixture
def faults() -> Iterator[Faults]:
    made = Faults()
    yield made
    made.release()


def make_bot(block: Callable[[], None], kind: str) -> Callable[..., Any]:
    if kind == "sync":

        def bot(messages: list[Any]) -> str:
            block()
            return "too late"

        return bot

    async def abot(messages: list[Any]) -> str:
        block()  # blocks the thread running the coroutine: no await gives way
        return "too late"

    return abot


async def play(
    bot: Callable[..., Any], n: int, concurrency: int, turn_s: float = TIMEOUT_S
) -> tuple[BatchResult, float]:
    started = time.monotonic()
    result = await run_batch(
        lambda: CallableAgent(bot, "faulty_bot:reply"),
        dice_simulators,
        [scenario()],
        n=n,
        seed=3,
        concurrency=concurrency,
        settings=EngineSettings(agent_timeout_s=turn_s),
    )
    return result, time.monotonic() - started


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("behaviour", ["sleep", "socket", "deadlock", "busy"])
async def test_a_blocking_bot_ends_each_conversation_at_the_turn_timeout(
    faults: Faults, behaviour: str, kind: str
) -> None:
    n, concurrency = 6, 3
    bot = make_bot(getattr(faults, behaviour), kind)
    result, elapsed = await play(bot, n, concurrency)
    margin = BUSY_MARGIN_S if behaviour == "busy" else MARGIN_S
    bound = (TIMEOUT_S + margin) * math.ceil(n / concurrency)
    assert elapsed <= bound, f"batch took {elapsed:.2f} s, more than {bound:.2f} s"
    assert len(result.conversations) == n, "every conversation was played"
    for conversation in result.conversations:
        assert conversation.result.termination_reason is TerminationReason.error
        assert f"did not answer within {TIMEOUT_S:g} s" in (conversation.result.error or "")


async def test_a_healthy_async_bot_still_answers_after_another_bot_hung(faults: Faults) -> None:
    await play(make_bot(faults.sleep, "async"), 2, 2)

    async def fine(messages: list[Any]) -> dict[str, Any]:
        return {"text": "Done, goodbye.", "ended": True, "outcome": "completed"}

    result, _ = await play(fine, 3, 3)
    reasons = {c.result.termination_reason for c in result.conversations}
    assert reasons == {TerminationReason.goal_met}, "a different function gets its own loop"


def exits(how: str) -> None:
    if how == "sys.exit":
        sys.exit(3)
    if how == "SystemExit":
        raise SystemExit("bye")
    if how == "KeyboardInterrupt":
        raise KeyboardInterrupt
    if how == "os._exit":
        os._exit(0)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("how", ["sys.exit", "SystemExit", "KeyboardInterrupt", "os._exit"])
async def test_a_bot_that_tries_to_exit_ends_only_its_conversation(how: str, kind: str) -> None:
    calls = {"n": 0}

    def block() -> None:
        calls["n"] += 1
        if calls["n"] % 2:  # every other turn: the batch must go on around it
            exits(how)

    result, _ = await play(make_bot(block, kind), 4, 2, turn_s=5.0)
    errors = [c.result.error or "" for c in result.conversations if c.result.error]
    assert len(result.conversations) == 4, "the batch played every conversation"
    assert errors, "the exiting bot ended conversations with error"
    word = {"sys.exit": "sys.exit(3)", "SystemExit": "sys.exit('bye')"}.get(how, how)
    assert all(word in error for error in errors), errors


BOT_MODULE = """
import os, time

def hang(messages):
    time.sleep(120)

def leave(messages):
    os._exit(0)
"""

SCRIPT = """
import asyncio, sys, time
sys.path.insert(0, {folder!r})
sys.path.insert(0, {tests!r})
from batch_fakes import dice_simulators, scenario
from faulty_bot import hang
from understudy.agents import isolation
from understudy.agents.callable import CallableAgent
from understudy.agents.isolation import call_async_isolated
from understudy.runs.batch import run_batch
from understudy.engine.loop import EngineSettings

async def main():
    result = await run_batch(lambda: CallableAgent(hang, "faulty_bot:hang"), dice_simulators,
                             [scenario()], n=8, seed=1, concurrency=4,
                             settings=EngineSettings(agent_timeout_s=0.5))
    print(f"batch {{result.wall_s:.2f}}")

asyncio.run(main())
"""


GENEROUS = 8
"""Bound of the subprocess test, in turn timeouts per round: far above the few hundredths of a
second per round a hanging bot costs (measured by ``benchmarks/bench_hanging_bots.py``, which is
where that figure belongs), so machine load cannot fail it, and far below the bot's 120 s hang, so
a batch that waits for the bot still does."""


@pytest.mark.slow
def test_a_program_running_a_hanging_bot_exits_on_time(tmp_path: Path) -> None:
    timeout_s, n, concurrency = 0.5, 8, 4  # as in SCRIPT
    (tmp_path / "faulty_bot.py").write_text(textwrap.dedent(BOT_MODULE))
    script = SCRIPT.format(folder=str(tmp_path), tests=str(Path(__file__).parent))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=110, check=False
    )
    wall = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    batch_s = float(done.stdout.split()[-1])
    bound = GENEROUS * timeout_s * math.ceil(n / concurrency)
    assert batch_s <= bound, f"{done.stdout.strip()} s: more than {bound:g} s, near the 120 s hang"
    assert wall - batch_s < 60, "the program must not wait for the hung bot's threads (120 s)"


def test_a_bot_calling_os_exit_0_makes_the_cli_fail_with_the_documented_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, understudy_home: Path
) -> None:
    understudy_home.mkdir(parents=True, exist_ok=True)
    (understudy_home / "config.yaml").write_text("callable:\n  isolation: thread\n")
    (tmp_path / "faulty_bot.py").write_text(textwrap.dedent(BOT_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        outcome = CliRunner().invoke(
            app, ["stress-test", "--agent", "faulty_bot:leave", "-n", "2", "--seed", "1"]
        )
    finally:
        sys.modules.pop("faulty_bot", None)
    assert outcome.exit_code == 1, outcome.output  # table: 1 = conversations ended with error
    assert "os._exit(0)" in outcome.output


def make_async_bot(number: int) -> Callable[..., Any]:
    async def numbered(messages: list[Any]) -> str:
        await asyncio.sleep(0)
        return f"bot {number}"

    return numbered


def loop_threads() -> int:
    return sum(t.name.startswith("bot loop") and t.is_alive() for t in threading.enumerate())


async def test_many_different_async_bots_keep_a_bounded_number_of_loop_threads() -> None:
    stuck = sum(not loop.idle for _, loop in isolation._loops.values())  # earlier tests' hangs
    bound = isolation.MAX_LOOPS + stuck
    bots = [make_async_bot(i) for i in range(isolation.MAX_LOOPS + 20)]
    for bot in bots:
        assert await call_async_isolated(bot, [], {}, "numbered") == f"bot {bots.index(bot)}"
    for _ in range(100):  # evicted loops stop at their next turn: give them 5 s at most
        if loop_threads() <= bound:
            break
        await asyncio.sleep(0.05)
    assert len(isolation._loops) <= bound
    names = sorted(t.name for t in threading.enumerate() if t.name.startswith("bot loop"))
    assert loop_threads() <= bound, f"idle loops past the bound end their threads: {names}"
    assert await call_async_isolated(bots[0], [], {}, "numbered") == "bot 0", "made again on use"
