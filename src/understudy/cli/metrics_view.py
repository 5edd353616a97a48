"""Rendering of batch metrics for the terminal (Rich) and for ``--json``, shared by commands."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from understudy.metrics.bands import Band
from understudy.metrics.batch import METRIC_LABELS, RATE_NAMES, BatchMetrics, Mean, Rate
from understudy.metrics.compare import MetricDelta, Verdict
from understudy.metrics.voice import VoiceMetrics

LABELS = METRIC_LABELS

BAND_STYLES = {Band.green: "green", Band.amber: "yellow", Band.red: "red", Band.na: "dim"}
VERDICT_STYLES = {
    Verdict.better: "green",
    Verdict.worse: "red",
    Verdict.within_noise: "dim",
    Verdict.na: "dim",
}


def percent(value: float | None) -> str:
    """Format a proportion as a whole percentage, or ``n/a``."""
    return "n/a" if value is None else f"{value * 100:.0f}%"


def rate_text(rate: Rate) -> Text:
    """The rate's value coloured by its band."""
    return Text(percent(rate.value), style=BAND_STYLES[rate.band])


def interval_text(rate: Rate) -> str:
    """``low-high%`` of the 95% interval, or ``n/a``."""
    if rate.low is None or rate.high is None:
        return "n/a"
    return f"{rate.low * 100:.0f}-{rate.high * 100:.0f}%"


def mean_text(mean: Mean) -> Text:
    """The mean, one decimal, coloured by its band."""
    shown = "n/a" if mean.value is None else f"{mean.value:.1f}"
    return Text(shown, style=BAND_STYLES[mean.band])


def metrics_table(metrics: BatchMetrics, title: str | None = None) -> Table:
    """A table of every metric: value, k of n, 95% Wilson interval and band."""
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("k / n", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("band")
    for name, rate in metrics.rates().items():
        table.add_row(
            LABELS[name],
            rate_text(rate),
            f"{rate.k} / {rate.n}",
            interval_text(rate),
            Text(rate.band.value, style=BAND_STYLES[rate.band]),
        )
    mean = metrics.mean_turns_to_completion
    spread = "" if mean.sd is None else f"sd {mean.sd:.1f}"
    table.add_row(
        LABELS["mean_turns_to_completion"],
        mean_text(mean),
        f"n = {mean.n}",
        spread,
        Text(mean.band.value, style=BAND_STYLES[mean.band]),
    )
    return table


def rate_json(rate: Rate) -> dict[str, Any]:
    """``{value, k, n, low, high, band}`` of a rate."""
    return {
        "value": rate.value,
        "k": rate.k,
        "n": rate.n,
        "low": rate.low,
        "high": rate.high,
        "band": rate.band.value,
    }


def metrics_json(metrics: BatchMetrics) -> dict[str, Any]:
    """Every metric as JSON: the five headline rates first, then the others."""
    out: dict[str, Any] = {name: rate_json(getattr(metrics, name)) for name in RATE_NAMES}
    for name, rate in metrics.rates().items():
        out.setdefault(name, rate_json(rate))
    mean = metrics.mean_turns_to_completion
    out["mean_turns_to_completion"] = {
        "value": mean.value,
        "sd": mean.sd,
        "n": mean.n,
        "band": mean.band.value,
    }
    return out


def _signed(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric == "mean_turns_to_completion":
        return f"{value:+.1f}"
    return f"{value * 100:+.0f} pts"


def _plain(metric: str, value: float | None) -> str:
    if metric == "mean_turns_to_completion":
        return "n/a" if value is None else f"{value:.1f}"
    return percent(value)


def comparison_table(deltas: list[MetricDelta], a: str, b: str) -> Table:
    """A table of per-metric deltas from run ``a`` to run ``b`` with the noise verdict."""
    table = Table(title=f"{a} -> {b}", title_justify="left")
    table.add_column("metric")
    table.add_column(a, justify="right")
    table.add_column(b, justify="right")
    table.add_column("delta", justify="right")
    table.add_column("interval of delta*", justify="right")
    table.add_column("verdict")
    for d in deltas:
        interval = (
            "n/a"
            if d.low is None or d.high is None
            else f"{_signed(d.metric, d.low)} .. {_signed(d.metric, d.high)}"
        )
        table.add_row(
            LABELS[d.metric],
            _plain(d.metric, d.a),
            _plain(d.metric, d.b),
            _signed(d.metric, d.delta),
            interval,
            Text(d.verdict.value, style=VERDICT_STYLES[d.verdict]),
        )
    return table


def voice_table(voice: VoiceMetrics) -> Table:
    """The voice metrics of a run against a voice bot (``understudy.metrics.voice``)."""

    def seconds(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f} s"

    table = Table(title="voice (from the audio)", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("bot replies timed", str(voice.replies))
    table.add_row("response latency p50", seconds(voice.latency_p50_s))
    table.add_row("response latency p90", seconds(voice.latency_p90_s))
    table.add_row("slowest response", seconds(voice.latency_max_s))
    table.add_row("interruptions (bot talked over the customer)", str(voice.interruptions))
    table.add_row("long silences", str(voice.long_silences))
    table.add_row("longest silence", seconds(voice.longest_silence_s))
    return table
