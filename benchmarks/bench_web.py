"""How long the web app's run history takes with 1,000 stored runs of one flow.

Stores 1,000 finished runs (10 conversations each, varied metrics) of the example refund flow in
a fresh UNDERSTUDY_HOME, then times, through FastAPI's test client: the history table's first
and last page (20 runs a page) and one chart (the newest 50 runs). Prints the figures.

Run: python benchmarks/bench_web.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOW = REPO / "examples" / "flows" / "refund.yaml"


def store_runs(count: int) -> None:
    """Store ``count`` finished runs of the refund flow with metrics, oldest first."""
    from understudy.metrics.bands import Bands
    from understudy.metrics.batch import ALL_RATE_NAMES, BatchMetrics, Mean, Rate
    from understudy.storage.db import open_database
    from understudy.storage.tables import RunRow

    rng = random.Random(1)
    bands = Bands()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sessions = open_database()
    personas = ["typo-prone", "impatient", "elderly", "non-native"]
    with sessions() as db:
        for i in range(count):
            rates = {name: Rate.of(name, rng.randint(0, 10), 10, bands) for name in ALL_RATE_NAMES}
            metrics = BatchMetrics(
                conversations=10,
                errors=0,
                mean_turns_to_completion=Mean(
                    value=8.0, sd=1.0, n=10, band=bands.band("mean_turns_to_completion", 8.0)
                ),
                **rates,
            )
            db.add(
                RunRow(
                    id=f"b{i:05d}",
                    created_at=start + timedelta(minutes=i),
                    finished_at=start + timedelta(minutes=i, seconds=5),
                    status="finished",
                    agent_kind="flow",
                    agent_ref=str(FLOW.resolve()),
                    agent_name="ABCD Initiate Refund",
                    agent_version="draft",
                    agent_hash=f"{i // 50:064x}",
                    persona_id=personas[i % len(personas)],
                    simulator_kind="offline",
                    seed="0",
                    n=10,
                    concurrency=8,
                    metrics=metrics.model_dump(mode="json"),
                )
            )
        db.commit()


def timed(client: object, url: str, params: dict[str, object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url, params=params)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.text[:300]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["UNDERSTUDY_HOME"] = tempfile.mkdtemp(prefix="bench-web-")
    os.chdir(REPO)
    from fastapi.testclient import TestClient

    from understudy.web import create_app
    from understudy.web.flows import PAGE_SIZE

    began = time.perf_counter()
    store_runs(args.runs)
    print(f"stored {args.runs} runs in {time.perf_counter() - began:.1f} s")
    client = TestClient(create_app())
    path = {"path": str(FLOW.relative_to(REPO))}
    last = -(-args.runs // PAGE_SIZE)
    for label, url, params in [
        ("history page 1", "/flow/history", path),
        (f"history page {last}", "/flow/history", {**path, "page": last}),
        ("flow page", "/flow", path),
        ("chart (newest 50 runs, SVG)", "/flow/chart.svg", {**path, "persona": "typo-prone"}),
    ]:
        times = timed(client, url, params, args.repeat)
        print(
            f"{label:32s} median {statistics.median(times) * 1000:7.0f} ms"
            f"   max {max(times) * 1000:7.0f} ms   ({args.repeat} requests)"
        )


if __name__ == "__main__":
    main()
