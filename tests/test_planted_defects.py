"""Planted defects: each broken refund flow worsens its metric beyond noise; intact never alarms.

Every defect of ``flow_variants.DEFECTS`` is compared with the intact flow over the same 50
seeded customers, with the comparison ``understudy runs compare`` uses
(``understudy.metrics.compare``: family-wise 95% Newcombe intervals). The intact flow compared
with itself over five seed pairs must show no metric beyond noise.
"""

from __future__ import annotations

import pytest

from flow_variants import DEFECTS, REFUND, Defect, looks_better, score
from understudy.content.flows import load_flow
from understudy.metrics.compare import Verdict, compare_metrics

N = 50


@pytest.mark.slow
@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
async def test_each_planted_defect_worsens_its_metric_beyond_noise(defect: Defect) -> None:
    intact = load_flow(REFUND)
    a = await score(intact, defect.persona, 1, N)
    b = await score(defect.variant(intact), defect.persona, 1, N)
    deltas = compare_metrics(a, b)
    mine = next(d for d in deltas if d.metric == defect.metric)
    assert mine.verdict is Verdict.worse, (
        f"{defect.name}: {defect.metric} should be worse beyond noise for {defect.persona} "
        f"({mine.a} -> {mine.b}, interval [{mine.low}, {mine.high}])"
    )
    moved = [d for d in deltas if d.beyond_noise]
    assert not looks_better(moved), f"{defect.name}: a defect never looks like a fix: {moved}"


@pytest.mark.slow
@pytest.mark.parametrize("persona", sorted({d.persona for d in DEFECTS}))
async def test_the_intact_flow_is_never_flagged_against_itself(persona: str) -> None:
    intact = load_flow(REFUND)
    for seed in range(1, 6):
        a = await score(intact, persona, seed, N)
        b = await score(intact, persona, seed + 100, N)
        alarms = [d for d in compare_metrics(a, b) if d.beyond_noise]
        assert not alarms, f"{persona}, seeds {seed} and {seed + 100}: false alarm {alarms}"
