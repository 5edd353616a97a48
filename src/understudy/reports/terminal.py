"""Terminal charts (plotext): a metric's history with its 95% intervals, as text."""

from __future__ import annotations

from collections.abc import Sequence

from understudy.reports.charts import HistoryPoint

try:
    import plotext as plt
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "terminal charts need the 'reports' extra: pip install 'understudy[reports]'"
    ) from missing

HEIGHT = 20
"""Lines the plot takes."""


def history_plot(
    points: Sequence[HistoryPoint], metric: str, *, width: int = 80, colour: bool = False
) -> str:
    """Draw a score history: the value (``•``) and the interval's ends (``.``) per run.

    Args:
        points: runs, oldest first (``understudy.reports.data.history_points``); runs without a
            value (empty denominator) are left out.
        metric: the metric's display name.
        width: columns available.
        colour: keep ANSI colours (for a terminal).

    Returns:
        The plot, then one line per run: run id, value, k of n and interval.
    """
    shown = [p for p in points if p.rate.value is not None]
    plt.clf()
    plt.plotsize(max(40, width - 1), HEIGHT)
    plt.theme("clear")
    plt.title(f"{metric} across runs (95% interval)")
    x = list(range(1, len(shown) + 1))
    if shown:
        plt.plot(x, [p.rate.high or 0.0 for p in shown], marker=".", label="95% high")
        plt.plot(x, [p.rate.value or 0.0 for p in shown], marker="dot", label=metric)
        plt.plot(x, [p.rate.low or 0.0 for p in shown], marker=".", label="95% low")
        plt.xticks(x, [p.run_id for p in shown])
    plt.ylim(0, 1)
    plt.yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    chart = plt.build()
    if not colour:
        chart = plt.uncolorize(chart)
    lines = [chart.rstrip("\n")]
    for p in points:
        r = p.rate
        if r.value is None or r.low is None or r.high is None:
            lines.append(f"{p.run_id}  {p.when[:16]}  {p.persona}  n/a (0 of {r.n})")
            continue
        lines.append(
            f"{p.run_id}  {p.when[:16]}  {p.persona}  flow {p.flow_hash}  "
            f"{r.value * 100:.0f}% ({r.k} of {r.n}, {r.low * 100:.0f}-{r.high * 100:.0f}%)"
        )
    return "\n".join(lines) + "\n"
