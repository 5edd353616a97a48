"""How long a batch takes against a Python bot that never answers, per way of hanging.

Run from the repository root::

    python benchmarks/bench_hanging_bots.py            # n=12, concurrency 4, turn timeout 1 s
    python benchmarks/bench_hanging_bots.py --n 24 --concurrency 8 --timeout 0.5

For each way a bot can block (``time.sleep``, a socket read from a loopback server that never
answers, a lock never released, an endless loop; sync and async) it prints the batch's wall time
and the bound of the acceptance criterion, (timeout + margin) × ceil(n / concurrency), with the
margin reported as what was needed per round. Every conversation must end with ``error`` at the
turn timeout. The blocked calls are released at the end so the script exits promptly either way.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from batch_fakes import dice_simulators, scenario  # noqa: E402
from understudy.agents.callable import CallableAgent  # noqa: E402
from understudy.engine.loop import EngineSettings  # noqa: E402
from understudy.runs.batch import run_batch  # noqa: E402

STOP = threading.Event()
SERVER = socket.socket()
SERVER.bind(("127.0.0.1", 0))
SERVER.listen(256)
LOCK = threading.Lock()
LOCK.acquire()


def sleep() -> None:
    while not STOP.wait(0.2):
        time.sleep(0.2)


def stuck_socket() -> None:
    with socket.create_connection(SERVER.getsockname(), timeout=120) as client:
        client.recv(1)


def deadlock() -> None:
    LOCK.acquire(timeout=120)


def busy() -> None:
    while not STOP.is_set():
        pass


def bot(block: Any, kind: str) -> Any:
    if kind == "sync":
        return lambda messages: block()

    async def abot(messages: list[Any]) -> str:
        block()
        return ""

    return abot


async def one(block: Any, kind: str, n: int, concurrency: int, turn_s: float) -> tuple[float, int]:
    started = time.monotonic()
    result = await run_batch(
        lambda: CallableAgent(bot(block, kind), f"{block.__name__}:{kind}"),
        dice_simulators,
        [scenario()],
        n=n,
        seed=1,
        concurrency=concurrency,
        settings=EngineSettings(agent_timeout_s=turn_s),
    )
    timed_out = sum("did not answer" in (c.result.error or "") for c in result.conversations)
    return time.monotonic() - started, timed_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    rounds = math.ceil(args.n / args.concurrency)
    print(f"n={args.n} concurrency={args.concurrency} timeout={args.timeout:g} s, {rounds} rounds")
    for block in (sleep, stuck_socket, deadlock, busy):
        for kind in ("sync", "async"):
            wall, timed_out = asyncio.run(one(block, kind, args.n, args.concurrency, args.timeout))
            margin = wall / rounds - args.timeout
            print(
                f"{block.__name__:>12} {kind:>5}: {wall:6.2f} s for {timed_out}/{args.n} timed out;"
                f" margin needed {margin:+.2f} s per round"
            )
    STOP.set()
    SERVER.close()
    LOCK.release()


if __name__ == "__main__":
    main()
