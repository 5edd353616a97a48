"""Gates: pass or fail a batch against a bar, only on evidence beyond the batch's noise.

A gate is ``completion=0.8`` under ``--fail-under`` (the rate must reach 0.8) or ``fallback=0.2``
under ``--fail-over`` (the rate must stay at or below 0.2). The rule, the same in the CLI and the
pytest plugin (``understudy.pytest_plugin``):

- ``--fail-under metric=bar`` fails only when the **upper** end of the rate's 95% Wilson interval
  is below the bar: even the most favourable reading of the batch misses it.
- ``--fail-over metric=bar`` fails only when the **lower** end is above the bar.

Why the interval and not the point estimate: batches are small (10 to 50 conversations), and with
25 conversations a flow whose true completion rate is exactly 0.8 shows 0.72 or less about one run
in four. A gate on the point estimate would turn pull requests red on noise and teach people to
re-run CI until it passes. The interval gate fails only when the batch itself shows the bar is
missed, so a red build is a real regression; the price is that a small batch can only catch large
misses (raise ``-n`` to tighten the interval). A rate with an empty denominator (no off-topic
conversation for the recovery rate) has no evidence either way and passes, saying so.

Metric names are the rates of ``understudy.metrics.batch.BatchMetrics`` or their short forms
(``completion``, ``fallback``, ``fallback_turns``, ``recovery``, ``abandonment``, ``escalation``,
``errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from understudy.errors import ConfigError
from understudy.metrics.batch import ALL_RATE_NAMES, BatchMetrics, Rate

ALIASES: dict[str, str] = {
    "completion": "completion_rate",
    "fallback": "fallback_rate",
    "fallback_turns": "fallback_turn_rate",
    "recovery": "off_topic_recovery_rate",
    "off_topic_recovery": "off_topic_recovery_rate",
    "abandonment": "abandonment_rate",
    "escalation": "escalation_rate",
    "errors": "error_rate",
}
"""Short metric names accepted by gates, and the rate each one means."""

RATES = ALL_RATE_NAMES


class Side(StrEnum):
    """Which side of the bar a rate must stay on."""

    under = "fail-under"
    over = "fail-over"


@dataclass(frozen=True)
class Gate:
    """One bar: ``metric`` must not be confidently under (or over) ``bar``.

    Attributes:
        metric: a rate name (``completion_rate``...).
        side: ``fail-under`` (the rate must reach the bar) or ``fail-over`` (stay at or below).
        bar: the bar, a proportion in ``[0, 1]``.
    """

    metric: str
    side: Side
    bar: float

    def __str__(self) -> str:
        return f"--{self.side.value} {self.metric}={self.bar:g}"


@dataclass(frozen=True)
class GateResult:
    """A gate checked against a batch.

    Attributes:
        gate: the gate.
        rate: the batch's rate of the gate's metric.
        passed: False only when the interval lies wholly on the wrong side of the bar.
        message: one sentence with k of n, the interval and the verdict.
    """

    gate: Gate
    rate: Rate
    passed: bool
    message: str


def metric_name(name: str) -> str:
    """The rate name of ``name`` (a rate name or a short alias).

    Raises:
        ConfigError: an unknown metric; the message lists the known names.
    """
    full = ALIASES.get(name, name)
    if full not in RATES:
        known = ", ".join(sorted({*ALIASES, *RATES}))
        raise ConfigError(f"unknown metric {name!r} in a gate; known metrics: {known}")
    return full


def parse_gate(text: str, side: Side) -> Gate:
    """Parse ``metric=bar`` (e.g. ``completion=0.8``; ``80%`` also reads as 0.8).

    Raises:
        ConfigError: not ``metric=bar``, an unknown metric, or a bar outside ``[0, 1]``.
    """
    metric, sep, raw = text.partition("=")
    if not sep or not metric.strip() or not raw.strip():
        raise ConfigError(f"--{side.value} expects metric=bar, e.g. completion=0.8; got {text!r}")
    raw = raw.strip()
    try:
        bar = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ConfigError(
            f"--{side.value} {text}: expected a number between 0 and 1 after '=', got {raw!r}"
        ) from None
    if not 0.0 <= bar <= 1.0:
        raise ConfigError(f"--{side.value} {text}: the bar must be between 0 and 1, got {bar:g}")
    return Gate(metric=metric_name(metric.strip()), side=side, bar=bar)


def parse_gates(under: list[str] | None, over: list[str] | None) -> list[Gate]:
    """Parse every ``--fail-under`` and ``--fail-over`` value, in that order."""
    return [parse_gate(t, Side.under) for t in under or []] + [
        parse_gate(t, Side.over) for t in over or []
    ]


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def check_rate(rate: Rate, side: Side, bar: float, label: str) -> tuple[bool, str]:
    """Check one rate against a bar by its interval (the module's rule).

    Args:
        rate: the rate, with its Wilson interval.
        side: ``fail-under`` or ``fail-over``.
        bar: the bar in ``[0, 1]``.
        label: how the message names the metric.

    Returns:
        ``(passed, message)``; the message gives k of n, the value and the interval.
    """
    if rate.n == 0 or rate.low is None or rate.high is None or rate.value is None:
        return True, f"{label}: no data (0 conversations count toward it); not gated"
    observed = (
        f"{label} {_pct(rate.value)} ({rate.k} of {rate.n}, "
        f"95% interval {_pct(rate.low)}-{_pct(rate.high)})"
    )
    if side is Side.under:
        if rate.high < bar:
            return False, f"{observed} is below {_pct(bar)}: even the interval's top misses it"
        if rate.value < bar:
            return True, f"{observed}: under {_pct(bar)} but within the noise; not failed"
        return True, f"{observed} reaches {_pct(bar)}"
    if rate.low > bar:
        return False, f"{observed} is above {_pct(bar)}: even the interval's bottom exceeds it"
    if rate.value > bar:
        return True, f"{observed}: over {_pct(bar)} but within the noise; not failed"
    return True, f"{observed} stays within {_pct(bar)}"


def check_gates(metrics: BatchMetrics, gates: list[Gate]) -> list[GateResult]:
    """Check every gate against a batch's metrics, in order."""
    rates = metrics.rates()
    out = []
    for gate in gates:
        rate = rates[gate.metric]
        passed, message = check_rate(rate, gate.side, gate.bar, gate.metric.replace("_", " "))
        out.append(GateResult(gate=gate, rate=rate, passed=passed, message=message))
    return out
