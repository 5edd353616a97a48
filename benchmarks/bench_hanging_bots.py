"""What a faulty Python bot costs a batch, run in a worker process or in a thread.

Run from the repository root::

    python benchmarks/bench_hanging_bots.py            # n=12, concurrency 4, turn timeout 1 s
    python benchmarks/bench_hanging_bots.py --n 24 --concurrency 8 --timeout 0.5 --turns 500

It prints three tables:

1. **Turn-timeout overshoot**: for each way a bot can hang (``time.sleep``, a socket read from a
   loopback server that never answers, an endless loop; sync and async) and each isolation
   (``process``: a worker killed at the timeout; ``thread``: an abandoned daemon thread), the
   batch's wall time against the acceptance bound (timeout + margin) × ceil(n / concurrency),
   with the margin that was needed per round. Each case runs in a fresh interpreter, so loops
   left spinning by one case (threads cannot stop them) do not slow the next.
2. **Crash to next conversation** (process isolation): how long after a bot segfaults its
   conversation ends (the crash noticed), and how long a fresh worker takes to give the next
   conversation its first reply; their sum is what a crash costs.
3. **Per-turn overhead** of a well-behaved bot: one agent turn with a transcript of 10 and 50
   messages, called directly, through a thread and through a worker process (median and 95th
   percentile over ``--turns`` calls).

The bots are ``tests/faulty_bots.py`` (importable by name, as a worker needs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import faulty_bots  # noqa: E402
from batch_fakes import dice_simulators, scenario  # noqa: E402
from understudy.agents import bot_process  # noqa: E402
from understudy.agents.callable import CallableAgent, load_callable  # noqa: E402
from understudy.agents.isolation import BotCrashed  # noqa: E402
from understudy.domain.transcript import Message, Role  # noqa: E402
from understudy.engine.loop import EngineSettings  # noqa: E402
from understudy.engine.seams import ConversationState  # noqa: E402
from understudy.runs.batch import run_batch  # noqa: E402

HANGS = ("sleep", "socket", "busy")
MEMORY_MB = bot_process.DEFAULT_MEMORY_MB


async def one_case(
    how: str, kind: str, isolation: Any, n: int, c: int, turn_s: float
) -> dict[str, Any]:
    reference = faulty_bots.name_of(how, kind)
    function = load_callable(reference)
    if isolation == "process":
        bot_process.prepare(reference, MEMORY_MB)  # as resolve_agent does before a run
    started = time.monotonic()
    result = await run_batch(
        lambda: CallableAgent(function, reference, isolation=isolation),
        dice_simulators,
        [scenario()],
        n=n,
        seed=1,
        concurrency=c,
        settings=EngineSettings(agent_timeout_s=turn_s),
    )
    timed_out = sum("did not answer" in (c.result.error or "") for c in result.conversations)
    return {"wall": time.monotonic() - started, "timed_out": timed_out}


def overshoot_table(args: argparse.Namespace) -> None:
    rounds = math.ceil(args.n / args.concurrency)
    print(
        f"1. turn-timeout overshoot: n={args.n} concurrency={args.concurrency}"
        f" timeout={args.timeout:g} s, {rounds} rounds, floor {rounds * args.timeout:g} s"
    )
    for isolation in ("process", "thread"):
        for how in HANGS:
            for kind in ("sync", "async"):
                case = f"{how}:{kind}:{isolation}"
                command = [sys.executable, __file__, "--case", case]
                command += ["--n", str(args.n), "--concurrency", str(args.concurrency)]
                command += ["--timeout", str(args.timeout)]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                margin = figures["wall"] / rounds - args.timeout
                print(
                    f"  {isolation:>7} {how:>6} {kind:>5}: {figures['wall']:6.2f} s,"
                    f" {figures['timed_out']}/{args.n} timed out;"
                    f" margin needed {margin:+.2f} s per round"
                )


def state(messages: int) -> ConversationState:
    transcript = [
        Message(
            index=i,
            role=Role.customer if i % 2 == 0 else Role.agent,
            text="I would like to change the delivery address of order 3348917502, please. " * 2,
        )
        for i in range(messages)
    ]
    return ConversationState(conversation_id="bench-1", scenario=scenario(), messages=transcript)


async def crash_figures(repeats: int) -> tuple[list[float], list[float]]:
    crashed, fresh = [], []
    for _ in range(repeats):
        bot_process.shutdown()  # no idle worker: every conversation after a crash starts one
        dying = bot_process.acquire(faulty_bots.name_of("segfault"), MEMORY_MB)
        dying.wait_ready()
        started = time.monotonic()
        with contextlib.suppress(BotCrashed):
            await dying.call([], {"conversation_id": "bench-1"}, "segfault")
        crashed.append(time.monotonic() - started)
        started = time.monotonic()
        worker = bot_process.acquire("faulty_bots:healthy", MEMORY_MB)
        await worker.call([], {"conversation_id": "bench-2"}, "healthy")
        fresh.append(time.monotonic() - started)
        worker.kill()
    return crashed, fresh


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:7.3f} ms, p95 {p95 * 1000:7.3f} ms"


async def overhead_figures(turns: int, size: int) -> dict[str, list[float]]:
    conversation = state(size)
    out: dict[str, list[float]] = {}
    out["direct"] = []
    for _ in range(turns):
        started = time.perf_counter()
        faulty_bots.healthy(list(conversation.messages), conversation_id="bench-1")
        out["direct"].append(time.perf_counter() - started)
    for isolation in ("thread", "process"):
        agent = CallableAgent(faulty_bots.healthy, "faulty_bots:healthy", isolation=isolation)
        await agent.respond(conversation)  # a worker's start is table 2's figure, not this one
        timings = []
        for _ in range(turns):
            started = time.perf_counter()
            await agent.respond(conversation)
            timings.append(time.perf_counter() - started)
        await agent.aclose()
        out[isolation] = timings
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--turns", type=int, default=300, help="calls per overhead figure")
    parser.add_argument("--crashes", type=int, default=10, help="crashes timed in table 2")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # how:kind:isolation, one case
    args = parser.parse_args()
    if args.case:
        how, kind, isolation = args.case.split(":")
        figures = asyncio.run(
            one_case(how, kind, isolation, args.n, args.concurrency, args.timeout)
        )
        print(json.dumps(figures))
        return
    overshoot_table(args)
    crashed, fresh = asyncio.run(crash_figures(args.crashes))
    print(f"2. crash to next conversation (process isolation, {args.crashes} segfaults)")
    print(f"  crash noticed, conversation ended: {ms(crashed)}")
    print(f"  fresh worker's first reply:        {ms(fresh)}")
    total = [a + b for a, b in zip(crashed, fresh, strict=True)]
    print(f"  crash to next conversation:        {ms(total)}")
    print(f"3. per-turn overhead of a well-behaved bot ({args.turns} turns each)")
    for size in (10, 50):
        figures = asyncio.run(overhead_figures(args.turns, size))
        for isolation, timings in figures.items():
            print(f"  {size:>2} messages, {isolation:>7}: {ms(timings)}")
    bot_process.shutdown()


if __name__ == "__main__":
    main()
