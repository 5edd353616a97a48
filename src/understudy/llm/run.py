"""One run's access to models: cache, timeout, retries, concurrency, usage and budget.

Create one :class:`LLMRun` per batch run (or practice session) and ask it for a model per
conversation with :meth:`LLMRun.model`; every call made through that model:

1. is looked up in the replay cache (:mod:`understudy.llm.cache`); a hit returns the stored answer
   and costs nothing;
2. checks the token budget (``max_tokens_per_run``) and raises :class:`BudgetExhausted` when spent
   (a call already in flight may finish, so the total can pass the budget by one call per
   concurrent conversation);
3. waits for a slot of the run's limits (:mod:`understudy.llm.limits`): ``concurrency`` calls in
   flight and ``requests_per_minute`` call starts per model name;
4. is bounded by ``timeout_s`` and retried up to ``max_retries`` times on a 429, a 5xx, a timeout
   or a connection error, waiting ``backoff_s * 2**attempt`` seconds in between;
5. adds its tokens to the conversation's and the run's :class:`Usage`, and is stored in the cache.

A batch played on several processes or a Ray cluster shares one run's limits and budget:
``share`` hands the run a shared implementation (``understudy.runs.limits``), and the run can then
be pickled: each process gets a run with the same settings and cache folder, its own HTTP
clients, and the shared limits; the usage of each conversation travels back with its result
(``take_usage`` in the worker, ``absorb`` in the driver), and ``settle`` adds, once the batch
is over, the calls the shared limits counted in a process that died before its results came
back. A run whose limits are not shared refuses to be pickled, so a batch cannot silently
multiply its limits by its processes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from understudy.llm import require_llm
from understudy.llm.cache import ReplayCache
from understudy.llm.limits import CallLimits, LocalLimits, Used
from understudy.llm.models import split_model_name
from understudy.llm.settings import LLMSettings, load_llm_settings
from understudy.llm.usage import BudgetExhausted, LLMError, Usage

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from understudy.llm.managed import ManagedModel

Sleep = Callable[[float], Awaitable[None]]

RETRY_STATUSES = frozenset({408, 409, 425, 429})

MAX_RETRY_AFTER_S = 120.0
"""The longest wait a provider's ``retry-after`` header is obeyed for."""


def retry_after(headers: dict[str, str] | None) -> float:
    """Seconds a provider asked to wait before retrying (0 when it did not say).

    Reads ``retry-after-ms`` (milliseconds) or ``retry-after`` (seconds; an HTTP date is not
    read), lowercased keys as pydantic-ai gives them; capped at ``MAX_RETRY_AFTER_S``.
    """
    if not headers:
        return 0.0
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            value = float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
        return min(max(value, 0.0), MAX_RETRY_AFTER_S)
    return 0.0


class LLMRun:
    """Model access for one run.

    The settings are read when first needed (the first model built, the budget checked after a
    call), so a run that never calls a model (an offline stress-test of a flow) ignores the
    ``llm:`` section of the config file, even an invalid one.

    Args:
        settings: LLM settings, or a function that reads them when first needed;
            ``load_llm_settings()`` (the user's config file) when None.
        cache: override ``settings.cache``: False bypasses the replay cache (``--no-cache``).
        sleep: the backoff wait, ``asyncio.sleep`` by default (tests pass a fast one).

    Attributes:
        usage: totals of the run.
        by_conversation: usage per conversation id.
        cache: the replay cache, or None when bypassed.
    """

    def __init__(
        self,
        settings: LLMSettings | Callable[[], LLMSettings] | None = None,
        *,
        cache: bool | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._settings = settings if isinstance(settings, LLMSettings) else None
        self._load: Callable[[], LLMSettings] = (
            settings if callable(settings) else load_llm_settings
        )
        self._use_cache = cache
        self._cache: ReplayCache | None = None
        self._cache_chosen = False
        self.usage = Usage()
        self.by_conversation: dict[str, Usage] = {}
        self._sleep = sleep
        self._models: dict[str, Model] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._limits: CallLimits | None = None
        self._shared: CallLimits | None = None
        self._at_share = Usage()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as a run with the same settings and cache folder and the shared limits.

        Raises:
            TypeError: the run's limits are not shared (see ``share``).
        """
        if self._shared is None:
            raise TypeError(
                "an LLM run can be sent to other processes only with its limits shared "
                "(play the batch through understudy.runs.play with usage=the run)"
            )
        folder = self.cache.folder if self.cache is not None else None
        return (_shared_run, (self.settings, folder, self._shared))

    def share(self, here: CallLimits, remote: CallLimits) -> None:
        """Play this run's calls under limits shared with other processes.

        Args:
            here: the limits as this process reaches them (the driver's side).
            remote: what other processes reach them through; pickled with the run.
        """
        self._limits, self._shared = here, remote
        self._at_share = replace(self.usage)

    async def settle(self) -> None:
        """Add to the run's usage the calls its shared limits counted that no result brought back.

        A worker process or Ray task that dies mid-conversation takes the usage of its
        conversations with it (they are played again, or end in ``error``), but every answered
        call it made was released to the shared limits with its tokens. Call this when the
        batch's results are all in (before the run's usage is stored): ``usage.requests``,
        ``input_tokens`` and ``output_tokens`` gain what the limits counted since ``share``
        beyond what the results brought back (never less than before; calling it again adds
        nothing). The conversations' own usage is left as it is, so the run's totals can exceed
        their sum. A call in flight when its process died is counted nowhere (no answer came).
        Does nothing when the limits are not shared, and leaves the usage as it is when they
        cannot be reached (their driver or actor is gone).
        """
        if self._shared is None:
            return
        try:
            counted = await self.limits.counted()
        except Exception:  # a Ray actor's death is not an OSError: any failure leaves it be
            return
        for name in ("requests", "input_tokens", "output_tokens"):
            brought = getattr(self.usage, name) - getattr(self._at_share, name)
            missing = getattr(counted, name) - brought
            if missing > 0:
                setattr(self.usage, name, getattr(self.usage, name) + missing)

    def unshare(self) -> None:
        """Go back to limits held in this process (the shared ones are gone)."""
        self._limits, self._shared = None, None

    @property
    def limits(self) -> CallLimits:
        """The limits every call goes through: this process's, or shared ones."""
        if self._limits is None:
            settings = self.settings
            self._limits = LocalLimits(
                settings.concurrency, settings.requests_per_minute, settings.max_tokens_per_run
            )
        return self._limits

    @property
    def settings(self) -> LLMSettings:
        """The run's LLM settings, read on first use.

        Raises:
            ContentError: the config file's ``llm:`` section is invalid.
        """
        if self._settings is None:
            self._settings = self._load()
        return self._settings

    @property
    def cache(self) -> ReplayCache | None:
        """The replay cache, or None when bypassed (chosen on first use from the settings)."""
        if not self._cache_chosen:
            use = self.settings.cache if self._use_cache is None else self._use_cache
            self._cache = ReplayCache() if use else None
            self._cache_chosen = True
        return self._cache

    @cache.setter
    def cache(self, value: ReplayCache | None) -> None:
        self._cache = value
        self._cache_chosen = True

    # --- budget -------------------------------------------------------------------------------

    @property
    def exhausted(self) -> bool:
        """True when the token budget is set and spent (never before the settings are read).

        Never blocks: with shared limits it reads the figure this process last heard from them
        (``CallLimits.spent_now``), which reaches the budget as soon as it is spent anywhere.
        """
        if self._settings is None and self._shared is None:  # no model call yet, no token spent
            return False
        limit = self.settings.max_tokens_per_run
        if limit is None:
            return False
        spent = self.usage.total_tokens if self._shared is None else self.limits.spent_now()
        return spent >= limit

    def check_budget(self) -> None:
        """Raise :class:`BudgetExhausted` when the run's token budget is spent."""
        if self.exhausted:
            raise self._spent()

    def _spent(self) -> BudgetExhausted:
        used = self.usage.total_tokens if self._shared is None else self.limits.spent_now()
        return BudgetExhausted(
            f"token budget of {self.settings.max_tokens_per_run} tokens for this run is spent "
            f"({used} used); raise llm.max_tokens_per_run or --max-tokens"
        )

    async def acquire(self, label: str) -> object:
        """Wait for a slot to call ``label`` under the run's limits; return its lease.

        Raises:
            BudgetExhausted: the token budget is spent (no slot is held).
        """
        if self._shared is None:
            self.check_budget()
        lease = await self.limits.acquire(label)
        if lease is None:
            raise self._spent()
        return lease

    def release(self, lease: object, used: Used) -> None:
        """Give back a slot with the input and output tokens its call used (None: no answer)."""
        self.limits.release(lease, used)

    def take_usage(self, conversation_id: str) -> dict[str, int] | None:
        """Remove and return one conversation's usage (a worker sends it with the result)."""
        usage = self.by_conversation.pop(conversation_id, None)
        return usage.as_dict() if usage is not None and (usage.requests or usage.cached) else None

    def absorb(self, conversation_id: str, usage: dict[str, int]) -> None:
        """Add the usage of a conversation played in another process to this run's counters."""
        fields = {k: v for k, v in usage.items() if k != "total_tokens"}
        played = Usage(**fields)
        self.by_conversation[conversation_id] = played
        for name, value in fields.items():
            setattr(self.usage, name, getattr(self.usage, name) + value)

    # --- models -------------------------------------------------------------------------------

    def model(
        self,
        name: str | None = None,
        conversation_id: str = "conversation",
        *,
        model: Model | None = None,
    ) -> ManagedModel:
        """Return a model whose calls go through this run (cache, retries, usage...).

        Args:
            name: ``provider:model``; ``settings.model`` when None. With ``model`` given, the name
                only labels the calls (and their cache keys).
            conversation_id: usage of the calls is added to this conversation's counters.
            model: an already built pydantic-ai model (e.g. ``TestModel``, ``FunctionModel``)
                instead of building one from ``name``.

        Raises:
            ConfigError: the ``llm`` extra is missing or the model cannot be set up.
        """
        require_llm("LLM support")
        from understudy.llm.managed import ManagedModel
        from understudy.llm.models import endpoint_of

        label = name or (model.model_name if model is not None else self.settings.model)
        if model is None:
            model = self._built(label)
            label = f"{label}@{endpoint_of(label, self.settings) or 'default'}"
        usage = self.by_conversation.setdefault(conversation_id, Usage())
        return ManagedModel(model, run=self, label=label, usage=usage)

    def check_model(self, name: str | None = None, *, given_as: str | None = None) -> None:
        """Check the model ``name`` before a run starts: build it, and ask its server about it.

        Building catches a malformed name, an unknown provider, a missing package or key; the
        model is kept for the run's later ``model()`` calls. An Anthropic or Gemini model with no
        key variable set is refused first. For OpenAI, OpenAI-compatible servers, Anthropic and
        Gemini the provider is then asked about the model (no tokens spent), so a misspelt model
        or a refused key fails here too (``understudy.llm.preflight``).

        Args:
            name: ``provider:model``; ``settings.model`` when None.
            given_as: how ``name`` was given, for messages (``--model`` when None).

        Raises:
            ConfigError: the ``llm`` extra is missing, the name is malformed, the provider
                cannot be set up (missing API key, missing package), the server refuses the key
                or does not serve the model; the message says what to set, and where.
        """
        require_llm("LLM support")
        from understudy.llm.preflight import check_key, check_served

        label = name or self.settings.model
        check_key(label, given=name, given_as=given_as)
        self._built(label)
        if split_model_name(label)[0] != "test":
            check_served(label, self.settings, given=name, given_as=given_as)

    def _built(self, label: str) -> Model:
        """Return the model ``label`` built for this run, building and keeping it on first use.

        Raises:
            ConfigError: the name is malformed or the provider cannot be set up.
        """
        from understudy.llm.models import build_model

        if label not in self._models:
            self._models[label] = build_model(label, self.settings, self._clients)
        return self._models[label]

    def conversation_usage(self, conversation_id: str) -> dict[str, int] | None:
        """Return the token usage of one conversation (None when it made no LLM call)."""
        usage = self.by_conversation.get(conversation_id)
        return usage.as_dict() if usage is not None and (usage.requests or usage.cached) else None

    def run_usage(self) -> dict[str, int] | None:
        """Return the token usage of the whole run (None when no LLM call was made)."""
        return self.usage.as_dict() if self.usage.requests or self.usage.cached else None

    async def aclose(self) -> None:
        """Close the HTTP clients of the models built so far (call before the event loop ends).

        The run stays usable: models are built again on the next ``model()`` call.
        """
        clients, self._clients = self._clients, {}
        self._models.clear()
        for client in clients.values():
            await client.close()

    # --- calls --------------------------------------------------------------------------------

    def record(self, usage: Usage, input_tokens: int, output_tokens: int, *, cached: bool) -> None:
        """Add one call's tokens to ``usage`` (a conversation's) and to the run's totals."""
        for target in (usage, self.usage):
            if cached:
                target.cached += 1
            else:
                target.requests += 1
                target.input_tokens += input_tokens
                target.output_tokens += output_tokens

    async def call_with_retries(
        self, label: str, usage: Usage, call: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Await ``call()`` with the per-call timeout, retrying transient failures with backoff.

        A 429 or 5xx answer that says when to come back (``retry-after-ms``, or ``retry-after``
        in seconds) is retried no sooner than that (at most ``MAX_RETRY_AFTER_S``); a 429 also
        pauses every new call to ``label`` for that long, in every process of the batch
        (``CallLimits.pause``).

        Raises:
            LLMError: the last attempt failed (the message names the model and the failure), or
                the failure was not transient (e.g. 401, 404, a bad request).
        """
        from pydantic_ai.exceptions import ModelAPIError, ModelConnectionError, ModelHTTPError

        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            asked = 0.0
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    return await call()
            except TimeoutError:
                failure = f"no answer within {self.settings.timeout_s:g} s"
            except ModelHTTPError as exc:
                if exc.status_code < 500 and exc.status_code not in RETRY_STATUSES:
                    raise LLMError(f"{label}: HTTP {exc.status_code}: {exc.message}") from exc
                failure = f"HTTP {exc.status_code}: {exc.message}"
                asked = retry_after(getattr(exc, "headers", None))
                if exc.status_code == 429 and asked > 0:
                    with contextlib.suppress(Exception):  # the batch's shared limits are gone
                        await self.limits.pause(label, asked)
            except ModelConnectionError as exc:
                failure = f"connection failed: {exc}"
            except ModelAPIError as exc:
                raise LLMError(f"{label}: {exc}") from exc
            if attempt + 1 == attempts:
                raise LLMError(f"{label}: {failure} (gave up after {attempts} attempts)")
            usage.retries += 1
            self.usage.retries += 1
            await self._sleep(max(self.settings.backoff_s * 2**attempt, asked))
        raise AssertionError("unreachable")  # pragma: no cover

    def summary(self) -> dict[str, Any]:
        """Return the run's usage and cache counters as plain data (for storage and display)."""
        out: dict[str, Any] = self.usage.as_dict()
        out["budget"] = self.settings.max_tokens_per_run
        out["exhausted"] = self.exhausted
        if self.cache is not None:
            out["cache_hits"] = self.cache.hits
            out["cache_misses"] = self.cache.misses
        return out


def _shared_run(settings: LLMSettings, cache_folder: Any, limits: CallLimits) -> LLMRun:
    """Rebuild a pickled run in another process: same settings and cache, shared limits."""
    run = LLMRun(settings, cache=cache_folder is not None)
    if cache_folder is not None:
        run.cache = ReplayCache(cache_folder)
    run.share(limits, limits)
    return run
