"""Ask a model's server, before a run, whether it serves the model and accepts the key.

Building a model (``understudy.llm.models.build_model``) catches a malformed name, an unknown
provider, a missing package or a missing key, without a request. A misspelt model name
(``openai:gpt-4o-minii``), a model an Ollama server has not pulled, or a key the server refuses
would still only show at the first call, as a batch of conversations ending with ``error``. So,
for OpenAI and every OpenAI-compatible server (``ollama:``, ``vllm:``, ``llamacpp:``,
``openai-compatible:``, ``openai:`` with ``llm.base_url``), ``check_served`` lists the server's
models (``GET /v1/models``: no tokens are spent) and refuses, as a ``ConfigError`` naming the
setting to change and the file it is in:

- a key the server refuses (HTTP 401 or 403);
- a model not among those listed, with the closest names listed.

Anything inconclusive lets the run go on: the server cannot be reached (a run may still be
answered from the replay cache), it does not implement the listing, or it answers something
else. Other providers (``anthropic:``, ``google-gla:``...) are checked for their key and package
only, when the model is built.
"""

from __future__ import annotations

import difflib
from typing import Any

from understudy.errors import ConfigError
from understudy.llm.models import LOCAL_SERVERS, endpoint_of, split_model_name
from understudy.llm.settings import LLMSettings
from understudy.settings import config_path, load_config_with_lines

LIST_TIMEOUT_S = 10.0
"""The longest the model listing may take before the check gives up (inconclusive)."""


def _config_place(key: str) -> str:
    """``llm.KEY in PATH:LINE`` (the line when the file sets it)."""
    path = config_path()
    line = load_config_with_lines(path)[1].get(("llm", key))
    return f"llm.{key} in {path}:{line}" if line else f"llm.{key} in {path}"


def model_setting(name: str | None, given_as: str | None) -> str:
    """Where the model name came from, for messages.

    Args:
        name: the name given by the caller, or None when it is the ``llm.model`` setting.
        given_as: how the caller's name was given (``--model``); ``--model`` when None.
    """
    if name is not None:
        return given_as or "--model"
    return _config_place("model")


def key_setting(settings: LLMSettings) -> str:
    """Where the API key came from, for messages."""
    if settings.api_key:
        return _config_place("api_key")
    if settings.api_key_env:
        return f"the variable {settings.api_key_env} (named by {_config_place('api_key_env')})"
    return "OPENAI_API_KEY (or llm.api_key_env in config.yaml)"


class _Refused(Exception):
    """The server refused the key (HTTP 401 or 403)."""


def _listed_models(base_url: str | None, api_key: str, timeout_s: float) -> list[str] | None:
    """The server's model ids, or None when the answer is inconclusive.

    Raises:
        _Refused: the server refused the key; the message quotes it.
    """
    from openai import APIError, APIStatusError, OpenAI, OpenAIError

    try:
        with OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s) as client:
            return [model.id for model in client.models.list()]
    except APIStatusError as exc:
        if exc.status_code in (401, 403):
            detail = _message(exc.body) or exc.message
            raise _Refused(f"HTTP {exc.status_code}: {detail}") from exc
        return None
    except (APIError, OpenAIError, OSError, ValueError):
        return None


def _message(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or "")
        return str(error)
    return ""


def check_served(
    name: str, settings: LLMSettings, *, given: str | None = None, given_as: str | None = None
) -> None:
    """Refuse a model its OpenAI-compatible server does not serve, or whose key it refuses.

    Args:
        name: ``provider:model`` (the resolved name).
        settings: base URL, key and timeout.
        given: the name as the caller gave it, None when it came from ``llm.model``.
        given_as: how the caller gave it (``--model``, ``the agent persona's model``).

    Raises:
        ConfigError: the server refused the key, or does not list the model (the message names
            the setting to change and the file it is in). See the module docstring.
    """
    provider, model = split_model_name(name)
    if provider not in LOCAL_SERVERS and provider != "openai":
        return
    base_url = endpoint_of(name, settings)
    key = settings.resolved_api_key() or ("not-needed" if base_url else "")
    where = base_url or "OpenAI"
    try:
        listed = _listed_models(base_url, key, min(settings.timeout_s, LIST_TIMEOUT_S))
    except _Refused as exc:
        raise ConfigError(
            f"{where} refused the API key for {name!r} ({exc}); set {key_setting(settings)}"
        ) from exc
    if not listed or model in listed:
        return
    closest = difflib.get_close_matches(model, listed, n=3, cutoff=0.5)
    hint = f"closest: {', '.join(closest)}" if closest else f"it serves {', '.join(listed[:5])}"
    more = "" if closest or len(listed) <= 5 else f" and {len(listed) - 5} more"
    raise ConfigError(
        f"the model {name!r} is not served by {where} ({hint}{more}); "
        f"change {model_setting(given, given_as)}"
    )
