"""Metrics of a batch run, computed from per-conversation outcomes.

Definitions (see DESIGN.md, "Metrics of a batch run"); every rate is ``k / n`` with a 95% Wilson
interval (``understudy.metrics.intervals``):

================================  ==============================================  ================
metric                            k / n                                            better
================================  ==============================================  ================
``completion_rate``               conversations ending ``goal_met`` / all          higher
``fallback_rate``                 conversations with >= 1 agent fallback / all     lower
``fallback_turn_rate``            agent turns that fell back / all agent turns     lower
``off_topic_recovery_rate``       off-topic conversations whose digressions were   higher
                                  answered and that then completed /
                                  conversations with an off-topic customer turn
``abandonment_rate``              conversations ending ``customer_left`` / all     lower
``escalation_rate``               conversations ending ``escalated`` / all         lower
``error_rate``                    conversations ending ``error`` / all             lower
``mean_turns_to_completion``      mean customer turns of completed conversations   lower
================================  ==============================================  ================

Off-topic recovery asks two things of a conversation: the digression was answered (the agent's
next turn addressed it, not a fallback), and the conversation then finished with ``goal_met``;
counting every completed off-topic conversation would credit a bot that ignored the question.
Fallbacks and completion come from what the agent reported on its turns (``AgentTurn.fell_back``,
``ended``/``outcome``) and from the termination reason, never from guessing at text. An empty
denominator (no off-topic turn, no completed conversation) gives a value of None, shown as n/a.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from pydantic import BaseModel

from understudy.domain.transcript import ConversationResult, TerminationReason
from understudy.metrics.bands import Band, Bands
from understudy.metrics.intervals import wilson_interval

RATE_NAMES = (
    "completion_rate",
    "fallback_rate",
    "off_topic_recovery_rate",
    "abandonment_rate",
    "escalation_rate",
)
"""The five headline rates, in display order (the keys of ``--json`` output)."""

ALL_RATE_NAMES = (
    "completion_rate",
    "fallback_rate",
    "fallback_turn_rate",
    "off_topic_recovery_rate",
    "abandonment_rate",
    "escalation_rate",
    "error_rate",
)
"""Every rate a batch stores, in display order: the headline five plus fallback turns per
assistant turn and conversations ended by an error."""

METRIC_LABELS = {
    "completion_rate": "completion",
    "fallback_rate": "fallback (conversations)",
    "fallback_turn_rate": "fallback (assistant turns)",
    "off_topic_recovery_rate": "off-topic recovery",
    "abandonment_rate": "abandonment",
    "escalation_rate": "escalation",
    "error_rate": "errors",
    "mean_turns_to_completion": "mean turns to completion",
}
"""Display names of the metrics, the same words in the terminal, HTML reports and exports."""


@dataclass(frozen=True)
class ConversationOutcome:
    """What the metrics need to know about one finished conversation.

    Attributes:
        termination_reason: why it ended.
        off_topic: the customer wandered off-topic at least once.
        customer_turns: number of customer messages.
        agent_turns: number of agent messages.
        fallback_turns: number of agent messages that fell back.
        off_topic_answered: every off-topic question got an answer in the agent's next turn
            (``ConversationResult.off_topic_answered``); True for older stored runs.
    """

    termination_reason: TerminationReason
    off_topic: bool
    customer_turns: int
    agent_turns: int
    fallback_turns: int
    off_topic_answered: bool = True

    @property
    def recovered(self) -> bool:
        """True when the customer went off-topic, got an answer, and the goal was then met."""
        return self.off_topic and self.off_topic_answered and self.completed

    @property
    def completed(self) -> bool:
        """True when the conversation ended with ``goal_met``."""
        return self.termination_reason is TerminationReason.goal_met

    @property
    def fell_back(self) -> bool:
        """True when the agent fell back at least once."""
        return self.fallback_turns > 0

    @classmethod
    def from_result(cls, result: ConversationResult) -> ConversationOutcome:
        """Summarise a conversation result."""
        return cls(
            termination_reason=result.termination_reason,
            off_topic=result.off_topic,
            customer_turns=result.customer_turns,
            agent_turns=result.agent_turns,
            fallback_turns=result.fallback_turns,
            off_topic_answered=result.off_topic_answered,
        )


class Rate(BaseModel):
    """A proportion with its count, interval and band.

    Attributes:
        value: ``k / n``, or None when ``n`` is 0.
        k: numerator.
        n: denominator.
        low: lower end of the 95% Wilson interval (None when ``n`` is 0).
        high: upper end of the 95% Wilson interval (None when ``n`` is 0).
        band: green, amber, red, or n/a.
    """

    value: float | None
    k: int
    n: int
    low: float | None
    high: float | None
    band: Band

    @classmethod
    def of(cls, name: str, k: int, n: int, bands: Bands) -> Rate:
        """Build the rate ``k / n`` of metric ``name``, banded by ``bands``."""
        if n == 0:
            return cls(value=None, k=k, n=n, low=None, high=None, band=Band.na)
        low, high = wilson_interval(k, n)
        value = k / n
        return cls(value=value, k=k, n=n, low=low, high=high, band=bands.band(name, value))


class Mean(BaseModel):
    """A mean over conversations with its spread and band.

    Attributes:
        value: the mean, or None when ``n`` is 0.
        sd: sample standard deviation (None below two values).
        n: number of values.
        band: green, amber, red, or n/a.
    """

    value: float | None
    sd: float | None
    n: int
    band: Band


class BatchMetrics(BaseModel):
    """Every metric of one batch (see the module docstring for the definitions).

    Attributes:
        conversations: conversations counted.
        errors: conversations that ended with ``error``.
    """

    conversations: int
    errors: int
    completion_rate: Rate
    fallback_rate: Rate
    fallback_turn_rate: Rate
    off_topic_recovery_rate: Rate
    abandonment_rate: Rate
    escalation_rate: Rate
    error_rate: Rate
    mean_turns_to_completion: Mean

    def rates(self) -> dict[str, Rate]:
        """Return every rate by metric name, headline rates first."""
        return {
            "completion_rate": self.completion_rate,
            "fallback_rate": self.fallback_rate,
            "fallback_turn_rate": self.fallback_turn_rate,
            "off_topic_recovery_rate": self.off_topic_recovery_rate,
            "abandonment_rate": self.abandonment_rate,
            "escalation_rate": self.escalation_rate,
            "error_rate": self.error_rate,
        }

    def rebanded(self, bands: Bands) -> BatchMetrics:
        """Return a copy whose bands follow ``bands`` (e.g. the user's current thresholds)."""
        update: dict[str, Any] = {}
        for name, rate in self.rates().items():
            update[name] = rate.model_copy(update={"band": bands.band(name, rate.value)})
        mean = self.mean_turns_to_completion
        update["mean_turns_to_completion"] = mean.model_copy(
            update={"band": bands.band("mean_turns_to_completion", mean.value)}
        )
        return self.model_copy(update=update)


class MetricsTally:
    """Running counts of a batch, fed one conversation at a time (streaming metrics).

    Memory is constant in the number of conversations: counts, plus one counter per distinct
    number of customer turns among completed conversations. ``metrics()`` gives exactly the
    numbers ``compute_metrics`` gives over the same outcomes, whatever order they came in: the
    mean and standard deviation are computed with ``math.fsum`` (a correctly rounded sum, so
    independent of order) over the same values. Tallies of separate shards ``merge``.
    """

    def __init__(self) -> None:
        self.conversations = 0
        self.reasons: Counter[TerminationReason] = Counter()
        self.fell_back = 0
        self.fallback_turns = 0
        self.agent_turns = 0
        self.off_topic = 0
        self.recovered = 0
        self.completed_turns: Counter[int] = Counter()

    def add(self, outcome: ConversationOutcome) -> None:
        """Count one finished conversation."""
        self.conversations += 1
        self.reasons[outcome.termination_reason] += 1
        self.fell_back += outcome.fell_back
        self.fallback_turns += outcome.fallback_turns
        self.agent_turns += outcome.agent_turns
        if outcome.off_topic:
            self.off_topic += 1
            self.recovered += outcome.recovered
        if outcome.completed:
            self.completed_turns[outcome.customer_turns] += 1

    def merge(self, other: MetricsTally) -> None:
        """Add the counts of ``other`` (another shard of the same batch) to these."""
        self.conversations += other.conversations
        self.reasons.update(other.reasons)
        self.fell_back += other.fell_back
        self.fallback_turns += other.fallback_turns
        self.agent_turns += other.agent_turns
        self.off_topic += other.off_topic
        self.recovered += other.recovered
        self.completed_turns.update(other.completed_turns)

    def _turns(self) -> Iterator[float]:
        for turns, count in sorted(self.completed_turns.items()):
            yield from repeat(float(turns), count)

    def metrics(self, bands: Bands | None = None) -> BatchMetrics:
        """Return the batch metrics of the conversations counted so far.

        Args:
            bands: thresholds for the bands; the defaults when None.

        Returns:
            The metrics; rates with an empty denominator have value None and band n/a.
        """
        bands = bands or Bands()
        n = self.conversations
        count = self.reasons.__getitem__
        completed = sum(self.completed_turns.values())
        mean = math.fsum(self._turns()) / completed if completed else None
        sd = None
        if mean is not None and completed >= 2:
            squares = math.fsum((t - mean) ** 2 for t in self._turns())
            sd = math.sqrt(squares / (completed - 1))
        return BatchMetrics(
            conversations=n,
            errors=count(TerminationReason.error),
            completion_rate=Rate.of("completion_rate", count(TerminationReason.goal_met), n, bands),
            fallback_rate=Rate.of("fallback_rate", self.fell_back, n, bands),
            fallback_turn_rate=Rate.of(
                "fallback_turn_rate", self.fallback_turns, self.agent_turns, bands
            ),
            off_topic_recovery_rate=Rate.of(
                "off_topic_recovery_rate", self.recovered, self.off_topic, bands
            ),
            abandonment_rate=Rate.of(
                "abandonment_rate", count(TerminationReason.customer_left), n, bands
            ),
            escalation_rate=Rate.of(
                "escalation_rate", count(TerminationReason.escalated), n, bands
            ),
            error_rate=Rate.of("error_rate", count(TerminationReason.error), n, bands),
            mean_turns_to_completion=Mean(
                value=mean,
                sd=sd,
                n=completed,
                band=bands.band("mean_turns_to_completion", mean),
            ),
        )


def compute_metrics(
    outcomes: Iterable[ConversationOutcome], bands: Bands | None = None
) -> BatchMetrics:
    """Compute the batch metrics of ``outcomes`` (through a ``MetricsTally``).

    Args:
        outcomes: one per finished conversation, in any order (the result does not depend on it).
        bands: thresholds for the bands; the defaults when None.

    Returns:
        The metrics; rates with an empty denominator have value None and band n/a.
    """
    tally = MetricsTally()
    for outcome in outcomes:
        tally.add(outcome)
    return tally.metrics(bands)
