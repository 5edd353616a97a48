"""Voice metrics of a stress-test run against a voice bot, from its replies' timings.

Each reply of a voice bot carries ``meta["voice"]`` (``understudy.voice.bot_client``): the
response latency, whether the bot talked over the customer, the longest silence of the exchange
and the number of long silences. A run's voice metrics sum them up:

=========================  =============================================================
metric                     definition
=========================  =============================================================
``replies``                bot replies with timings
``latency_p50_s`` / p90    nearest-rank percentiles of the latencies (seconds, from the end
                           of the customer's speech to the bot's first speech); replies where
                           the bot talked over the customer have no latency and are left out
``latency_max_s``          the slowest reply
``interruptions``          replies the bot started while the customer was still speaking
``long_silences``          stretches of at least ``long_silence_s`` (3 s by default) with
                           nobody speaking: waits for a reply and pauses inside one
``longest_silence_s``      the longest such stretch in the run
=========================  =============================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel


class VoiceMetrics(BaseModel):
    """A run's voice metrics (see the module docstring); seconds, None when nothing measured."""

    replies: int
    latency_p50_s: float | None
    latency_p90_s: float | None
    latency_max_s: float | None
    interruptions: int
    long_silences: int
    longest_silence_s: float | None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at
    or below it (None for no values).

    Args:
        values: the measurements, in any order.
        share: between 0 and 1 (0.5 for the median, 0.9 for p90).
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def voice_metrics(timings: Iterable[dict[str, Any]]) -> VoiceMetrics | None:
    """Sum up the ``meta["voice"]`` of a run's bot replies; None when there are none.

    Args:
        timings: one dict per reply, with ``latency_s`` (float or None), ``talked_over``,
            ``longest_silence_s`` and ``long_silences``.
    """
    rows = [t for t in timings if isinstance(t, dict)]
    if not rows:
        return None
    latencies = [float(t["latency_s"]) for t in rows if t.get("latency_s") is not None]
    silences = [
        float(t["longest_silence_s"]) for t in rows if t.get("longest_silence_s") is not None
    ]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return VoiceMetrics(
        replies=len(rows),
        latency_p50_s=rounded(percentile(latencies, 0.5)),
        latency_p90_s=rounded(percentile(latencies, 0.9)),
        latency_max_s=rounded(max(latencies)) if latencies else None,
        interruptions=sum(1 for t in rows if t.get("talked_over")),
        long_silences=sum(int(t.get("long_silences") or 0) for t in rows),
        longest_silence_s=rounded(max(silences)) if silences else None,
    )
