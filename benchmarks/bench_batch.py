"""Batch size against memory and CPU: offline stress tests of 1,000 and 10,000 conversations
(and 100,000 with ``--large``), each in a fresh process, stored as ``understudy stress-test`` does.

Run from the repository root::

    python benchmarks/bench_batch.py                 # 1,000 and 10,000 conversations
    python benchmarks/bench_batch.py --large         # and 100,000 (about 10 CPU-minutes)
    python benchmarks/bench_batch.py --n 2000 --profile   # cProfile's top functions of one size

Each line prints, for one batch size played in a child process (a temporary UNDERSTUDY_HOME, a
fresh SQLite database): the peak resident memory of the process (``ru_maxrss``), the CPU seconds
spent before the first conversation (imports, plan), the CPU milliseconds per conversation
(the rest, divided by N; the store's writer thread included), wall time and conversations per
second. Flat memory means the peak does not grow with N: the metrics are tallied as
conversations end and no transcript is kept (``play(..., keep_conversations=False)``).
Aim (issue "Fast at every size"): 100,000 conversations under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(n: int, persona: str, concurrency: int, profile: bool) -> dict[str, float]:
    """Play one stored batch in this process; return its figures."""
    from understudy.runs import plan_stress_test, play
    from understudy.storage.store import Store

    plan = plan_stress_test(str(FLOW), persona=persona, n=n, seed=1, concurrency=concurrency)
    store = Store()
    setup_cpu = _cpu_s()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    outcome = asyncio.run(play(plan, store, keep_conversations=False))
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    wall = time.perf_counter() - started
    cpu = _cpu_s() - setup_cpu
    return {
        "n": outcome.result.played,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "setup_cpu_s": setup_cpu,
        "cpu_ms_per_conversation": 1000 * cpu / n,
        "wall_s": wall,
    }


def main(argv: list[str] | None = None) -> int:
    """Run each batch size in a child process and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="batch sizes (default 1000, 10000)")
    parser.add_argument("--large", action="store_true", help="add 100,000 conversations")
    parser.add_argument("--persona", default="typo-prone")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        figures = child(args.child, args.persona, args.concurrency, args.profile)
        print(json.dumps(figures))
        return 0
    sizes = args.n or [1000, 10000]
    if args.large:
        sizes.append(100_000)
    print(
        f"refund example, persona {args.persona}, concurrency {args.concurrency}, stored; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'conversations':>13}  {'peak MB':>8}  {'setup CPU s':>11}  {'CPU ms/conv':>11}  "
          f"{'wall s':>8}  {'conv/s':>7}")  # fmt: skip
    for n in sizes:
        with tempfile.TemporaryDirectory() as home:
            command = [sys.executable, __file__, "--child", str(n), "--persona", args.persona]
            command += ["--concurrency", str(args.concurrency)]
            if args.profile:
                command.append("--profile")
            env = {**os.environ, "UNDERSTUDY_HOME": home}
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return done.returncode
            if args.profile:
                print(done.stderr)
            f = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{int(f['n']):>13,}  {f['peak_mb']:>8.0f}  {f['setup_cpu_s']:>11.2f}  "
                  f"{f['cpu_ms_per_conversation']:>11.2f}  {f['wall_s']:>8.1f}  "
                  f"{f['n'] / f['wall_s']:>7.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
