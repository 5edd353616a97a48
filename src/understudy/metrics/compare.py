"""Compare the metrics of two batch runs: per-metric delta and whether it is beyond noise.

The rule: for a rate, the delta ``B - A`` is beyond the noise of the two batches when the
Newcombe hybrid score interval of the difference of two independent proportions (Newcombe 1998,
method 10; ``understudy.metrics.intervals.newcombe_interval``) does not contain 0. For mean turns
to completion, the same holds with a normal-approximation (Welch) interval of the difference of
means. A metric with an empty denominator on either side cannot be compared (``n/a``).

Because one comparison looks at several metrics at once (up to eight), each interval is taken at
the Bonferroni-adjusted level ``1 - 0.05 / m`` for the ``m`` metrics compared, so that the chance
of calling *any* difference real when nothing changed stays at most 5% (family-wise). Without it,
two runs of the same flow with different seeds would show a "significant" change about one time
in three. The reported ``low``/``high`` are these simultaneous intervals.

Whether a change is an improvement follows the metric's direction (higher completion is better,
lower fallback is better; ``understudy.metrics.bands.DIRECTIONS``).
"""

from __future__ import annotations

import math
from enum import StrEnum
from statistics import NormalDist

from pydantic import BaseModel

from understudy.metrics.bands import DIRECTIONS, Direction
from understudy.metrics.batch import BatchMetrics
from understudy.metrics.intervals import mean_difference_interval, newcombe_interval


class Verdict(StrEnum):
    """How a metric moved from run A to run B."""

    better = "better"
    worse = "worse"
    within_noise = "within noise"
    na = "n/a"


class MetricDelta(BaseModel):
    """One metric of a comparison.

    Attributes:
        metric: metric name.
        a: value in run A (None when undefined).
        b: value in run B (None when undefined).
        delta: ``b - a`` (None when either is undefined).
        low: lower end of the (simultaneous, family-wise 95%) interval of the delta.
        high: upper end of that interval.
        beyond_noise: the interval excludes 0.
        verdict: better, worse, within noise, or n/a.
    """

    metric: str
    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None
    beyond_noise: bool
    verdict: Verdict


def _delta(
    metric: str,
    a: float | None,
    b: float | None,
    interval: tuple[float, float, float] | None,
) -> MetricDelta:
    """One metric's delta from ``(difference, low, high)``, or n/a when there is no interval.

    An infinite bound (a mean over fewer than two conversations) is reported as None.
    """
    if interval is None:
        return MetricDelta(
            metric=metric,
            a=a,
            b=b,
            delta=None,
            low=None,
            high=None,
            beyond_noise=False,
            verdict=Verdict.na,
        )
    d, low, high = interval
    beyond = low > 0 or high < 0
    return MetricDelta(
        metric=metric,
        a=a,
        b=b,
        delta=d,
        low=low if math.isfinite(low) else None,
        high=high if math.isfinite(high) else None,
        beyond_noise=beyond,
        verdict=_verdict(metric, d, beyond),
    )


def _verdict(metric: str, delta: float, beyond: bool) -> Verdict:
    if not beyond:
        return Verdict.within_noise
    up_is_good = DIRECTIONS[metric] is Direction.up
    return Verdict.better if (delta > 0) == up_is_good else Verdict.worse


def compare_metrics(
    a: BatchMetrics, b: BatchMetrics, family_alpha: float = 0.05
) -> list[MetricDelta]:
    """Return the delta of every metric from run ``a`` to run ``b``.

    Args:
        a: metrics of the first (baseline) run.
        b: metrics of the second run.
        family_alpha: chance of calling any difference beyond noise when nothing changed
            (split evenly over the metrics compared; see the module docstring).

    Returns:
        One entry per rate (headline rates first) and one for mean turns to completion.
    """
    out: list[MetricDelta] = []
    rates_b = b.rates()
    compared = sum(1 for name, r in a.rates().items() if r.n and rates_b[name].n)
    means = a.mean_turns_to_completion, b.mean_turns_to_completion
    compared += all(m.value is not None for m in means)
    z = NormalDist().inv_cdf(1 - family_alpha / (2 * max(compared, 1)))
    for name, ra in a.rates().items():
        rb = rates_b[name]
        interval = newcombe_interval(ra.k, ra.n, rb.k, rb.n, z) if ra.n and rb.n else None
        out.append(_delta(name, ra.value, rb.value, interval))
    ma, mb = a.mean_turns_to_completion, b.mean_turns_to_completion
    interval = None
    if ma.value is not None and mb.value is not None:
        interval = mean_difference_interval(
            ma.value, ma.sd or 0.0, ma.n, mb.value, mb.sd or 0.0, mb.n, z
        )
    out.append(_delta("mean_turns_to_completion", ma.value, mb.value, interval))
    return out
