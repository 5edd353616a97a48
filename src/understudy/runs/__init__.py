"""Stress tests as a library: plan, play, record, rerun and compare batch runs.

The CLI, the web app and any other front end call these and only render what they return;
nothing here prints or reads a terminal.

Public API::

    from understudy.runs import plan_stress_test, play, plan_rerun, compare_runs

    plan = plan_stress_test("examples/flows/refund.yaml", persona="typo-prone", n=10, seed=1)
    outcome = await play(plan, Store(), on_conversation_end=progress)   # StressOutcome
    outcome.run_id, outcome.metrics, outcome.result.conversations

* ``plan_stress_test(target, persona=, scenarios=, n=, seed=, concurrency=, simulator=, ...)``
  -> ``StressPlan``: resolves agent, scenarios, persona, simulator and thresholds before anything
  plays; bad input raises an ``UnderstudyError`` naming the file, line and field.
* ``play(plan, store, on_start=, on_conversation_end=, conversation_observers=, usage=,
  budget_spent=)`` -> ``StressOutcome``: plays the batch (same seed, same transcripts, whatever
  the concurrency), committing each conversation as it ends (``RunRecorder``). Progress:
  ``on_start(run_id)`` once, ``on_conversation_end(BatchConversation)`` per conversation, and
  engine events per turn through ``conversation_observers(k)``. Cancel the task to stop: the run
  is kept as ``interrupted`` with its finished conversations.
* ``plan_rerun(run_row, flow=)`` -> ``Rerun``: the same customers (stored persona and scenario
  snapshots, seed, n) against the agent as it is now; play ``rerun.plan`` with ``play``.
* ``compare_runs(store, a, b)`` -> ``list[MetricDelta]``: per-metric deltas and whether each
  is beyond noise; ``run_metrics(store, run, bands)`` reads one run's metrics.
* ``run_batch`` (``understudy.runs.batch``): the concurrent batch runner under ``play``, with no
  storage, for callers that bring their own agent and simulator factories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from understudy.lazy import lazy_exports

if TYPE_CHECKING:
    from understudy.runs.batch import BatchConversation, BatchResult, run_batch
    from understudy.runs.compare import compare_runs, run_metrics
    from understudy.runs.plan import StressPlan, plan_stress_test
    from understudy.runs.player import BUDGET_SPENT, StressOutcome, play
    from understudy.runs.record import RunRecorder, UsageSource
    from understudy.runs.rerun import Rerun, plan_rerun

_WHERE = {
    "BUDGET_SPENT": "understudy.runs.player",
    "BatchConversation": "understudy.runs.batch",
    "BatchResult": "understudy.runs.batch",
    "Rerun": "understudy.runs.rerun",
    "RunRecorder": "understudy.runs.record",
    "StressOutcome": "understudy.runs.player",
    "StressPlan": "understudy.runs.plan",
    "UsageSource": "understudy.runs.record",
    "compare_runs": "understudy.runs.compare",
    "plan_rerun": "understudy.runs.rerun",
    "plan_stress_test": "understudy.runs.plan",
    "play": "understudy.runs.player",
    "run_batch": "understudy.runs.batch",
    "run_metrics": "understudy.runs.compare",
}
"""Where each public name lives: imported on first use, so importing one submodule (e.g.
for a constant) does not load the store and everything else."""


__getattr__ = lazy_exports(globals(), _WHERE)

__all__ = [
    "BUDGET_SPENT",
    "BatchConversation",
    "BatchResult",
    "Rerun",
    "RunRecorder",
    "StressOutcome",
    "StressPlan",
    "UsageSource",
    "compare_runs",
    "plan_rerun",
    "plan_stress_test",
    "play",
    "run_batch",
    "run_metrics",
]
