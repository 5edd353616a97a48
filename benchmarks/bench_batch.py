"""Batch throughput of the refund example: 50 and 1,000 conversations, with and without storage.

Run from the repository root::

    python benchmarks/bench_batch.py            # 50 and 1000 conversations
    python benchmarks/bench_batch.py --n 200 --profile   # cProfile's top functions as well

Each line prints the wall time and conversations per second. "with storage" includes committing
every conversation and its messages to a fresh SQLite database (a temporary UNDERSTUDY_HOME),
exactly as ``understudy stress-test`` does. Aim: 50 conversations in under 1 s and 1,000 in
under 15 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"


def bench(n: int, *, storage: bool, persona: str, concurrency: int) -> tuple[float, int]:
    """Play one batch; return (wall seconds, conversations)."""
    from understudy.runs import plan_stress_test, play
    from understudy.storage.store import Store

    started = time.perf_counter()
    plan = plan_stress_test(str(FLOW), persona=persona, n=n, seed=1, concurrency=concurrency)
    store = Store() if storage else None
    outcome = asyncio.run(play(plan, store))
    return time.perf_counter() - started, len(outcome.result.conversations)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per configuration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="batch sizes (default 50, 1000)")
    parser.add_argument("--persona", default="typo-prone")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    args = parser.parse_args(argv)
    sizes = args.n or [50, 1000]
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNDERSTUDY_HOME"] = home
        bench(5, storage=True, persona=args.persona, concurrency=args.concurrency)  # warm up
        print(f"refund example, persona {args.persona}, concurrency {args.concurrency}")
        for n in sizes:
            for storage in (False, True):
                profiler = cProfile.Profile() if args.profile else None
                if profiler:
                    profiler.enable()
                wall, done = bench(
                    n, storage=storage, persona=args.persona, concurrency=args.concurrency
                )
                if profiler:
                    profiler.disable()
                label = "with storage" if storage else "no storage  "
                print(f"{done:>6} conversations  {label}  {wall:7.2f} s  {done / wall:8.1f} conv/s")
                if profiler:
                    stats = pstats.Stats(profiler, stream=sys.stdout)
                    stats.sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
