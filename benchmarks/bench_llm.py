"""Benchmark: do LLM-backed conversations of a batch really run concurrently?

Starts a local OpenAI-compatible server on 127.0.0.1 that answers every chat completion after a
fixed delay (200 ms by default), stores an agent persona whose model is that server, and plays a
batch (50 conversations by default) of the LLM user simulator against it through the same code
path as ``understudy stress-test --agent ID --simulator llm`` (plan, batch runner, store). Every
conversation has the same number of customer turns, so the critical path is
``turns x 2 x delay`` (a customer call and an agent call per turn). It prints the wall time against
that critical path; the aim is within 1.3x. A second, cached run shows the replay cost.

The server answers at most 5,000 requests, listens on loopback only, and stops when the batch is
done; the state lives in a temporary folder that is removed at the end.

By default the batch takes the CLI's default settings (``stress-test`` without ``-c``): the
default ``llm.concurrency`` calls per model and ``StressPlan.default_concurrency`` conversations
in flight; ``--concurrency K`` sets both. It also prints the client's CPU per model call (the
batch's process CPU time over the calls sent; the server runs in another process) and which HTTP
transport the client used (aiohttp when installed, as the ``llm`` extra does).

``--workers N`` plays the batch on N local processes and ``--backend ray`` on a local Ray
instance, both under one shared rate limiter (``understudy.runs.limits``); the first batch then
includes starting the processes.

Run: ``python benchmarks/bench_llm.py [--n 50] [--turns 5] [--delay 0.2] [--concurrency K]
[--workers N] [--backend ray]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

AGENT_YAML = """\
# kind: agent
id: bench-assistant
name: Bench Assistant
model: openai-compatible:bench-agent
chat:
  prompt: You are a helpful support assistant.
  temperature: 0.2
  max_tokens: 120
"""


def responder_for(turns: int) -> Any:
    """Answer customer requests with ``turns`` lines (the last one ends), agents with a line."""
    from understudy.llm.testing import Reply

    def respond(request: dict[str, Any]) -> Reply:
        messages = request.get("messages", [])
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        said = sum(1 for m in messages if m.get("role") == "assistant")
        if "CUSTOMER" in str(system):
            if said + 1 >= turns:
                return Reply("That is all I needed, thank you. [END goal_met]")
            return Reply("I still need help with my order, please.")
        return Reply("Certainly, I am looking into it for you now.")

    return respond


async def play_batch(
    n: int,
    base_url: str,
    no_cache: bool,
    concurrency: int | None = None,
    workers: int = 1,
    backend: str = "local",
) -> tuple[float, float, dict[str, Any], int]:
    """Play one batch; return wall and CPU seconds, LLM usage and the longest conversation's turns.

    With ``concurrency`` None the batch takes the CLI's defaults: ``llm.concurrency`` calls per
    model (``LLMSettings``' default) and ``StressPlan.default_concurrency`` conversations.
    """
    from understudy.llm.models import build_model
    from understudy.llm.run import LLMRun
    from understudy.llm.settings import LLMSettings
    from understudy.runs import plan_stress_test, play
    from understudy.storage.db import open_database
    from understudy.storage.store import Store

    open_database()  # schema migrations and imports happen before the clock starts
    settings = LLMSettings(base_url=base_url, timeout_s=30, max_retries=0)
    if concurrency is not None:
        settings = settings.model_copy(update={"concurrency": max(concurrency, 1)})
    run = LLMRun(settings, cache=False if no_cache else None)
    plan = plan_stress_test(
        "bench-assistant",
        n=n,
        simulator="llm",
        agent_options={"llm_run": run},
        simulator_options={"model": "openai-compatible:bench-customer", "run": run},
    )
    plan.concurrency = concurrency or plan.default_concurrency(lambda: settings.concurrency)
    build_model("openai-compatible:warm-up", settings)
    store = Store()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = await play(plan, store, usage=run, workers=workers, backend=backend)
    finally:
        await run.aclose()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    where = "ray" if backend == "ray" else f"{workers} process(es)"
    print(
        f"  batch of {n}, concurrency {plan.concurrency}, {where}: {wall:.2f} s wall, "
        f"{used:.2f} s CPU in this process"
    )
    errors = [c.result.error for c in outcome.result.conversations if c.result.error]
    if errors:
        raise SystemExit(f"{len(errors)} conversations failed, e.g. {errors[0]}")
    longest = max(c.result.customer_turns for c in outcome.result.conversations)
    return wall, used, run.summary(), longest


def serve(turns: int, delay: float) -> None:
    """Child process: run the server, print its URL, stop when stdin closes (or after 10 min)."""
    from understudy.llm.testing import ChatServer

    with ChatServer(responder_for(turns), delay_s=delay, max_requests=5000) as server:
        print(server.base_url, flush=True)
        deadline = threading.Timer(600, lambda: os._exit(0))
        deadline.daemon = True
        deadline.start()
        sys.stdin.read()
        print(len(server.requests), flush=True)


class ServerProcess:
    """The chat server in a child process, so its work does not share the batch's CPU time."""

    def __init__(self, turns: int, delay: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--turns", str(turns), "--delay", str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far (Linux ``/proc``; 0 elsewhere)."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> int:
        """Stop the server; return how many requests it answered."""
        out, _ = self.process.communicate(timeout=30)
        return int(out.strip() or 0)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="conversations (default 50)")
    parser.add_argument("--turns", type=int, default=5, help="customer turns per conversation")
    parser.add_argument("--delay", type=float, default=0.2, help="server delay in seconds")
    parser.add_argument(
        "--concurrency", type=int, help="conversations and calls per model in flight (CLI default)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (one shared limit; default 1)"
    )
    from understudy.runs.player import BACKENDS

    parser.add_argument(
        "--backend",
        default="local",
        choices=BACKENDS,
        help="local, or ray (a local Ray instance; the ray extra)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.turns, args.delay)
        return

    with tempfile.TemporaryDirectory(prefix="understudy-bench-") as home:
        os.environ["UNDERSTUDY_HOME"] = home
        from understudy.agents import persona_store

        agent_file = Path(home) / "agent.yaml"
        agent_file.write_text(AGENT_YAML, encoding="utf-8")

        persona_store.import_agent(agent_file)
        server = ServerProcess(args.turns, args.delay)
        try:
            url = server.base_url
            options = (args.concurrency, args.workers, args.backend)
            server_before = server.cpu_s()
            wall, cpu, usage, turns = asyncio.run(play_batch(args.n, url, True, *options))
            server_cpu = server.cpu_s() - server_before
            asyncio.run(play_batch(args.n, url, False, *options))  # fills the cache
            replay_wall, _, replay, _ = asyncio.run(play_batch(args.n, url, False, *options))
        finally:
            answered = server.close()
    critical = turns * 2 * args.delay
    print(f"conversations: {args.n}, customer turns each: {turns}, delay: {args.delay} s")
    print(f"model calls: {usage['requests']} uncached; server answered {answered} in all")
    print(
        f"wall time: {wall:.2f} s; critical path: {critical:.2f} s (turns x 2 x delay); "
        f"ratio: {wall / critical:.2f}x (aim: within 1.3x)"
    )
    calls = max(usage["requests"], 1)
    from understudy.llm.plain_openai import REQUEST_OPTIONS, http_client

    transport = "aiohttp" if http_client(5.0) is not None else "httpx (aiohttp not installed)"
    plain = "plain requests" if REQUEST_OPTIONS is not None else "the SDK's request path"
    print(f"client: OpenAI SDK over {transport}, {plain}")
    if args.workers == 1 and args.backend == "local":
        print(f"client CPU per call: {1000 * cpu / calls:.2f} ms (aim: at most 3 ms)")
    else:
        print("client CPU per call: spent in the worker processes (run with --workers 1)")
    print(
        f"the fake server's own CPU per call: {1000 * server_cpu / calls:.2f} ms (it shares the "
        "same cores, so it counts against the wall time too)"
    )
    print(f"cached re-run: {replay_wall:.2f} s wall, {replay['requests']} model calls")
    sys.exit(0)


if __name__ == "__main__":
    main()
