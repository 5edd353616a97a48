"""Settings of the LLM layer: the ``llm:`` section of ``$UNDERSTUDY_HOME/config.yaml``.

Example::

    llm:
      model: openai:gpt-4o-mini      # default model when a command gets no --model
      base_url: http://localhost:11434/v1   # any OpenAI-compatible server (Ollama, vLLM, llama.cpp)
      api_key_env: MY_KEY_VARIABLE   # or api_key: sk-... (the provider's own variable otherwise)
      timeout_s: 60                  # per call
      max_retries: 4                 # on 429 and 5xx answers, timeouts and connection errors
      backoff_s: 1.0                 # first wait; doubles on every retry (1, 2, 4, 8 s)
      concurrency: 64                # calls in flight at once, per model
      requests_per_minute: 500       # call starts per minute, per model; none by default
      max_tokens_per_run: 200000     # budget; none by default
      cache: true                    # replay cache under $UNDERSTUDY_HOME/cache/llm
      grader_passes: 2               # the LLM grader grades twice and flags disagreements

Every key is optional; unknown keys are an error naming the file, line and field.
"""

from __future__ import annotations

import os

from pydantic import Field, ValidationError

from understudy.content.loader import problems_from_validation
from understudy.domain.base import StrictModel
from understudy.errors import ConfigError, ContentError, ContentProblem
from understudy.settings import config_path, load_config_with_lines


class LLMSettings(StrictModel):
    """Options of the LLM layer.

    Attributes:
        model: default ``provider:model`` string.
        base_url: base URL of an OpenAI-compatible server; applies to ``openai:`` models and the
            local-server prefixes (``ollama:``, ``vllm:``, ``llamacpp:``, ``openai-compatible:``).
        api_key: API key for that server (prefer ``api_key_env``: keys in files leak).
        api_key_env: name of the environment variable holding the key.
        timeout_s: seconds one model call may take before it counts as failed (and is retried).
        max_retries: retries after a 429, a 5xx, a timeout or a connection error.
        backoff_s: seconds to wait before the first retry; doubled on each further retry.
        concurrency: calls in flight at once per model name, over the whole batch (every
            worker process or Ray node shares one limit: ``understudy.runs.limits``).
        requests_per_minute: call starts per minute per model name, evenly spaced, over the
            whole batch; None for no limit.
        max_tokens_per_run: token budget of one batch run (input + output); None for no budget.
        cache: use the replay cache (``--no-cache`` turns it off for one command).
        grader_passes: how many times the LLM grader grades each call (1 or more; 2 checks the
            grade's stability: criteria whose passes disagree are flagged for coach review).
    """

    model: str = "openai:gpt-4o-mini"
    base_url: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=20)
    backoff_s: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=64, ge=1, le=1024)
    requests_per_minute: int | None = Field(default=None, ge=1)
    max_tokens_per_run: int | None = Field(default=None, ge=1)
    cache: bool = True
    grader_passes: int = Field(default=1, ge=1, le=5)

    def resolved_api_key(self) -> str | None:
        """Return the API key from ``api_key`` or the variable named by ``api_key_env``.

        Raises:
            ConfigError: ``api_key_env`` names a variable that is not set.
        """
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            value = os.environ.get(self.api_key_env)
            if not value:
                raise ConfigError(
                    f"llm.api_key_env names {self.api_key_env!r}, but that variable is not set"
                )
            return value
        return None


def load_llm_settings(**overrides: object) -> LLMSettings:
    """Read the ``llm:`` section of the user's config file, then apply non-None ``overrides``.

    Args:
        **overrides: field values from the command line (``model=...``, ``cache=False``...);
            None values are ignored.

    Raises:
        ContentError: the config file is invalid (file, line and field named).
    """
    path = config_path()
    data: dict[str, object] = {}
    raw, lines = load_config_with_lines(path)
    section = raw.get("llm")
    if section is not None:
        if not isinstance(section, dict):
            problem = ContentProblem(path, lines.get(("llm",)), "llm", "expected a mapping")
            raise ContentError([problem])
        try:
            data = LLMSettings.model_validate(section).model_dump(exclude_unset=True)
        except ValidationError as exc:
            raise ContentError(problems_from_validation(exc, lines, path, prefix=("llm",))) from exc
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return LLMSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid LLM option: {exc.errors()[0]['msg']}") from exc
