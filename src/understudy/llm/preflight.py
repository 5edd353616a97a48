"""Ask a model's server, before a run, whether it serves the model and accepts the key.

Building a model (``understudy.llm.models.build_model``) catches a malformed name, an unknown
provider, a missing package or a missing key, without a request. A misspelt model name
(``openai:gpt-4o-minii``), a model an Ollama server has not pulled, or a key the server refuses
would still only show at the first call, as a batch of conversations ending with ``error``. So,
before a run:

- ``check_key``: an Anthropic or Gemini model (``anthropic:``, ``google:``, ``google-gla:``)
  whose key variable (``ANTHROPIC_API_KEY``; ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY``) is not set
  is refused, naming the variable and where the model was chosen;
- ``check_served`` asks the provider about the model, through its own client library, and no
  tokens are spent: OpenAI and every OpenAI-compatible server (``ollama:``, ``vllm:``,
  ``llamacpp:``, ``openai-compatible:``, ``openai:`` with ``llm.base_url``) list their models
  (``GET /v1/models``); Anthropic is asked for the one model (``GET /v1/models/{id}``, which
  resolves aliases such as ``claude-sonnet-4-5``), Gemini likewise (``GET /v1beta/models/{id}``),
  and their lists (``models.list``) only give the closest names. Refused, as a ``ConfigError``
  naming the setting to change and the file it is in:

  - a key the server refuses (HTTP 401 or 403; Gemini's 400 ``API_KEY_INVALID``);
  - a model it does not serve, with the closest names listed.

Anything inconclusive lets the run go on: the server cannot be reached (a run may still be
answered from the replay cache), it does not implement the listing, or it answers something
else. Other providers (``groq:``, ``azure:``, ``mistral:``...) are checked for their key and
package only, when the model is built. The Anthropic and Gemini clients honour their own
``ANTHROPIC_BASE_URL`` and ``GOOGLE_GEMINI_BASE_URL`` variables (a gateway, or the tests' loopback
server ``understudy.llm.testing_providers``).
"""

from __future__ import annotations

import difflib
import os
from typing import Any

from understudy.errors import ConfigError
from understudy.llm.models import LOCAL_SERVERS, endpoint_of, split_model_name
from understudy.llm.settings import LLMSettings
from understudy.settings import config_path, load_config_with_lines

LIST_TIMEOUT_S = 10.0
"""The longest the model listing may take before the check gives up (inconclusive)."""

KEY_VARIABLES = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
    "google-gla": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
}
"""Variables holding the key of each provider checked through its own client, in the order the
client reads them."""

PROVIDER_NAMES = {"anthropic": "Anthropic", "google": "Gemini", "google-gla": "Gemini"}
"""How messages name those providers."""


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


def check_key(name: str, *, given: str | None = None, given_as: str | None = None) -> None:
    """Refuse an Anthropic or Gemini model whose key variable is not set (those providers read
    only their own variables, not ``llm.api_key``).

    Args:
        name: ``provider:model`` (the resolved name).
        given: the name as the caller gave it, None when it came from ``llm.model``.
        given_as: how the caller gave it (``--model``, ``the agent persona's model``).

    Raises:
        ConfigError: no key variable is set; the message names the variable(s) and where the
            model was chosen (``--model``, ``llm.model in config.yaml:3``).
    """
    provider, _model = split_model_name(name)
    variables = KEY_VARIABLES.get(provider)
    if variables is None or any(os.environ.get(v) for v in variables):
        return
    wanted = " or ".join(variables)
    raise ConfigError(
        f"the model {name!r} ({model_setting(given, given_as)}) needs an API key and none is "
        f"set: set the variable {wanted}"
    )


def _native_key(provider: str) -> str:
    return next((os.environ[v] for v in KEY_VARIABLES[provider] if os.environ.get(v)), "")


def _anthropic_served(model: str, timeout_s: float) -> tuple[bool | None, list[str]]:
    """(served?, the listed ids when not) from Anthropic's model routes; None: inconclusive.

    Raises:
        _Refused: the key was refused.
    """
    from anthropic import Anthropic, AnthropicError, APIStatusError

    try:
        with Anthropic(api_key=_native_key("anthropic"), max_retries=0, timeout=timeout_s) as c:
            try:
                c.models.retrieve(model)
                return True, []
            except APIStatusError as exc:
                if exc.status_code in (401, 403):
                    detail = _message(exc.body) or exc.message
                    raise _Refused(f"HTTP {exc.status_code}: {detail}") from exc
                if exc.status_code != 404:
                    return None, []
            return False, [m.id for m in c.models.list(limit=1000)]
    except (AnthropicError, OSError, ValueError):
        return None, []


def _google_served(model: str, provider: str, timeout_s: float) -> tuple[bool | None, list[str]]:
    """(served?, the listed ids when not) from Gemini's model routes; None: inconclusive.

    Raises:
        _Refused: the key was refused (401, 403, or 400 with ``API_KEY_INVALID``).
    """
    import httpx
    from google.genai import Client, errors, types

    options = types.HttpOptions(timeout=int(timeout_s * 1000))
    try:
        with Client(api_key=_native_key(provider), http_options=options) as client:
            try:
                client.models.get(model=model)
                return True, []
            except errors.ClientError as exc:
                invalid_key = exc.code == 400 and "API_KEY_INVALID" in str(exc.details)
                if exc.code in (401, 403) or invalid_key:
                    raise _Refused(f"HTTP {exc.code}: {exc.message}") from exc
                if exc.code != 404:
                    return None, []
            names = [m.name or "" for m in client.models.list(config={"page_size": 1000})]
            return False, [n.removeprefix("models/") for n in names if n]
    except (errors.APIError, httpx.HTTPError, OSError, ValueError):
        return None, []


def _check_native(
    name: str, settings: LLMSettings, given: str | None, given_as: str | None
) -> None:
    provider, model = split_model_name(name)
    timeout_s = min(settings.timeout_s, LIST_TIMEOUT_S)
    variable = "ANTHROPIC_BASE_URL" if provider == "anthropic" else "GOOGLE_GEMINI_BASE_URL"
    where = PROVIDER_NAMES[provider]
    if os.environ.get(variable):
        where = f"{where} at {os.environ[variable]}"
    try:
        if provider == "anthropic":
            served, listed = _anthropic_served(model, timeout_s)
        else:
            served, listed = _google_served(model, provider, timeout_s)
    except _Refused as exc:
        wanted = " or ".join(KEY_VARIABLES[provider])
        raise ConfigError(
            f"{where} refused the API key for {name!r} ({exc}); set the variable {wanted}"
        ) from exc
    if served is not False:
        return
    _refuse_unserved(name, model, listed, where, given, given_as)


def _refuse_unserved(
    name: str, model: str, listed: list[str], where: str, given: str | None, given_as: str | None
) -> None:
    closest = difflib.get_close_matches(model, listed, n=3, cutoff=0.5)
    if closest:
        hint = f"closest: {', '.join(closest)}"
    elif listed:
        more = "" if len(listed) <= 5 else f" and {len(listed) - 5} more"
        hint = f"it serves {', '.join(listed[:5])}{more}"
    else:
        hint = "it lists no models"
    raise ConfigError(
        f"the model {name!r} is not served by {where} ({hint}); "
        f"change {model_setting(given, given_as)}"
    )


def check_served(
    name: str, settings: LLMSettings, *, given: str | None = None, given_as: str | None = None
) -> None:
    """Refuse a model its server does not serve, or whose key it refuses (see the module docs).

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
    if provider in KEY_VARIABLES:
        _check_native(name, settings, given, given_as)
        return
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
    _refuse_unserved(name, model, listed, where, given, given_as)
