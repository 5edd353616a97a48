"""Turn a ``provider:model`` string into a pydantic-ai model.

Rules, in order:

- ``test`` (or ``test:anything``): pydantic-ai's own offline ``TestModel`` (no network, no key);
  handy to try a command end to end.
- ``ollama:M``, ``vllm:M``, ``llamacpp:M``, ``openai-compatible:M``: an OpenAI-compatible local
  server at ``llm.base_url``, or the server's usual address when unset (Ollama
  ``http://localhost:11434/v1``, vLLM ``http://localhost:8000/v1``, llama.cpp
  ``http://localhost:8080/v1``). No key is needed unless the server asks for one.
- ``openai:M`` with ``llm.base_url`` set: that OpenAI-compatible server.
- ``openai:M`` otherwise: OpenAI, key from ``llm.api_key``/``llm.api_key_env`` or
  ``OPENAI_API_KEY``.
- anything else (``anthropic:...``, ``google:...``, ``azure:...``, ``groq:...``): handed to
  pydantic-ai, which reads the provider's usual environment variables; a provider whose package is
  missing fails with pydantic-ai's own install hint. ``google-gla:M`` (the Gemini API's older
  prefix) is read as ``google:M``.

OpenAI-style clients are built with their own retries off, so the retries and timeouts of
:class:`understudy.llm.run.LLMRun` are the only ones, and send plain text chat requests without
the SDK's per-request type walk, over the SDK's aiohttp transport when installed (the ``llm``
extra installs it; :mod:`understudy.llm.plain_openai`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from understudy.errors import ConfigError
from understudy.llm import require_llm
from understudy.llm.settings import LLMSettings

if TYPE_CHECKING:
    from pydantic_ai.models import Model

LOCAL_SERVERS = {
    "ollama": "http://localhost:11434/v1",
    "vllm": "http://localhost:8000/v1",
    "llamacpp": "http://localhost:8080/v1",
    "openai-compatible": None,
}


def split_model_name(name: str) -> tuple[str, str]:
    """Split ``provider:model`` into its two parts.

    Raises:
        ConfigError: no provider prefix (except the bare ``test`` model).
    """
    if name == "test":
        return "test", "test"
    provider, sep, model = name.partition(":")
    if not sep or not provider or not model:
        raise ConfigError(
            f"expected a model as provider:model (e.g. openai:gpt-4o-mini, ollama:llama3.2), "
            f"got {name!r}"
        )
    return provider, model


def endpoint_of(name: str, settings: LLMSettings) -> str | None:
    """Return the base URL that will answer calls to ``name``, or None for the provider default."""
    provider, _ = split_model_name(name)
    if provider in LOCAL_SERVERS:
        return settings.base_url or LOCAL_SERVERS[provider]
    if provider == "openai":
        return settings.base_url
    return None


def build_model(
    name: str, settings: LLMSettings, clients: dict[tuple[str, str], Any] | None = None
) -> Model:
    """Return the pydantic-ai model for ``name`` (see the module docs for the rules).

    Args:
        name: ``provider:model``.
        settings: base URL, key and timeout.
        clients: OpenAI-style clients by (base URL, key): one is reused for every model of the
            same server (one connection pool), and new ones are added; the caller closes them
            with ``await client.close()``.

    Raises:
        ConfigError: the ``llm`` extra is missing, the name is malformed, a local-server prefix
            has no base URL, or the provider cannot be set up (missing key or package).
    """
    require_llm(f"the model {name!r}")
    provider, model = split_model_name(name)
    if provider == "test":
        from pydantic_ai.models.test import TestModel

        return TestModel()
    base_url = endpoint_of(name, settings)
    if provider in LOCAL_SERVERS or (provider == "openai" and base_url):
        if base_url is None:
            raise ConfigError(f"{name!r} needs llm.base_url in config.yaml (the server's /v1 URL)")
        return _openai_compatible(
            model, base_url, settings.resolved_api_key() or "not-needed", settings, clients
        )
    if provider == "openai":
        return _openai_compatible(model, None, settings.resolved_api_key(), settings, clients)
    from pydantic_ai.models import infer_model

    if provider == "google-gla":  # the Gemini API's older prefix, still in many configs
        name = f"google:{model}"
    try:
        return infer_model(name)
    except Exception as exc:  # pydantic-ai explains missing packages and keys
        raise ConfigError(f"cannot use model {name!r}: {exc}") from exc


def _openai_compatible(
    model: str,
    base_url: str | None,
    api_key: str | None,
    settings: LLMSettings,
    clients: dict[tuple[str, str], Any] | None,
) -> Model:
    from openai import OpenAIError
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    from understudy.llm.plain_openai import PlainChatOpenAI, http_client

    key = (base_url or "", api_key or "")
    client = clients.get(key) if clients is not None else None
    if client is None:
        try:
            client = PlainChatOpenAI(
                base_url=base_url,
                api_key=api_key,
                max_retries=0,
                timeout=settings.timeout_s,
                http_client=http_client(settings.timeout_s),
            )
        except OpenAIError as exc:
            raise ConfigError(
                f"cannot use openai:{model}: {exc} (set OPENAI_API_KEY, or llm.api_key_env in "
                "config.yaml)"
            ) from exc
        if clients is not None:
            clients[key] = client
    return OpenAIChatModel(model, provider=OpenAIProvider(openai_client=client))
