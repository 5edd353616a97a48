"""Batch metrics: rates with Wilson intervals, green/amber/red bands, run comparison."""

from understudy.metrics.bands import DEFAULT_BANDS, Band, Bands, Threshold, load_bands
from understudy.metrics.batch import (
    RATE_NAMES,
    BatchMetrics,
    ConversationOutcome,
    Mean,
    Rate,
    compute_metrics,
)
from understudy.metrics.compare import MetricDelta, Verdict, compare_metrics
from understudy.metrics.intervals import newcombe_interval, wilson_interval

__all__ = [
    "DEFAULT_BANDS",
    "RATE_NAMES",
    "Band",
    "Bands",
    "BatchMetrics",
    "ConversationOutcome",
    "Mean",
    "MetricDelta",
    "Rate",
    "Threshold",
    "Verdict",
    "compare_metrics",
    "compute_metrics",
    "load_bands",
    "newcombe_interval",
    "wilson_interval",
]
