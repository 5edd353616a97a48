"""Token accounting and the errors of the LLM layer (no pydantic-ai import here)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from understudy.errors import ConversationInterrupted, UnderstudyError


class LLMError(UnderstudyError):
    """A model call failed for good (after retries), or cannot be made."""


class BudgetExhausted(LLMError, ConversationInterrupted):
    """The run's token budget (``llm.max_tokens_per_run`` / ``--max-tokens``) is spent.

    Raised before a new model call. In a stress test (``understudy.runs.player``) the
    conversation making the call is cut short and stored ``interrupted`` with the detail
    ``token budget spent`` (not ``error``), no further conversation starts, and the run ends
    ``interrupted`` with metrics over the finished conversations only.
    """


@dataclass
class Usage:
    """Tokens and calls, for one conversation or a whole run.

    Attributes:
        input_tokens: prompt tokens of calls that reached a model.
        output_tokens: completion tokens of calls that reached a model.
        requests: calls that reached a model (retries not counted twice).
        cached: calls answered by the replay cache (they cost nothing).
        retries: retries after a 429, a 5xx, a timeout or a connection error.
        repairs: simulated replies regenerated or repaired by the knowledge-boundary check.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cached: int = 0
    retries: int = 0
    repairs: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def as_dict(self) -> dict[str, int]:
        """Return the counters, plus ``total_tokens``, as a plain dict (for storage)."""
        return {**asdict(self), "total_tokens": self.total_tokens}
