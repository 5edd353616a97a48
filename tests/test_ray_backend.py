"""``--backend ray``: a batch played on a local 2-node Ray cluster gives the local transcripts and
metrics, survives a killed worker, and a missing Ray says how to install it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.cli.app import app
from understudy.runs import BatchConversation, StressOutcome, plan_stress_test, play
from understudy.runs.batch import RegisteredSimulators
from understudy.runs.workers import WORKER_DIED
from understudy.storage.store import Store

FLOW = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A Ray cluster of two nodes on this machine (one CPU each), shut down afterwards."""
    import ray
    from ray.cluster_utils import Cluster

    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    try:
        nodes.add_node(num_cpus=1)
        # The workers import this folder's helper modules (tests/worker_faults.py) as pytest does.
        tests = str(Path(__file__).resolve().parent)
        ray.init(
            address=nodes.address,
            log_to_driver=False,
            include_dashboard=False,
            runtime_env={"env_vars": {"PYTHONPATH": tests}},
        )
        nodes.wait_for_nodes()
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2, "two live nodes"
        yield str(nodes.address)
    finally:
        ray.shutdown()
        nodes.shutdown()


def _transcripts(outcome: StressOutcome) -> list[str]:
    return [c.result.model_dump_json() for c in outcome.result.conversations]


async def _local(n: int) -> StressOutcome:
    return await play(plan_stress_test(str(FLOW), persona="typo-prone", n=n, seed=4), None)


def _ray_task_pids() -> list[int]:
    """Processes running a conversation task right now (Ray names them after the task)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"ray::_play_on_ray"):
                pids.append(int(entry.name))
    return pids


@pytest.mark.slow
async def test_a_batch_on_a_two_node_cluster_equals_the_local_batch(cluster: str) -> None:
    local = await _local(200)
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=200, seed=4)
    remote = await play(plan, Store(), backend="ray", address=cluster)
    assert [c.index for c in remote.result.conversations] == list(range(200))
    assert _transcripts(remote) == _transcripts(local), "every transcript is the same"
    assert remote.metrics == local.metrics
    assert Store().count_conversations(remote.run_id or "") == 200, "every one is stored"


@pytest.mark.slow
async def test_tasks_on_a_cluster_of_this_machine_commit_their_own_conversations(
    cluster: str,
) -> None:
    local = await _local(100)
    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=100, seed=4)
    reported: list[BatchConversation] = []
    remote = await play(
        plan,
        Store(),
        backend="ray",
        address=cluster,
        keep_conversations=False,
        on_conversation_end=reported.append,
    )
    assert all(c.stored and not c.result.messages for c in reported), "no transcript came back"
    stored = Store().transcripts(remote.run_id or "")
    assert [t.model_dump_json(exclude={"conversation_id"}) for t in stored] == [
        c.result.model_dump_json(exclude={"conversation_id"}) for c in local.result.conversations
    ], "every transcript stored whole, as the local batch played it"
    assert remote.metrics == local.metrics


@pytest.mark.slow
async def test_a_worker_killed_midway_on_the_cluster_loses_and_duplicates_nothing(
    cluster: str,
) -> None:
    local = await _local(200)
    killed: list[int] = []

    def kill_a_worker(done: BatchConversation) -> None:
        if not killed and done.index >= 40:
            for pid in _ray_task_pids()[:1]:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=200, seed=4)
    remote = await play(
        plan, Store(), backend="ray", address=cluster, on_conversation_end=kill_a_worker
    )
    assert killed, "a worker process was killed while it played a conversation"
    stored = Store().conversations(remote.run_id or "")
    assert [r.index for r in stored] == list(range(200)), "each conversation stored once"
    assert _transcripts(remote) == _transcripts(local)
    assert remote.metrics == local.metrics


@pytest.mark.slow
async def test_a_conversation_that_always_kills_its_worker_on_the_cluster_is_the_only_error(
    cluster: str,
) -> None:
    from worker_faults import DiesOnOne

    plan = plan_stress_test(str(FLOW), persona="typo-prone", n=40, seed=4)
    assert isinstance(plan.simulator_factory, RegisteredSimulators)
    plan.simulator_factory = DiesOnOne(plan.simulator_factory, plan.seed, 7)
    remote = await play(plan, Store(), backend="ray", address=cluster)
    local = await _local(40)
    assert [c.index for c in remote.result.conversations] == list(range(40))
    died = [c.index for c in remote.result.conversations if c.result.error]
    assert died == [7], "the task that held it with others was split: only it is lost"
    assert remote.result.conversations[7].result.error == WORKER_DIED
    kept = [c.result.model_dump_json() for c in remote.result.conversations if c.index != 7]
    assert kept == [c.result.model_dump_json() for c in local.result.conversations if c.index != 7]


def test_without_ray_the_ray_backend_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    result = runner.invoke(
        app, ["stress-test", str(FLOW), "-p", "typo-prone", "-n", "3", "--backend", "ray"]
    )
    assert result.exit_code == 2, result.output
    assert "pip install 'understudy[ray]'" in result.output
    listed = runner.invoke(app, ["runs", "list", "--json"])
    assert json.loads(listed.output) == [], "nothing was recorded"


@pytest.mark.slow
async def test_an_llm_batch_on_the_cluster_shares_one_limit_and_one_budget(
    cluster: str, understudy_home: Path
) -> None:
    from llm_batch import TOKENS_PER_CALL, import_agent, lines, plan_for, play_llm, server

    import_agent(understudy_home)
    with server(delay_s=0.1) as single_server:
        plan, run = plan_for(single_server.base_url, 8, 8, concurrency=3)
        single = await play_llm(plan, run)
    with server(delay_s=0.1) as seen:
        plan, run = plan_for(seen.base_url, 8, 8, concurrency=3)
        remote = await play_llm(plan, run, backend="ray", address=cluster)
    assert lines(remote) == lines(single), "the same lines and endings on the cluster"
    assert seen.peak_in_flight == {"agent": 3, "customer": 3}, (
        "8 conversations on 2 nodes, never more than 3 calls per model"
    )
    budget = 150
    with server(delay_s=0.05) as seen:
        plan, run = plan_for(seen.base_url, 10, 6, concurrency=2, max_tokens_per_run=budget)
        cut = await play_llm(plan, run, backend="ray", address=cluster)
    # No call starts once the budget is reached; the 2 in flight per model (2 models) may finish.
    assert budget <= TOKENS_PER_CALL * len(seen.requests) <= budget + 2 * 2 * TOKENS_PER_CALL
    assert cut.stopped == "token budget spent" and cut.result.skipped > 0
    assert Store().get_run(cut.run_id or "").error == "token budget spent"


async def _heard(handle: object, figure: int, within_s: float = 10.0) -> bool:
    """True once ``handle.spent_now()`` reaches ``figure`` (polled, never awaited on the actor)."""
    for _ in range(int(within_s / 0.02)):
        if handle.spent_now() >= figure:  # type: ignore[attr-defined]
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.mark.slow
async def test_the_budget_check_on_the_cluster_never_waits_for_the_limits_actor(
    cluster: str,
) -> None:
    import ray

    from understudy.runs.limits import LimitsActor, RayLimits

    class Stalled(LimitsActor):
        async def stall(self, seconds: float) -> None:
            time.sleep(seconds)  # noqa: ASYNC251  (holds the actor's event loop on purpose)

    name = f"stalled-limits-{uuid.uuid4().hex}"
    namespace = ray.get_runtime_context().namespace
    actor = (
        ray.remote(Stalled)
        .options(name=name, namespace=namespace, max_concurrency=100, num_cpus=0)
        .remote(2, None, 100)
    )
    try:
        spender, watcher = RayLimits(name, namespace), RayLimits(name, namespace)
        assert watcher.spent_now() == 0
        lease = await spender.acquire("m")
        spender.release(lease, (60, 40))
        assert await _heard(watcher, 100), "the budget was spent elsewhere: the watcher is told"
        stalled = actor.stall.remote(3.0)
        late = RayLimits(name, namespace)
        started = time.perf_counter()
        assert watcher.spent_now() == 100 and late.spent_now() == 0
        assert time.perf_counter() - started < 0.5, "a stalled actor never stalls the check"
        await asyncio.wrap_future(stalled.future())
        assert await _heard(late, 100), "once the actor answers, a late handle hears it too"
    finally:
        ray.kill(actor)


@pytest.mark.slow
async def test_a_worker_that_dies_holding_a_model_call_slot_loses_it_on_the_cluster(
    cluster: str,
) -> None:
    import ray

    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings
    from understudy.runs.limits import RayLimits, ray_limits

    def hold_and_die(limits: RayLimits) -> None:
        async def hold() -> None:
            assert await limits.acquire("m") is not None

        asyncio.run(hold())
        os._exit(1)  # dies holding the model's only slot

    run = LLMRun(LLMSettings(concurrency=1, cache=False), cache=False)
    async with ray_limits(run, ray, lease_s=1.0) as limits:
        with pytest.raises(ray.exceptions.RayError):
            await ray.remote(max_retries=0)(hold_and_die).remote(limits)
        started = time.monotonic()
        lease = await asyncio.wait_for(limits.acquire("m"), 10)
        assert lease is not None and time.monotonic() - started < 5, (
            "the dead worker's slot comes back once its 1 s lease runs out"
        )
        with pytest.raises(TimeoutError):  # a live holder renews: its slot is never taken
            await asyncio.wait_for(limits.acquire("m"), 3)
        limits.release(lease, None)


@pytest.mark.slow
async def test_the_calls_of_a_task_that_crashed_count_in_the_runs_usage(
    cluster: str, understudy_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llm_batch import TOKENS_PER_CALL, import_agent, plan_for, play_llm, respond
    from understudy.llm.testing import ChatServer, Reply
    from understudy.runs import limits

    monkeypatch.setattr(limits, "LEASE_S", 1.0)  # the killed calls' slots come back at once
    import_agent(understudy_home)
    killed: list[int] = []

    def respond_then_kill(request: dict[str, Any]) -> Reply:
        said = [m for m in request.get("messages", []) if m.get("role") == "assistant"]
        if said and not killed:
            # This conversation had calls answered in the task that plays it: kill every task.
            killed.extend(_ray_task_pids())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
        return respond(request)

    with ChatServer(respond_then_kill, delay_s=0.05, models=["agent", "customer"]) as seen:
        plan, run = plan_for(seen.base_url, 6, 6, concurrency=3)
        outcome = await play_llm(plan, run, backend="ray", address=cluster)
    assert killed, "the tasks were killed mid-conversation (Ray played them again)"
    rows = Store().conversations(outcome.run_id or "")
    assert [r.index for r in rows] == list(range(6)) and all(r.error is None for r in rows)
    brought_back = sum(int((r.usage or {})["requests"]) for r in rows)
    usage = Store().get_run(outcome.run_id or "").usage
    assert usage is not None
    assert brought_back < usage["requests"] <= len(seen.requests), (
        "the run counts the answered calls of the killed tasks too (not the ones in flight)"
    )
    assert usage["total_tokens"] == TOKENS_PER_CALL * usage["requests"]


@pytest.mark.slow
async def test_a_pause_on_the_cluster_holds_new_calls_to_that_model(cluster: str) -> None:
    import ray

    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings
    from understudy.runs.limits import RayLimits, ray_limits

    run = LLMRun(LLMSettings(concurrency=2, cache=False), cache=False)
    async with ray_limits(run, ray) as limits:
        elsewhere = RayLimits(limits.name, limits.namespace)  # as another process reaches it
        await limits.pause("m", 1.0)  # a 429 said: come back in a second
        started = time.monotonic()
        other = await elsewhere.acquire("other")
        assert time.monotonic() - started < 0.5, "another model is not held"
        lease = await elsewhere.acquire("m")
        assert time.monotonic() - started >= 0.9, "no call to the model starts before then"
        elsewhere.release(lease, None)
        elsewhere.release(other, None)
