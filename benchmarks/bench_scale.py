"""Conversations per second of one offline batch on 1 process, N local worker processes and a
local 2-node Ray cluster, and each one's ratio to the single process.

Run from the repository root::

    python benchmarks/bench_scale.py                     # 10,000 conversations: 1, 2 workers, Ray
    python benchmarks/bench_scale.py --n 2000 --no-ray   # smaller, local processes only
    python benchmarks/bench_scale.py --workers 1 2 4     # other worker counts

Every batch is the refund example against the typo-prone persona, seed 1, stored in a fresh
SQLite database as ``understudy stress-test`` stores it (one process commits its conversations
as they end; local workers commit their own hand-outs; a Ray batch's driver commits what comes
back). The wall time covers starting the workers (their fork server imports understudy) or the
cluster's tasks, and every commit; the Ray cluster itself (two nodes of one CPU each, started with
``ray.cluster_utils.Cluster``) is started before the clock runs. The load average is printed
with the figures: on a shared machine the other processes take cores too. Aim (issue "Fast at
every size"): 2 workers at least 1.8 times one process on 2 cores for 10,000 conversations.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"


def play_once(n: int, workers: int, backend: str, address: str | None) -> float:
    """Play one stored batch; return its wall seconds."""
    from understudy.runs import plan_stress_test, play
    from understudy.storage.store import Store

    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=n, seed=1)
    store = Store()
    started = time.perf_counter()
    outcome = asyncio.run(
        play(
            plan,
            store,
            keep_conversations=False,
            workers=workers,
            backend=backend,
            address=address,
        )
    )
    wall = time.perf_counter() - started
    assert outcome.result.played == n, "every conversation was played"
    return wall


def main(argv: list[str] | None = None) -> int:
    """Run each configuration once and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="conversations (default 10,000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="worker counts")
    parser.add_argument("--no-ray", action="store_true", help="skip the local Ray cluster")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNDERSTUDY_HOME"] = home
        play_once(20, 1, "local", None)  # warm caches and create the database
        cores = os.cpu_count()
        print(f"refund example, typo-prone, {args.n:,} conversations, stored; {cores} cores")
        print(f"{'configuration':<28} {'wall s':>8} {'conv/s':>8} {'ratio':>6} {'load':>5}")
        base = play_once(args.n, 1, "local", None)
        rows = [("1 process", base)]
        print(f"{'1 process':<28} {base:>8.1f} {args.n / base:>8.0f} {1.0:>6.2f} "
              f"{os.getloadavg()[0]:>5.1f}")  # fmt: skip
        for workers in args.workers:
            wall = play_once(args.n, workers, "local", None)
            rows.append((f"{workers} local workers", wall))
            print(f"{f'{workers} local workers':<28} {wall:>8.1f} {args.n / wall:>8.0f} "
                  f"{base / wall:>6.2f} {os.getloadavg()[0]:>5.1f}")  # fmt: skip
        if not args.no_ray:
            import ray
            from ray.cluster_utils import Cluster

            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
            try:
                cluster.add_node(num_cpus=1)
                ray.init(address=cluster.address, log_to_driver=False, include_dashboard=False)
                cluster.wait_for_nodes()
                wall = play_once(args.n, 1, "ray", cluster.address)
                label = "Ray, 2 local nodes x 1 CPU"
                print(f"{label:<28} {wall:>8.1f} {args.n / wall:>8.0f} {base / wall:>6.2f} "
                      f"{os.getloadavg()[0]:>5.1f}")  # fmt: skip
            finally:
                ray.shutdown()
                cluster.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
