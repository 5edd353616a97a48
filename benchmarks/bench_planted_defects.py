"""Planted defects: does each broken flow move the metric it should, beyond noise?

Run from the repository root::

    python benchmarks/bench_planted_defects.py            # n = 50, seed 1, 5 self-comparisons
    python benchmarks/bench_planted_defects.py --n 25

Each defect is one realistic break of the refund example flow (``tests/flow_variants.py``):
too few intent examples, a slot pattern that rejects valid input, a missing branch, a loop, a
fallback that never hands over, removed FAQ answers, a greeting that asks several questions at
once, yes and no swapped. The intact and the broken flow play the same seeded customers of one
built-in persona (the refund example's default scenario), and ``understudy.metrics.compare``
compares the two batches exactly as ``understudy runs compare`` does: a metric is beyond noise
when its family-wise 95% (Bonferroni over the metrics compared) Newcombe interval of the
difference excludes 0.

For each defect it prints the metric the defect must worsen, its value intact and broken, the
interval, and every other metric that moved beyond noise. Then, for every persona used, it
compares the intact flow with itself over seed pairs (1 vs 101, 2 vs 102, ...): a metric beyond
noise there is a false alarm.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import flow_variants as variants  # noqa: E402
from understudy.content.flows import load_flow  # noqa: E402
from understudy.metrics.compare import MetricDelta, Verdict, compare_metrics  # noqa: E402


def flagged(deltas: list[MetricDelta]) -> list[MetricDelta]:
    """The metrics that moved beyond noise."""
    return [d for d in deltas if d.beyond_noise]


async def detect(
    defect: variants.Defect, n: int, seed: int
) -> tuple[MetricDelta, list[MetricDelta]]:
    """Compare intact and broken; return the defect's metric and every metric beyond noise."""
    intact = load_flow(variants.REFUND)
    a = await variants.score(intact, defect.persona, seed, n)
    b = await variants.score(defect.variant(intact), defect.persona, seed, n)
    deltas = compare_metrics(a, b)
    mine = next(d for d in deltas if d.metric == defect.metric)
    return mine, flagged(deltas)


async def self_alarms(persona: str, n: int, pairs: int) -> list[tuple[int, MetricDelta]]:
    """Intact flow against itself over seed pairs (s, s + 100): every metric beyond noise."""
    intact = load_flow(variants.REFUND)
    out: list[tuple[int, MetricDelta]] = []
    for seed in range(1, pairs + 1):
        a = await variants.score(intact, persona, seed, n)
        b = await variants.score(intact, persona, seed + 100, n)
        out.extend((seed, d) for d in flagged(compare_metrics(a, b)))
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


async def main_async(n: int, seed: int, pairs: int) -> int:
    """Print the detection table and the self-comparison alarms; 1 when a check fails."""
    failures = 0
    print(f"Planted defects in the refund flow: n = {n}, seed {seed}")
    header = f"{'defect':<34}{'persona':<12}{'metric':<26}{'intact':>7}{'broken':>7}"
    print(header + f"{'interval':>18}  verdict      also beyond noise")
    for defect in variants.DEFECTS:
        mine, moved = await detect(defect, n, seed)
        others = ", ".join(f"{d.metric} {d.verdict.value}" for d in moved if d is not mine)
        interval = f"[{_fmt(mine.low)}, {_fmt(mine.high)}]"
        ok = mine.verdict is Verdict.worse and not variants.looks_better(moved)
        failures += not ok
        print(
            f"{defect.name:<34}{defect.persona:<12}{defect.metric:<26}{_fmt(mine.a):>7}"
            f"{_fmt(mine.b):>7}{interval:>18}  {mine.verdict.value:<12} {others or '-'}"
        )
    personas = sorted({d.persona for d in variants.DEFECTS})
    print(f"\nIntact flow against itself, seed pairs (s, s + 100) for s = 1..{pairs}:")
    for persona in personas:
        alarms = await self_alarms(persona, n, pairs)
        failures += bool(alarms)
        said = ", ".join(f"seed {s}: {d.metric} {d.verdict.value}" for s, d in alarms)
        print(f"  {persona:<12} {len(alarms)} false alarms{': ' + said if said else ''}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args.n, args.seed, args.pairs))


if __name__ == "__main__":
    raise SystemExit(main())
