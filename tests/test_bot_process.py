"""A Python bot run in a worker process: whatever it does ends one conversation, never the batch.

The faulty bots (``tests/faulty_bots.py``) block, loop forever, leak memory, exit, abort, kill
their own process or segfault, in sync and async functions. Each runs in a worker process that
the engine kills at the per-turn timeout or finds dead; the test process itself is never touched,
which is the point. Every test is bounded in time: a worker that misbehaves is killed, and
nothing here waits for it.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import faulty_bots
from batch_fakes import dice_simulators, scenario
from understudy.agents import bot_process
from understudy.agents.callable import CallableAgent, load_callable
from understudy.agents.resolve import resolve_agent
from understudy.cli.app import app
from understudy.domain.transcript import Role, TerminationReason
from understudy.engine.loop import EngineSettings
from understudy.errors import ConfigError
from understudy.runs.batch import BatchResult, run_batch

TIMEOUT_S = 0.5
MARGIN_S = 0.6  # per round of conversations: worker start and scheduling on a busy machine
CAP_MB = 256


@pytest.fixture(autouse=True, scope="module")
def no_idle_workers_left() -> Iterator[None]:
    """End the idle bot workers this module leaves, so later tests do not share the machine."""
    yield
    bot_process.shutdown()


async def play(
    reference: str, n: int, concurrency: int, turn_s: float = TIMEOUT_S
) -> tuple[BatchResult, float]:
    function = load_callable(reference)
    bot_process.prepare(reference, CAP_MB)  # as resolve_agent does before a run
    started = time.monotonic()
    result = await run_batch(
        lambda: CallableAgent(function, reference, isolation="process", memory_mb=CAP_MB),
        dice_simulators,
        [scenario()],
        n=n,
        seed=5,
        concurrency=concurrency,
        settings=EngineSettings(agent_timeout_s=turn_s),
    )
    return result, time.monotonic() - started


def pids(result: BatchResult) -> set[int]:
    return {
        m.meta["pid"]
        for c in result.conversations
        for m in c.result.messages
        if m.role is Role.agent and "pid" in m.meta
    }


def gone(pid: int, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("how", ["sleep", "socket", "busy"])
async def test_a_blocking_or_looping_bot_is_killed_at_the_turn_timeout(how: str, kind: str) -> None:
    n, concurrency = 6, 3
    result, elapsed = await play(faulty_bots.name_of(how, kind), n, concurrency)
    bound = (TIMEOUT_S + MARGIN_S) * math.ceil(n / concurrency)
    assert elapsed <= bound, f"batch took {elapsed:.2f} s, more than {bound:.2f} s"
    assert len(result.conversations) == n, "every conversation was played"
    for conversation in result.conversations:
        assert conversation.result.termination_reason is TerminationReason.error
        assert f"did not answer within {TIMEOUT_S:g} s" in (conversation.result.error or "")


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("sys.exit", "called sys.exit(3); a bot cannot end the run"),
        ("KeyboardInterrupt", "raised KeyboardInterrupt; a bot cannot end the run"),
        ("os._exit", "ended its worker process with exit code 0"),
        ("SIGKILL", "killed by SIGKILL"),
        ("abort", "killed by SIGABRT"),
        ("segfault", "killed by SIGSEGV (a crash in C code)"),
        ("leak", f"ran out of memory (MemoryError) under its cap of {CAP_MB} MiB"),
    ],
)
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_bot_that_ends_or_breaks_its_process_ends_only_its_conversation(
    how: str, says: str, kind: str
) -> None:
    result, _ = await play(faulty_bots.name_of(how, kind, every_other=True), 6, 3, turn_s=10.0)
    by_id = {c.result.conversation_id: c.result for c in result.conversations}
    assert len(by_id) == 6, "the batch played every conversation"
    for conversation_id, outcome in by_id.items():
        if int(conversation_id[-1]) % 2:
            assert outcome.termination_reason is TerminationReason.error, conversation_id
            assert says in (outcome.error or ""), outcome.error
        else:
            assert outcome.termination_reason is TerminationReason.goal_met, outcome.error


async def test_a_timed_out_worker_is_killed_and_a_healthy_one_is_reused() -> None:
    result, _ = await play("faulty_bots:healthy", 6, 2)
    assert {c.result.termination_reason for c in result.conversations} == {
        TerminationReason.goal_met
    }
    used = pids(result)
    assert os.getpid() not in used, "the bot ran outside the test process"
    assert len(used) <= 3, f"healthy workers are reused across conversations: {used}"

    started = time.monotonic()
    worker = bot_process.acquire(faulty_bots.name_of("busy"), CAP_MB)
    worker.wait_ready()
    pid = worker.process.pid
    assert pid is not None
    agent = CallableAgent(load_callable(faulty_bots.name_of("busy")), isolation="process")
    agent._worker = worker  # the busy bot's worker, to watch it die
    outcome = await run_batch(
        lambda: agent,
        dice_simulators,
        [scenario()],
        n=1,
        seed=1,
        settings=EngineSettings(agent_timeout_s=TIMEOUT_S),
    )
    assert outcome.conversations[0].result.termination_reason is TerminationReason.error
    assert gone(pid), "the looping worker was killed at the timeout, not left spinning"
    assert time.monotonic() - started < 10


async def _play_with_cap(reference: str, n: int, cap: int) -> BatchResult:
    function = load_callable(reference)
    bot_process.prepare(reference, CAP_MB)

    def agent() -> CallableAgent:
        return CallableAgent(
            function, reference, isolation="process", memory_mb=CAP_MB, max_reply_bytes=cap
        )

    return await run_batch(
        agent,
        dice_simulators,
        [scenario()],
        n=n,
        seed=5,
        concurrency=3,
        settings=EngineSettings(agent_timeout_s=10.0),
    )


async def test_a_reply_over_the_cap_ends_only_its_conversation_naming_the_limit() -> None:
    result = await _play_with_cap("faulty_bots:huge", 6, bot_process.DEFAULT_MAX_REPLY_BYTES)
    by_id = {c.result.conversation_id: c.result for c in result.conversations}
    assert len(by_id) == 6
    for conversation_id, outcome in by_id.items():
        if int(conversation_id[-1]) % 2:
            assert outcome.termination_reason is TerminationReason.error, conversation_id
            error = outcome.error or ""
            assert "over callable.max_reply_bytes=1,000,000" in error, error
            assert "returned a reply of 5,000," in error, error
            assert all(len(m.text) < 1000 for m in outcome.messages), "nothing huge was kept"
        else:
            assert outcome.termination_reason is TerminationReason.goal_met, outcome.error
    raised = await _play_with_cap("faulty_bots:huge", 2, 2 * faulty_bots.HUGE_CHARS)
    texts = [m.text for c in raised.conversations for m in c.result.messages]
    assert any(len(t) == faulty_bots.HUGE_CHARS for t in texts), "a raised cap lets it through"


async def test_a_worker_writing_past_the_cap_is_killed_without_reading_it() -> None:
    started = time.monotonic()
    result = await _play_with_cap("faulty_bots:flood", 1, bot_process.DEFAULT_MAX_REPLY_BYTES)
    outcome = result.conversations[0].result
    assert outcome.termination_reason is TerminationReason.error
    assert "returned a reply of more, over callable.max_reply_bytes=1,000,000" in (
        outcome.error or ""
    )
    assert time.monotonic() - started < 10, "not held up by the flood or its 120 s hang"


async def test_an_async_healthy_bot_in_a_worker_is_awaited() -> None:
    result, _ = await play("faulty_bots:healthy_async", 2, 2)
    assert {c.result.termination_reason for c in result.conversations} == {
        TerminationReason.goal_met
    }


def test_a_lambda_cannot_be_asked_to_run_in_a_worker_process() -> None:
    with pytest.raises(ConfigError, match="not importable by name"):
        CallableAgent(lambda messages: "hi", isolation="process")
    assert CallableAgent(lambda messages: "hi").isolation == "thread", "auto falls back"
    assert CallableAgent(faulty_bots.healthy).isolation == "process", "auto prefers a worker"


def write_config(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("callable:\n  isolation: fork\n", "config.yaml:2: callable.isolation"),
        ("callable:\n  memory_mb: 8\n", "config.yaml:2: callable.memory_mb"),
        ("callable:\n  max_reply_bytes: 0\n", "config.yaml:2: callable.max_reply_bytes"),
        ("callable:\n  isolation: process\n  cores: 2\n", "config.yaml:3: callable.cores"),
    ],
)
def test_bad_callable_settings_name_the_config_line(
    understudy_home: Path, text: str, says: str
) -> None:
    write_config(understudy_home, text)
    with pytest.raises(ConfigError, match=says.replace(".", r"\.")):
        resolve_agent("faulty_bots:healthy")


async def test_thread_isolation_can_be_chosen_in_the_config(understudy_home: Path) -> None:
    write_config(understudy_home, "callable:\n  isolation: thread\n")
    factory, _ = resolve_agent("faulty_bots:healthy")
    agent: Any = factory()
    assert agent.isolation == "thread"


def test_a_bot_that_cannot_start_in_a_worker_is_refused_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "parent_only_bot.py").write_text(
        "import multiprocessing\n"
        "if multiprocessing.parent_process() is not None:\n"
        "    raise RuntimeError('needs the main process')\n"
        "def reply(messages):\n    return 'hi'\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        outcome = CliRunner().invoke(
            app, ["stress-test", "--agent", "parent_only_bot:reply", "-n", "2", "--seed", "1"]
        )
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("parent_only_bot", None)
    assert outcome.exit_code == 2, outcome.output
    assert "needs the main process" in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize(("how", "says"), [("segfault", "SIGSEGV"), ("os._exit", "exit code 0")])
def test_a_crashing_bot_makes_the_cli_fail_with_the_documented_code(how: str, says: str) -> None:
    outcome = CliRunner().invoke(
        app,
        ["stress-test", "--agent", faulty_bots.name_of(how, every_other=True), "-n", "4"],
    )
    assert outcome.exit_code == 1, outcome.output  # table: 1 = conversations ended with error
    assert says in outcome.output, outcome.output


async def test_an_edited_bot_never_gets_an_idle_worker_holding_its_old_code(
    tmp_path: Path,
) -> None:
    module = tmp_path / "edited_bot.py"
    sys.path.insert(0, str(tmp_path))
    try:
        texts = []
        for version in ("one", "two"):
            module.write_text(
                f"def reply(messages):\n    return {{'text': '{version}', 'ended': True}}\n"
            )
            stamp = time.time() + (10 if version == "two" else 0)
            os.utime(module, (stamp, stamp))  # an edit, whatever the clock's resolution
            sys.modules.pop("edited_bot", None)
            result, _ = await play("edited_bot:reply", 1, 1)
            texts.append(result.conversations[0].result.messages[-1].text)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("edited_bot", None)
    assert texts == ["one", "two"], "the second run uses the edited bot"


def open_fds() -> int:
    """File descriptors this process holds (Linux's /proc, as CI runs)."""
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.slow
async def test_crashing_and_hanging_bots_leak_no_processes_or_file_descriptors() -> None:
    bot_process.shutdown()  # idle workers other tests left
    await play(faulty_bots.name_of("segfault", every_other=True), 4, 2, turn_s=5.0)  # warm up
    before = open_fds()
    for how, turn_s in (("segfault", 5.0), ("busy", TIMEOUT_S), ("os._exit", 5.0)):
        result, _ = await play(faulty_bots.name_of(how, every_other=True), 16, 4, turn_s=turn_s)
        assert len(result.conversations) == 16
    gc.collect()
    alive = [p for p in multiprocessing.active_children() if p.name.startswith("understudy bot")]
    assert len(alive) <= 3 * 4, "only idle healthy workers are left, a batch's concurrency each"
    assert bot_process.worker_count() == len(alive), "every live worker is an idle one"
    # A live worker holds 3 descriptors here (its connection, and its process handle's two
    # pipes); the dozens of workers killed above would leave theirs if they leaked.
    assert open_fds() - before <= 3 * len(alive) + 4, "a dead worker's pipes are closed"


async def test_idle_workers_of_many_bots_stay_under_one_bound() -> None:
    bot_process.shutdown()
    for how in faulty_bots.HOW:  # each a different bot, every other conversation healthy
        await play(faulty_bots.name_of(how, every_other=True), 4, 4, turn_s=TIMEOUT_S)
    assert 0 < bot_process.worker_count() <= bot_process.MAX_IDLE
    for reference in ("faulty_bots:healthy", "faulty_bots:healthy_async"):
        await play(reference, 12, 12)  # 12 more idle workers each
    assert bot_process.worker_count() <= bot_process.MAX_IDLE, "one bound over every bot"
