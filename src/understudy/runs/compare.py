"""Compare two stored runs metric by metric (``understudy.metrics.compare`` does the statistics)."""

from __future__ import annotations

from understudy.metrics.bands import Bands, load_bands
from understudy.metrics.batch import BatchMetrics
from understudy.metrics.compare import MetricDelta, compare_metrics
from understudy.storage.store import RUNNING, Store
from understudy.storage.tables import RunRow


def run_metrics(store: Store, run: RunRow, bands: Bands) -> BatchMetrics:
    """Return a run's metrics, banded by the thresholds in force.

    A finished run's stored metrics are rebanded; a running run's (or one stored without
    metrics) are computed live from its stored conversations.
    """
    if run.metrics is None or run.status == RUNNING:
        metrics = store.metrics_from_conversations(run.id)
    else:
        metrics = BatchMetrics.model_validate(run.metrics)
    return metrics.rebanded(bands)


def compare_runs(
    store: Store, a: RunRow, b: RunRow, bands: Bands | None = None
) -> list[MetricDelta]:
    """Return how run ``b`` differs from run ``a``, metric by metric.

    Args:
        store: where both runs are stored.
        a: the baseline run.
        b: the run compared with it.
        bands: thresholds in force; the user's configuration when None.

    Returns:
        One ``MetricDelta`` per metric: the delta, its simultaneous 95% interval and whether it
        is beyond noise (``understudy.metrics.compare.compare_metrics``).
    """
    bands = bands if bands is not None else load_bands()
    return compare_metrics(run_metrics(store, a, bands), run_metrics(store, b, bands))
