"""Cost of the offline user simulator alone: conversations against a scripted agent, one by one.

Run from the repository root::

    python benchmarks/bench_simulator.py              # 300 and 1000 conversations, persona elderly
    python benchmarks/bench_simulator.py --n 100 --persona typo-prone

Each line prints the wall time, milliseconds per conversation and conversations per second. The
agent is a fixed six-line script (greeting, order number, an unknown account number, a fallback,
the answer, goodbye) so the figure is the simulator's and the engine loop's own cost, with no flow
runtime and no storage. Aim: 1,000 conversations in under 15 s on a 2-core machine (the budget of
a 1,000-conversation stress test, see docs/stress-testing.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.engine.seams import AgentTurn
from understudy.testing import ScriptedAgent, run_one

SCENARIO = Scenario(
    id="cancel",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want to cancel an order you placed yesterday.",
        intent="cancel_order",
        known_info={"order_id": "A-90210", "email": "sam@example.com"},
        unknown_info=["account number"],
    ),
    max_turns=10,
)
SCRIPT: list[str | AgentTurn] = [
    "Hi, how can I help?",
    "Sure. What's your order number?",
    "What's your account number?",
    "Sorry, I didn't get that. Could you rephrase?",
    "Your order has been cancelled. Anything else?",
    AgentTurn(text="Goodbye!", ended=True, outcome="completed"),
]


async def play(persona: Persona, n: int) -> None:
    """Play ``n`` conversations one after another, seeds 0 to n-1."""
    for seed in range(n):
        await run_one(ScriptedAgent(list(SCRIPT)), scenario=SCENARIO, persona=persona, seed=seed)


def bench(persona: Persona, n: int) -> float:
    """Return the wall seconds of ``n`` conversations."""
    started = time.perf_counter()
    asyncio.run(play(persona, n))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per batch size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="batch sizes (default 300, 1000)")
    parser.add_argument("--persona", default="elderly")
    args = parser.parse_args(argv)
    sizes = args.n or [300, 1000]
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNDERSTUDY_HOME"] = home
        persona = resolve_persona(args.persona)
        bench(persona, 5)  # warm up: imports, phrasing bank
        print(f"offline user simulator, persona {args.persona}, scripted agent")
        for n in sizes:
            wall = bench(persona, n)
            print(
                f"{n:>6} conversations  {wall:7.2f} s  {1000 * wall / n:7.2f} ms/conv  "
                f"{n / wall:8.1f} conv/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
