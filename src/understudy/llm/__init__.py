"""One LLM layer for every part of understudy that talks to a model (pydantic-ai underneath).

A model is named by a ``provider:model`` string (``openai:gpt-4o``, ``anthropic:claude-sonnet-4-5``,
``ollama:llama3.2``, ``test`` for pydantic-ai's built-in offline test model). Settings come from the
``llm:`` section of ``$UNDERSTUDY_HOME/config.yaml`` (see :mod:`understudy.llm.settings`); API keys
otherwise come from each provider's usual environment variable (``OPENAI_API_KEY``...).

Every call goes through :class:`understudy.llm.run.LLMRun`, which adds, per call: the replay cache,
a per-call timeout, retries with exponential backoff on 429 and 5xx answers, a concurrency limit per
model, token accounting per conversation and per run, and an optional token budget per run.

The library is the optional ``llm`` extra; without it :func:`require_llm` raises a
``ConfigError`` that names the install command.
"""

from __future__ import annotations

import importlib.util

from understudy.errors import ConfigError

INSTALL_HINT = "pip install 'understudy[llm]'"


def llm_available() -> bool:
    """Return True when pydantic-ai (the ``llm`` extra) is installed."""
    return importlib.util.find_spec("pydantic_ai") is not None


def require_llm(feature: str = "this feature") -> None:
    """Fail clearly when the ``llm`` extra is missing.

    Args:
        feature: what needed it, for the message (e.g. ``the LLM user simulator``).

    Raises:
        ConfigError: pydantic-ai is not installed; the message holds the install command.
    """
    if not llm_available():
        raise ConfigError(
            f"{feature} needs the optional LLM support; install it with: {INSTALL_HINT}"
        )
