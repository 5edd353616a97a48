"""The pytest plugin: stress-test an assistant from a test, with noise-aware assertions.

Installed with the package (entry point ``pytest11``: ``understudy``). A test marked
``understudy`` receives the batch result through the ``understudy_batch`` fixture::

    import pytest
    from understudy.pytest_plugin import assert_rate

    @pytest.mark.understudy(flow="flows/refund.yaml", persona="typo-prone", n=25, seed=1)
    def test_typo_prone_customers_get_their_refund(understudy_batch):
        assert_rate(understudy_batch, "completion", at_least=0.8)
        assert_rate(understudy_batch, "fallback", at_most=0.2)

Marker arguments (keywords): ``flow`` (or ``agent``: a flow file, webhook URL, ``module:function``
or agent persona id; a relative path is read from the test file's folder), ``persona``,
``scenario`` (a file or a list of files), ``n`` (default 25), ``seed`` (default 0),
``simulator`` (default ``offline``), ``concurrency`` (default 8), ``config`` (a file whose
``bands`` override the thresholds), ``version`` (an agent persona's version).

Command-line options: ``--understudy-seed`` and ``--understudy-n`` override every marker's seed
and n (re-run the suite on another seed, or a bigger batch before a release);
``--understudy-no-cache`` bypasses the LLM replay cache and ``--understudy-cache-dir DIR`` keeps
it in DIR (for CI caches); both matter only with LLM customers or agents.

Every batch is stored like any ``understudy stress-test`` run (``$UNDERSTUDY_HOME``), so
``understudy runs list`` and ``runs report`` show it. When the test fails, the report gets the
run id and metrics as ``user_properties`` (pytest's own JUnit XML shows them as properties) and
one section per failing conversation with its transcript (up to ``MAX_TRANSCRIPTS``).

``assert_rate`` applies the rule of the CLI gates (``understudy.metrics.gates``): a rate fails
``at_least=bar`` only when its 95% interval's upper end is below the bar, and ``at_most=bar`` only
when its lower end is above it, so a test does not flip on the noise of a small batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from understudy.domain.transcript import TerminationReason
from understudy.errors import ConfigError
from understudy.metrics.batch import BatchMetrics
from understudy.metrics.gates import Side, check_rate, metric_name

if TYPE_CHECKING:
    from understudy.runs import BatchConversation, StressOutcome

MAX_TRANSCRIPTS = 5
"""Failing conversations whose transcripts are attached to a failed test's report."""

WORST_SHOWN = 3
"""Worst conversations named in an assertion message."""

_MARKER_KEYS = {
    "flow",
    "agent",
    "persona",
    "scenario",
    "n",
    "seed",
    "simulator",
    "concurrency",
    "config",
    "version",
}

_BATCH_KEY = pytest.StashKey["BatchRun"]()

_SEVERITY = {
    TerminationReason.error: 0,
    TerminationReason.customer_left: 1,
    TerminationReason.escalated: 2,
    TerminationReason.max_turns: 3,
    TerminationReason.time_limit: 3,
}


@dataclass(frozen=True)
class BatchRun:
    """The result a marked test receives.

    Attributes:
        run_id: the stored run's id (``understudy runs show RUN_ID``).
        metrics: the batch metrics, every rate with k of n and its 95% Wilson interval.
        conversations: every conversation, by index.
        seed: the batch seed used.
        n: conversations asked for.
    """

    run_id: str | None
    metrics: BatchMetrics
    conversations: list[BatchConversation]
    seed: str
    n: int

    def failing(self) -> list[BatchConversation]:
        """Conversations that did not reach their goal, worst first (errors, then customers who
        left, then escalations...; more fallback turns first within each)."""
        missed = [c for c in self.conversations if not c.result.completed]
        return sorted(
            missed,
            key=lambda c: (
                _SEVERITY.get(c.result.termination_reason, 4),
                -c.result.fallback_turns,
                c.index,
            ),
        )


def _describe(c: BatchConversation) -> str:
    r = c.result
    detail = f": {r.error or r.detail}" if (r.error or r.detail) else ""
    return (
        f"#{c.index} {r.termination_reason.value} after {r.customer_turns} customer turns, "
        f"{r.fallback_turns} fallbacks{detail}"
    )


def assert_rate(
    batch: BatchRun,
    metric: str,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
) -> None:
    """Assert a rate of the batch reaches (or stays within) a bar, beyond noise only.

    Args:
        batch: the ``understudy_batch`` fixture's value.
        metric: a rate name or short form (``completion``, ``fallback``, ``recovery``...).
        at_least: fail when the rate's 95% interval lies wholly below this proportion.
        at_most: fail when the rate's 95% interval lies wholly above this proportion.

    Raises:
        AssertionError: the bar is missed beyond noise; the message gives k of n, the interval
            and the worst conversations (with ``understudy runs show`` commands).
        ValueError: neither or both of ``at_least`` and ``at_most``, or an unknown metric.
    """
    if (at_least is None) == (at_most is None):
        raise ValueError("assert_rate needs exactly one of at_least= or at_most=")
    try:
        name = metric_name(metric)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    side, bar = (Side.under, at_least) if at_least is not None else (Side.over, at_most)
    assert bar is not None
    rate = batch.metrics.rates()[name]
    passed, message = check_rate(rate, side, bar, name.replace("_", " "))
    if passed:
        return
    lines = [message]
    worst = batch.failing()[:WORST_SHOWN]
    if worst:
        lines.append("worst conversations:")
        lines += [f"  {_describe(c)}" for c in worst]
    if batch.run_id:
        lines.append(f"see: understudy runs show {batch.run_id} --conversation K")
    raise AssertionError("\n".join(lines))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--understudy-*`` options."""
    group = parser.getgroup("understudy", "understudy stress tests")
    group.addoption(
        "--understudy-seed",
        default=None,
        help="Seed of every understudy batch (overrides markers).",
    )
    group.addoption(
        "--understudy-n",
        type=int,
        default=None,
        help="Conversations per understudy batch (overrides markers).",
    )
    group.addoption(
        "--understudy-no-cache",
        action="store_true",
        default=False,
        help="Bypass the LLM replay cache in understudy batches.",
    )
    group.addoption(
        "--understudy-cache-dir",
        default=None,
        help="Folder of the LLM replay cache (default: $UNDERSTUDY_HOME/cache/llm).",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``understudy`` marker."""
    config.addinivalue_line(
        "markers",
        "understudy(flow=, persona=, n=25, seed=0, scenario=, simulator=, ...): play a batch of "
        "simulated customers; the test receives it as the understudy_batch fixture",
    )


def _resolve(value: str, base: Path) -> str:
    candidate = base / value
    if "://" in value or Path(value).is_absolute() or not candidate.exists():
        return value
    return str(candidate)


def _llm_options(config: pytest.Config) -> tuple[Any, dict[str, object]]:
    """An LLM run for LLM agents and customers, with the plugin's cache options, or None when
    the ``llm`` extra is not installed (an offline batch needs none)."""
    try:
        from understudy.llm.cache import ReplayCache
        from understudy.llm.run import LLMRun
    except ImportError:
        return None, {}
    no_cache = bool(config.getoption("understudy_no_cache"))
    run = LLMRun(cache=False if no_cache else None)
    folder = config.getoption("understudy_cache_dir")
    if folder and not no_cache:
        run.cache = ReplayCache(Path(folder))
    return run, {"llm_run": run}


def _play(request: pytest.FixtureRequest, marker: pytest.Mark) -> BatchRun:
    # Imported here, not at the top: pytest loads this plugin in every session of every project
    # that has understudy installed, and most never play a batch.
    from understudy.components import needs_model
    from understudy.runs import plan_stress_test, play
    from understudy.simulators import SIMULATORS
    from understudy.storage.store import Store

    unknown = set(marker.kwargs) - _MARKER_KEYS
    if unknown or marker.args:
        raise pytest.UsageError(
            f"@pytest.mark.understudy takes keywords {', '.join(sorted(_MARKER_KEYS))}; "
            f"got {', '.join(sorted(unknown)) or 'positional arguments'}"
        )
    kw = marker.kwargs
    target = kw.get("flow") or kw.get("agent")
    if not target:
        raise pytest.UsageError("@pytest.mark.understudy needs flow= (or agent=): what to test")
    base = request.path.parent
    scenarios = kw.get("scenario") or []
    if isinstance(scenarios, str | Path):
        scenarios = [scenarios]
    config = request.config
    seed = config.getoption("understudy_seed") or kw.get("seed", 0)
    n = config.getoption("understudy_n") or kw.get("n", 25)
    llm_run, agent_options = _llm_options(config)
    simulator = str(kw.get("simulator", "offline"))
    simulator_options: dict[str, object] = {}
    if llm_run is not None and needs_model(SIMULATORS, simulator):
        simulator_options = {"run": llm_run}
    if "version" in kw:
        agent_options["version"] = kw["version"]
    plan = plan_stress_test(
        _resolve(str(target), base),
        persona=kw.get("persona"),
        scenarios=[_resolve(str(s), base) for s in scenarios],
        n=int(n),
        seed=seed,
        concurrency=int(kw.get("concurrency", 8)),
        simulator=simulator,
        config=_resolve(str(kw["config"]), base) if kw.get("config") else None,
        agent_options=agent_options,
        simulator_options=simulator_options,
    )

    async def run() -> StressOutcome:
        try:
            return await play(plan, Store(), usage=llm_run)
        finally:
            if llm_run is not None:
                await llm_run.aclose()

    outcome = asyncio.run(run())
    return BatchRun(
        run_id=outcome.run_id,
        metrics=outcome.metrics,
        conversations=list(outcome.result.conversations),
        seed=plan.seed,
        n=plan.n,
    )


@pytest.fixture
def understudy_batch(request: pytest.FixtureRequest) -> Iterator[BatchRun]:
    """Play the batch described by the test's ``@pytest.mark.understudy`` marker.

    Raises:
        pytest.UsageError: the test has no marker, or the marker has unknown keywords.
    """
    marker = request.node.get_closest_marker("understudy")
    if marker is None:
        raise pytest.UsageError(
            f"{request.node.nodeid} uses understudy_batch without @pytest.mark.understudy(...)"
        )
    batch = _play(request, marker)
    request.node.stash[_BATCH_KEY] = batch
    yield batch


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the run id, metrics and failing transcripts to a failed marked test's report."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    batch = item.stash.get(_BATCH_KEY, None)
    if batch is None or report.when != "call" or not report.failed:
        return
    props: list[tuple[str, object]] = [("understudy.run_id", batch.run_id or "")]
    for name, rate in batch.metrics.rates().items():
        shown = "n/a" if rate.value is None else f"{rate.k}/{rate.n}"
        props.append((f"understudy.{name}", shown))
    item.user_properties.extend(props)
    report.user_properties.extend(props)
    from understudy.reports.junit import transcript_text

    for c in batch.failing()[:MAX_TRANSCRIPTS]:
        report.sections.append(
            (
                f"understudy conversation {c.index} ({c.result.termination_reason.value})",
                transcript_text(c.result),
            )
        )
