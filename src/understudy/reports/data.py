"""Chart inputs from stored runs: the values ``understudy.reports.charts`` draws.

Everything here reads already-computed metrics and stored transcripts; nothing is recomputed in a
different way for a chart, so a chart always agrees with ``understudy runs show``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from understudy.domain.transcript import ConversationResult, Role, TerminationReason
from understudy.metrics.batch import BatchMetrics, Rate
from understudy.reports.charts import HistoryPoint, RateValue
from understudy.storage.tables import RunRow

NO_NODE = "(no node)"
"""Label of turns whose agent reported no flow node (webhooks, callables, LLM agents)."""


def rate_value(label: str, rate: Rate) -> RateValue:
    """The chart value of a stored rate, labelled ``label``."""
    return RateValue(
        label=label,
        value=rate.value,
        k=rate.k,
        n=rate.n,
        low=rate.low,
        high=rate.high,
        band=rate.band.value,
    )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def history_points(
    runs: Sequence[tuple[RunRow, BatchMetrics]], metric: str = "completion_rate"
) -> list[HistoryPoint]:
    """Points of a score history, oldest run first.

    Args:
        runs: runs with their metrics, in any order.
        metric: a rate name of ``BatchMetrics.rates()`` (e.g. ``fallback_rate``).

    Raises:
        KeyError: ``metric`` is not a rate.
    """
    ordered = sorted(runs, key=lambda pair: (pair[0].created_at, pair[0].id))
    return [
        HistoryPoint(
            run_id=run.id,
            when=_iso(run.created_at),
            persona=run.persona_id,
            flow_hash=run.agent_hash[:12],
            rate=rate_value(run.id, metrics.rates()[metric]),
        )
        for run, metrics in ordered
    ]


def persona_scores(
    runs: Sequence[tuple[RunRow, BatchMetrics]], metric: str = "completion_rate"
) -> list[RateValue]:
    """One score per persona: each persona's newest run among ``runs``, personas sorted by id."""
    newest: dict[str, tuple[RunRow, BatchMetrics]] = {}
    for run, metrics in runs:
        seen = newest.get(run.persona_id)
        if seen is None or (run.created_at, run.id) > (seen[0].created_at, seen[0].id):
            newest[run.persona_id] = (run, metrics)
    return [rate_value(persona, newest[persona][1].rates()[metric]) for persona in sorted(newest)]


def fallback_nodes(results: Iterable[ConversationResult]) -> dict[str, int]:
    """Fallback turns per flow node, over every conversation of ``results``.

    The node is the one the agent reported on the fallback turn (``Message.meta["node"]``).
    """
    counts: Counter[str] = Counter()
    for result in results:
        for m in result.messages:
            if m.role is Role.agent and m.fell_back:
                counts[str(m.meta.get("node") or NO_NODE)] += 1
    return dict(counts)


def leave_points(results: Iterable[ConversationResult]) -> dict[str, int]:
    """Conversations the customer left (``customer_left``), by the last node the agent reached."""
    counts: Counter[str] = Counter()
    for result in results:
        if result.termination_reason is not TerminationReason.customer_left:
            continue
        nodes = [m.meta.get("node") for m in result.messages if m.role is Role.agent]
        last = next((str(n) for n in reversed(nodes) if n), NO_NODE)
        counts[last] += 1
    return dict(counts)
