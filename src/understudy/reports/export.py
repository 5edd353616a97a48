"""Exports with stable columns: runs, conversations and attempts as CSV, JSON Lines or Parquet,
and transcripts as OpenAI-style chat messages (JSON Lines).

Columns (stable: new columns are only ever added at the end, never renamed or removed):

``runs`` (one row per stored run), ``RUN_COLUMNS``:
    run_id, created_at (ISO 8601 UTC), finished_at, status, flow_name, flow_ref, flow_version,
    flow_hash (sha256 of the flow's content), persona_id, persona_hash, scenario_ids
    (``;``-separated), simulator, seed, n (asked), conversations (stored); then for each rate
    ``completion_rate``, ``fallback_rate``, ``fallback_turn_rate``, ``off_topic_recovery_rate``,
    ``abandonment_rate``, ``escalation_rate``, ``error_rate``: ``<rate>`` (value or empty),
    ``<rate>_k``, ``<rate>_n``, ``<rate>_low``, ``<rate>_high`` (95% Wilson interval),
    ``<rate>_band``; then mean_turns_to_completion, mean_turns_sd.

``conversations`` (one row per stored conversation), ``CONVERSATION_COLUMNS``:
    run_id, index (0-based), seed, scenario_id, termination_reason, completed, off_topic,
    fell_back, fallback_turns, agent_turns, customer_turns, duration_s (engine clock), moods
    (``;``-separated, one per customer turn), detail, error.

``attempts`` (one row per practice attempt), ``ATTEMPT_COLUMNS``:
    attempt_id, number (the trainee's n-th attempt of the scenario), trainee, scenario_id,
    started_at, duration_s, termination_reason, status, evaluation_status, overall (0-1 or
    empty).

``openai`` (transcripts): one JSON object per conversation, ``{"messages": [{"role": "user" |
"assistant", "content": text}, ...]}``, the chat fine-tuning shape; by default the agent is the
``assistant`` and the customer the ``user`` (``customer_as_assistant=True`` swaps them, to train
a customer model). The customer's text is what was sent (noisy for a typo-prone persona).

In CSV, booleans are ``true``/``false`` and missing values empty; in JSON Lines and Parquet they
are native booleans and nulls.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from understudy.domain.transcript import Role
from understudy.errors import ConfigError
from understudy.metrics.bands import Bands, load_bands
from understudy.metrics.batch import ALL_RATE_NAMES
from understudy.runs.compare import run_metrics
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import Store
from understudy.storage.tables import RunRow

RATES = ALL_RATE_NAMES

RUN_COLUMNS: tuple[str, ...] = (
    "run_id",
    "created_at",
    "finished_at",
    "status",
    "flow_name",
    "flow_ref",
    "flow_version",
    "flow_hash",
    "persona_id",
    "persona_hash",
    "scenario_ids",
    "simulator",
    "seed",
    "n",
    "conversations",
    *(f"{rate}{suffix}" for rate in RATES for suffix in ("", "_k", "_n", "_low", "_high", "_band")),
    "mean_turns_to_completion",
    "mean_turns_sd",
)
"""Columns of the ``runs`` export, in order."""

CONVERSATION_COLUMNS: tuple[str, ...] = (
    "run_id",
    "index",
    "seed",
    "scenario_id",
    "termination_reason",
    "completed",
    "off_topic",
    "fell_back",
    "fallback_turns",
    "agent_turns",
    "customer_turns",
    "duration_s",
    "moods",
    "detail",
    "error",
)
"""Columns of the ``conversations`` export, in order."""

ATTEMPT_COLUMNS: tuple[str, ...] = (
    "attempt_id",
    "number",
    "trainee",
    "scenario_id",
    "started_at",
    "duration_s",
    "termination_reason",
    "status",
    "evaluation_status",
    "overall",
)
"""Columns of the ``attempts`` export, in order."""

TABLE_FORMATS = ("csv", "jsonl", "parquet")
"""Formats of the table exports."""


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def run_records(
    store: Store, runs: Sequence[RunRow], bands: Bands | None = None
) -> list[dict[str, Any]]:
    """One record per run (``RUN_COLUMNS``), in the order given."""
    bands = bands if bands is not None else load_bands()
    out = []
    for run in runs:
        metrics = run_metrics(store, run, bands)
        record: dict[str, Any] = {
            "run_id": run.id,
            "created_at": _iso(run.created_at),
            "finished_at": _iso(run.finished_at),
            "status": run.status,
            "flow_name": run.agent_name,
            "flow_ref": run.agent_ref,
            "flow_version": run.agent_version,
            "flow_hash": run.agent_hash,
            "persona_id": run.persona_id,
            "persona_hash": run.persona_hash,
            "scenario_ids": ";".join(run.scenario_ids),
            "simulator": run.simulator_kind,
            "seed": run.seed,
            "n": run.n,
            "conversations": metrics.conversations,
        }
        rates = metrics.rates()
        for name in RATES:
            rate = rates[name]
            record.update(
                {
                    name: rate.value,
                    f"{name}_k": rate.k,
                    f"{name}_n": rate.n,
                    f"{name}_low": rate.low,
                    f"{name}_high": rate.high,
                    f"{name}_band": rate.band.value,
                }
            )
        mean = metrics.mean_turns_to_completion
        record["mean_turns_to_completion"] = mean.value
        record["mean_turns_sd"] = mean.sd
        out.append(record)
    return out


def conversation_records(store: Store, runs: Sequence[RunRow]) -> list[dict[str, Any]]:
    """One record per stored conversation of ``runs`` (``CONVERSATION_COLUMNS``)."""
    out = []
    for run in runs:
        for row in store.conversations(run.id):
            out.append(
                {
                    "run_id": run.id,
                    "index": row.index,
                    "seed": row.seed,
                    "scenario_id": row.scenario_id,
                    "termination_reason": row.termination_reason,
                    "completed": row.completed,
                    "off_topic": row.off_topic,
                    "fell_back": row.fell_back,
                    "fallback_turns": row.fallback_turns,
                    "agent_turns": row.agent_turns,
                    "customer_turns": row.turns,
                    "duration_s": row.duration_s,
                    "moods": ";".join(row.moods),
                    "detail": row.detail,
                    "error": row.error,
                }
            )
    return out


def attempt_records(
    attempts: AttemptStore, trainee: str | None = None, scenario_id: str | None = None
) -> list[dict[str, Any]]:
    """One record per practice attempt, oldest first (``ATTEMPT_COLUMNS``)."""
    rows = sorted(attempts.list_attempts(trainee, scenario_id), key=lambda a: a.id)
    return [
        {
            "attempt_id": a.id,
            "number": a.number,
            "trainee": a.trainee,
            "scenario_id": a.scenario_id,
            "started_at": _iso(a.started_at),
            "duration_s": a.duration_s,
            "termination_reason": a.termination_reason,
            "status": a.status,
            "evaluation_status": a.evaluation_status,
            "overall": a.overall,
        }
        for a in rows
    ]


def openai_records(
    store: Store, runs: Sequence[RunRow], *, customer_as_assistant: bool = False
) -> list[dict[str, Any]]:
    """One ``{"messages": [...]}`` object per stored conversation (see the module docstring)."""
    assistant = Role.customer if customer_as_assistant else Role.agent
    out = []
    for run in runs:
        for result in store.transcripts(run.id):
            messages = [
                {"role": "assistant" if m.role is assistant else "user", "content": m.text}
                for m in result.messages
            ]
            if messages:
                out.append({"messages": messages})
    return out


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text with a header row of ``columns``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_value(record.get(c)) for c in columns])
    return buffer.getvalue()


def to_jsonl(records: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """JSON Lines text: one object per record, keys in ``columns`` order when given."""
    lines = []
    for record in records:
        shown = {c: record.get(c) for c in columns} if columns else record
        lines.append(json.dumps(shown, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def write_parquet(records: Sequence[dict[str, Any]], columns: Sequence[str], path: Path) -> None:
    """Write ``records`` to a Parquet file (needs pyarrow: the ``export`` extra).

    Raises:
        ConfigError: pyarrow is not installed (the message gives the install command).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("Parquet needs pyarrow: pip install 'understudy[export]'") from None
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in records])
    if not records:
        table = pa.table({c: pa.array([], type=pa.string()) for c in columns})
    pq.write_table(table, path)
