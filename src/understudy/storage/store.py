"""The run store: a small API over the history tables, one short transaction per call.

Writes never hold a lock for long: a run row is created, then each conversation is committed the
moment it ends, together with any others that ended while the previous commit ran
(``save_conversations``), so a batch stopped at any point keeps everything that finished. Two
batches writing at once each take turns on SQLite's single writer lock (WAL mode and a 30 s busy
timeout are set in ``storage.db``).

A run whose process died without a word (SIGKILL, power loss) stays ``running`` in the table;
``reap_stale`` (called by every listing and lookup) marks such runs ``interrupted`` when their
recorded process no longer exists on this host (or its pid now belongs to a process started
after the run, where ``/proc`` tells), and computes their metrics from the conversations that
were stored. Runs started on another host are left alone.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from understudy.domain.persona import Mood
from understudy.domain.transcript import ConversationResult, Role, TerminationReason
from understudy.errors import NotFoundError
from understudy.metrics.batch import (
    BatchMetrics,
    ConversationOutcome,
    MetricsTally,
    compute_metrics,
)
from understudy.storage.db import check_length, open_database
from understudy.storage.messages import MessageRow, message_values, to_message
from understudy.storage.tables import ConversationRow, RunRow
from understudy.teams.context import current_workspace_id
from understudy.teams.permissions import Action, authorize

_CONVERSATIONS = cast(Table, ConversationRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)

RUNNING, FINISHED, INTERRUPTED, FAILED = "running", "finished", "interrupted", "failed"
"""The statuses of a run."""


@dataclass(frozen=True)
class FinishedConversation:
    """One finished conversation of a run, as ``Store.save_conversations`` stores it.

    Attributes:
        index: its 0-based index in the batch.
        result: the conversation.
        scenario_id: the scenario it played.
        seed: its seed string.
        usage: LLM token usage (``understudy.llm.usage.Usage.as_dict``), when an LLM took part.
    """

    index: int
    result: ConversationResult
    scenario_id: str
    seed: str
    usage: dict[str, Any] | None = None


_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read out and type
_ID_LENGTH = 6


def new_run_id() -> str:
    """Return a fresh short run id: 6 characters, lower-case, no look-alike characters."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


@dataclass
class RunSpec:
    """What a new run records before its first conversation.

    Attributes:
        agent_kind: ``flow``, ``http``, ``callable``, ``agent-persona``...
        agent_ref: the path, URL or name the user gave.
        agent_name: display name of the agent (the flow's name).
        agent_version: version label (``draft``, ``published``, ``production``...).
        agent_snapshot: the agent's content at run time (the flow file's text).
        agent_hash: sha256 of the agent's normalised content.
        persona_id: the persona played.
        persona_snapshot: the persona (``content.hashing.snapshot``: canonical JSON).
        persona_hash: ``content.hashing.content_hash`` of the persona.
        scenario_ids: the scenario(s), in round-robin order.
        scenario_snapshot: the scenarios as a JSON list (``content.hashing.snapshot``).
        scenario_hash: ``content.hashing.content_hash`` of the scenarios.
        simulator_kind: ``offline``, ``llm``...
        seed: batch seed.
        n: conversations planned.
        concurrency: conversations in flight at most.
        simulator_info: the simulator's content, as JSON (the offline simulator's phrasing
            banks, ``understudy.runs.plan.simulator_content``); None when nothing is recorded.
    """

    agent_kind: str
    agent_ref: str
    persona_id: str
    simulator_kind: str
    seed: str
    n: int
    concurrency: int
    agent_name: str = ""
    agent_version: str = ""
    agent_snapshot: str = ""
    agent_hash: str = ""
    persona_snapshot: str = ""
    persona_hash: str = ""
    scenario_ids: list[str] = field(default_factory=list)
    scenario_snapshot: str = ""
    scenario_hash: str = ""
    simulator_info: dict[str, Any] | None = None


def _process_start(pid: int) -> float | None:
    """Return when process ``pid`` started (epoch seconds) where ``/proc`` tells, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        ticks = float(stat.rsplit(")", 1)[1].split()[19])  # field 22: start time in ticks
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def owner_alive(pid: int, since: datetime) -> bool:
    """True when process ``pid`` exists and is not a newer process that reused the pid.

    Args:
        pid: the owner's process id.
        since: when the owner recorded itself (naive means UTC); a process that started more
            than 5 s later cannot be it. Where ``/proc`` does not tell start times, a live pid
            counts as the owner.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    started = _process_start(pid)
    if started is None:
        return True
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return started <= since.timestamp() + 5.0  # a process born after the run cannot own it


def run_matches_flow(run: RunRow, flow: str) -> bool:
    """True when ``run`` played the flow named ``flow``: its name, or its file.

    A path matches the stored reference as the same file (relative and absolute paths alike,
    resolved against the current folder) or as its trailing path components (``refund.yaml``
    matches ``/work/examples/flows/refund.yaml``). Characters are compared literally.
    """
    if run.agent_name == flow or run.agent_ref == flow:
        return True
    if run.agent_kind != "flow" or not run.agent_ref:
        return False
    given, stored = Path(flow), Path(run.agent_ref)
    if given.resolve() == stored.resolve():
        return True
    parts = given.parts
    return bool(parts) and stored.parts[-len(parts) :] == parts


def flow_condition(flow: str) -> ColumnElement[bool]:
    """The SQL form of ``run_matches_flow``: runs of the flow named ``flow``.

    Each alternative goes through an indexed column (``agent_name``, ``agent_ref``, or the
    flow file's name ``agent_file``), so the database finds the runs without reading them all;
    the trailing-components match then compares the stored path's tail literally (``%`` and
    ``_`` are escaped).
    """
    given = Path(flow)
    resolved = given.resolve()
    conditions: list[ColumnElement[bool]] = [
        RunRow.agent_name == flow,
        RunRow.agent_ref == flow,
        and_(
            RunRow.agent_file == resolved.name[:255],
            RunRow.agent_kind == "flow",
            RunRow.agent_ref == str(resolved),
        ),
    ]
    if given.parts:
        tail = str(given)
        conditions.append(
            and_(
                RunRow.agent_file == given.name[:255],
                RunRow.agent_kind == "flow",
                RunRow.agent_ref.endswith(os.sep + tail, autoescape=True),
            )
        )
    return or_(*conditions)


def _outcome(row: ConversationRow) -> ConversationOutcome:
    return ConversationOutcome(
        termination_reason=TerminationReason(row.termination_reason),
        off_topic=row.off_topic,
        off_topic_answered=row.off_topic_answered is not False,
        customer_turns=row.turns,
        agent_turns=row.agent_turns,
        fallback_turns=row.fallback_turns,
    )


class Store:
    """Runs, conversations and messages in the database.

    Args:
        url: SQLAlchemy URL; ``settings.database_url()`` when None. The schema is upgraded on
            first use.

    Raises:
        ConfigError: the database cannot be opened (the message names it).
    """

    def __init__(self, url: str | None = None) -> None:
        self._sessions = self._open(url)
        self._host = socket.gethostname()

    @property
    def _engine(self) -> Any:
        """The SQLAlchemy engine this store's sessions are bound to."""
        return self._sessions.kw["bind"]

    @property
    def url(self) -> str:
        """The database's SQLAlchemy URL, password included (what another process of this
        batch opens the same store with, ``understudy.runs.workers``)."""
        return str(self._engine.url.render_as_string(hide_password=False))

    def release_connections(self) -> None:
        """Close the idle connections of this store's pool (the next call opens one again): a
        long-lived Ray worker process holds none between its tasks."""
        self._engine.dispose()

    @property
    def shared(self) -> bool:
        """True when another process can open this store by its ``url`` (False for an in-memory
        SQLite database, which lives in this process only)."""
        url = self._engine.url
        if url.get_backend_name() != "sqlite":
            return True
        database = url.database or ""
        return database not in ("", ":memory:") and url.query.get("mode") != "memory"

    @staticmethod
    def _open(url: str | None) -> sessionmaker[Session]:
        # open_database retries the collisions of two processes upgrading a fresh database and
        # turns every other failure (bad URL, missing driver, read-only folder) into ConfigError.
        return open_database(url)

    # -- writing ---------------------------------------------------------------------------

    def create_run(self, spec: RunSpec) -> str:
        """Record a new ``running`` run owned by this process and return its id.

        The run belongs to the acting user's workspace.

        Raises:
            PermissionDenied: the acting user may not run a stress-test (``teams.permissions``).
            ConfigError: a value is longer than its column (``db.check_length``), including a
                scenario id too long for the run's conversations; nothing is stored.
        """
        authorize(Action.RUN_STRESS_TEST)
        workspace_id = current_workspace_id()
        for scenario_id in spec.scenario_ids:
            check_length(_CONVERSATIONS.c.scenario_id, scenario_id)
        for _ in range(10):
            run_id = new_run_id()
            row = RunRow(
                id=run_id,
                created_at=datetime.now(UTC),
                status=RUNNING,
                pid=os.getpid(),
                host=self._host,
                workspace_id=workspace_id,
                agent_kind=spec.agent_kind,
                agent_ref=spec.agent_ref,
                agent_name=spec.agent_name,
                agent_file=Path(spec.agent_ref).name[:255] if spec.agent_kind == "flow" else "",
                agent_version=spec.agent_version,
                agent_snapshot=spec.agent_snapshot,
                agent_hash=spec.agent_hash,
                persona_id=spec.persona_id,
                persona_snapshot=spec.persona_snapshot,
                persona_hash=spec.persona_hash,
                scenario_ids=list(spec.scenario_ids),
                scenario_snapshot=spec.scenario_snapshot,
                scenario_hash=spec.scenario_hash,
                simulator_kind=spec.simulator_kind,
                seed=spec.seed,
                n=spec.n,
                concurrency=spec.concurrency,
                simulator_info=spec.simulator_info,
            )
            try:
                with self._sessions.begin() as session:
                    session.add(row)
            except IntegrityError:
                continue
            return run_id
        raise RuntimeError("could not find a free run id")  # pragma: no cover

    def save_conversation(
        self,
        run_id: str,
        index: int,
        result: ConversationResult,
        *,
        scenario_id: str,
        seed: str,
        usage: dict[str, Any] | None = None,
    ) -> None:
        """Store one finished conversation and its messages in a single transaction.

        Args:
            run_id: the run it belongs to.
            index: its 0-based index in the batch.
            result: the conversation.
            scenario_id: the scenario it played.
            seed: its seed string.
            usage: LLM token usage, when an LLM took part.
        """
        self.save_conversations(
            run_id, [FinishedConversation(index, result, scenario_id, seed, usage)]
        )

    def save_conversations(
        self, run_id: str, finished: Sequence[FinishedConversation], *, skip_stored: bool = False
    ) -> None:
        """Store finished conversations and their messages in a single transaction.

        A batch's recorder commits whatever ended while the previous commit ran, together
        (``understudy.runs.record``), and a worker process commits each hand-out
        (``understudy.runs.workers``): one transaction per group costs a fraction of one per
        conversation. All or none of ``finished`` is stored.

        Args:
            run_id: the run they belong to.
            finished: the conversations, in the order they are stored.
            skip_stored: leave out the conversations whose index the run already holds (a
                worker that died after its commit had its hand-out played again); False
                stores every one (a second copy of an index is then an ``IntegrityError``).
        """
        if not finished:
            return
        with self._sessions.begin() as session:
            if skip_stored:
                held = set(
                    session.scalars(
                        select(ConversationRow.index).where(
                            ConversationRow.run_id == run_id,
                            ConversationRow.index.in_([done.index for done in finished]),
                        )
                    )
                )
                finished = [done for done in finished if done.index not in held]
            if finished:
                self._insert_conversations(session, run_id, finished)

    @staticmethod
    def _insert_conversations(
        session: Session, run_id: str, finished: Sequence[FinishedConversation]
    ) -> None:
        rows = []
        for done in finished:
            result = done.result
            outcome = ConversationOutcome.from_result(result)
            rows.append(
                {
                    "run_id": run_id,
                    "index": done.index,
                    "seed": done.seed,
                    "scenario_id": done.scenario_id,
                    "termination_reason": result.termination_reason.value,
                    "detail": result.detail,
                    "error": result.error,
                    "completed": outcome.completed,
                    "off_topic": outcome.off_topic,
                    "off_topic_answered": outcome.off_topic_answered,
                    "fell_back": outcome.fell_back,
                    "fallback_turns": outcome.fallback_turns,
                    "agent_turns": outcome.agent_turns,
                    "turns": outcome.customer_turns,
                    "duration_s": result.duration_s,
                    "moods": [m.value for m in result.moods],
                    "usage": done.usage,
                }
            )
        # Core inserts (one executemany for the conversations, returning their ids in order, and
        # one for all their messages): several times faster than the ORM unit of work.
        connection = session.connection()
        inserted = connection.execute(
            insert(_CONVERSATIONS).returning(_CONVERSATIONS.c.id, sort_by_parameter_order=True),
            rows,
        )
        ids = list(inserted.scalars())
        messages = [
            {"conversation_id": conversation_id, **message_values(m)}
            for conversation_id, done in zip(ids, finished, strict=True)
            for m in done.result.messages
        ]
        if messages:
            connection.execute(insert(_MESSAGES), messages)

    def finish_run(
        self,
        run_id: str,
        *,
        status: str = FINISHED,
        metrics: BatchMetrics | None = None,
        error: str | None = None,
        usage: dict[str, Any] | None = None,
        wall_s: float | None = None,
    ) -> BatchMetrics:
        """Close a run with ``status`` and its metrics.

        Args:
            run_id: the run.
            status: ``finished``, ``interrupted`` or ``failed``.
            metrics: the batch metrics; computed from the stored conversations when None (an
                interrupted run's metrics cover what finished).
            error: what went wrong, for ``failed`` runs.
            usage: LLM token usage of the whole run.
            wall_s: wall-clock seconds the batch took.

        Returns:
            The metrics stored.
        """
        if metrics is None:
            metrics = self.metrics_from_conversations(run_id)
        with self._sessions.begin() as session:
            session.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(
                    status=status,
                    finished_at=datetime.now(UTC),
                    metrics=metrics.model_dump(mode="json"),
                    error=error,
                    usage=usage,
                    wall_s=wall_s,
                )
            )
        return metrics

    def reopen_run(self, run_id: str) -> None:
        """Mark a stopped run ``running`` again, owned by this process (``runs resume``)."""
        with self._sessions.begin() as session:
            session.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(
                    status=RUNNING,
                    finished_at=None,
                    error=None,
                    pid=os.getpid(),
                    host=self._host,
                )
            )

    def resume_state(self, run_id: str, n: int) -> tuple[list[int], MetricsTally]:
        """Return what finishing a run needs: the indices to play and the stored tally.

        Conversations stored as ``interrupted`` (cut short when the run stopped) did not
        finish: they are deleted here, with their messages, and played again.

        Args:
            run_id: the run.
            n: its planned number of conversations.

        Returns:
            ``(missing indices ascending, MetricsTally of the finished stored conversations)``.
        """
        cut = TerminationReason.interrupted.value
        with self._sessions.begin() as session:
            session.execute(
                delete(_CONVERSATIONS).where(
                    _CONVERSATIONS.c.run_id == run_id,
                    _CONVERSATIONS.c.termination_reason == cut,
                )
            )
        tally = MetricsTally()
        stored: set[int] = set()
        columns = (
            ConversationRow.index,
            ConversationRow.termination_reason,
            ConversationRow.off_topic,
            ConversationRow.off_topic_answered,
            ConversationRow.turns,
            ConversationRow.agent_turns,
            ConversationRow.fallback_turns,
        )
        query = select(*columns).where(ConversationRow.run_id == run_id)
        with self._sessions() as session:
            rows = session.execute(query.execution_options(yield_per=5000))
            for index, reason, off_topic, answered, turns, agent_turns, fallbacks in rows:
                stored.add(index)
                tally.add(
                    ConversationOutcome(
                        termination_reason=TerminationReason(reason),
                        off_topic=off_topic,
                        off_topic_answered=answered is not False,
                        customer_turns=turns,
                        agent_turns=agent_turns,
                        fallback_turns=fallbacks,
                    )
                )
        return [i for i in range(n) if i not in stored], tally

    def metrics_from_conversations(self, run_id: str) -> BatchMetrics:
        """Compute a run's metrics from its finished stored conversations (default bands)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ConversationRow).where(ConversationRow.run_id == run_id)
            ).all()
            # A conversation cut short (``interrupted``: the batch stopped, the token budget ran
            # out) did not finish: it counts in no rate.
            finished = [r for r in rows if r.termination_reason != TerminationReason.interrupted]
            return compute_metrics([_outcome(r) for r in finished])

    def reap_stale(self) -> list[str]:
        """Mark ``running`` runs whose process is gone (same host) as ``interrupted``.

        Returns:
            The ids of the runs marked.
        """
        with self._sessions() as session:
            stale = [
                row.id
                for row in session.scalars(select(RunRow).where(RunRow.status == RUNNING))
                if row.host == self._host
                and row.pid is not None
                and not owner_alive(row.pid, row.created_at)
            ]
        for run_id in stale:
            self.finish_run(run_id, status=INTERRUPTED, error="the batch process stopped")
        return stale

    # -- reading ---------------------------------------------------------------------------

    def list_runs(
        self,
        *,
        flow: str | None = None,
        persona: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RunRow]:
        """Return the acting user's workspace's runs, newest first, filtered and paged in SQL.

        Args:
            flow: keep runs of this flow (``run_matches_flow``: its name, or its file as a
                path or trailing path components, compared literally).
            persona: keep runs of this persona id.
            limit: at most this many.
            offset: skip this many (the newest) first.
        """
        self.reap_stale()
        query = self._runs_query(flow, persona).order_by(RunRow.created_at.desc(), RunRow.id)
        if offset:
            query = query.offset(offset)
        if limit:
            query = query.limit(limit)
        with self._sessions() as session:
            return list(session.scalars(query).all())

    def count_runs(self, *, flow: str | None = None, persona: str | None = None) -> int:
        """Return how many runs ``list_runs`` would list with these filters and no limit."""
        query = self._runs_query(flow, persona).with_only_columns(func.count())
        with self._sessions() as session:
            return int(session.scalar(query) or 0)

    @staticmethod
    def _runs_query(flow: str | None, persona: str | None) -> Select[RunRow]:
        query = select(RunRow).where(RunRow.workspace_id == current_workspace_id())
        if persona:
            query = query.where(RunRow.persona_id == persona)
        if flow:
            query = query.where(flow_condition(flow))
        return query

    def get_run(self, ref: str) -> RunRow:
        """Return the run named by ``ref``: an id, a unique id prefix, or ``last``.

        Only runs of the acting user's workspace are found.

        Raises:
            NotFoundError: no run, or an ambiguous prefix (the message lists candidates).
        """
        self.reap_stale()
        mine = RunRow.workspace_id == current_workspace_id()
        with self._sessions() as session:
            if ref in ("last", "latest"):
                row = session.scalars(
                    select(RunRow).where(mine).order_by(RunRow.created_at.desc()).limit(1)
                ).first()
                if row is None:
                    raise NotFoundError("no runs yet; start one with `understudy stress-test`")
                return row
            exact = session.scalars(select(RunRow).where(mine, RunRow.id == ref)).first()
            if exact is not None:
                return exact
            # Ids are lower-case; the prefix is matched literally and case-blind on every
            # database (SQLite's LIKE ignores case and PostgreSQL's does not; "_" and "%"
            # would be wildcards).
            prefix = RunRow.id.startswith(ref.lower(), autoescape=True)
            matches = list(session.scalars(select(RunRow).where(mine, prefix)))
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(sorted(m.id for m in matches))
            raise NotFoundError(f"run id {ref!r} is ambiguous: {ids}")
        raise NotFoundError(f"no run with id {ref!r}; see `understudy runs list`")

    def conversations(
        self, run_id: str, *, offset: int = 0, limit: int | None = None
    ) -> list[ConversationRow]:
        """Return the stored conversations of a run, by index.

        Args:
            run_id: the run.
            offset: skip this many (by index order) first.
            limit: at most this many; all when None.
        """
        query = (
            select(ConversationRow)
            .where(ConversationRow.run_id == run_id)
            .order_by(ConversationRow.index)
        )
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._sessions() as session:
            return list(session.scalars(query))

    def stored_indices(self, run_id: str) -> set[int]:
        """Return the indices of a run's stored conversations."""
        with self._sessions() as session:
            query = select(ConversationRow.index).where(ConversationRow.run_id == run_id)
            return set(session.scalars(query))

    def failed_conversations(self, run_id: str) -> list[tuple[int, str]]:
        """Return ``(index, error)`` of a run's conversations that ended with an error."""
        with self._sessions() as session:
            query = (
                select(ConversationRow.index, ConversationRow.error)
                .where(ConversationRow.run_id == run_id, ConversationRow.error.is_not(None))
                .order_by(ConversationRow.index)
            )
            return [(index, error or "") for index, error in session.execute(query)]

    def agent_node_steps(self, run_id: str) -> Iterator[tuple[int, str, str | None, bool]]:
        """Yield the agent turns of a run's conversations, for the node funnel, in order.

        Only the node each agent turn reported (``meta["node"]``) is read, in SQL, so a run of
        any size is walked without rebuilding its transcripts.

        Yields:
            ``(conversation index, termination reason, node or None, fell back)``, by
            conversation index, then turn.
        """
        node = _MESSAGES.c.meta["node"].as_string()
        query = (
            select(
                _CONVERSATIONS.c.index,
                _CONVERSATIONS.c.termination_reason,
                node,
                _MESSAGES.c.fell_back,
            )
            .join(_MESSAGES, _MESSAGES.c.conversation_id == _CONVERSATIONS.c.id)
            .where(_CONVERSATIONS.c.run_id == run_id, _MESSAGES.c.role == Role.agent.value)
            .order_by(_CONVERSATIONS.c.index, _MESSAGES.c.index)
        )
        with self._sessions() as session:
            for index, reason, name, fell_back in session.execute(
                query.execution_options(yield_per=2000)
            ):
                yield int(index), str(reason), name, bool(fell_back)

    def voice_timings(self, run_id: str) -> list[dict[str, Any]]:
        """Return the voice timings of a run's agent turns (``meta["voice"]``), in order.

        Only a run against a voice bot has them (``understudy.voice.bot_client``); the list is
        empty otherwise. Read in SQL, without rebuilding the transcripts.
        """
        timing = _MESSAGES.c.meta["voice"]
        query = (
            select(timing)
            .join(_CONVERSATIONS, _MESSAGES.c.conversation_id == _CONVERSATIONS.c.id)
            .where(_CONVERSATIONS.c.run_id == run_id, _MESSAGES.c.role == Role.agent.value)
            .order_by(_CONVERSATIONS.c.index, _MESSAGES.c.index)
        )
        with self._sessions() as session:
            return [dict(t) for (t,) in session.execute(query) if isinstance(t, dict)]

    def count_conversations(self, run_id: str) -> int:
        """Return how many conversations of a run are stored."""
        with self._sessions() as session:
            query = select(func.count()).where(ConversationRow.run_id == run_id)
            return int(session.scalar(query) or 0)

    def get_conversation(
        self, run_id: str, index: int
    ) -> tuple[ConversationRow, ConversationResult]:
        """Return one stored conversation: its row and the rebuilt ``ConversationResult``.

        Raises:
            NotFoundError: no conversation ``index`` in that run.
        """
        with self._sessions() as session:
            row = session.scalars(
                select(ConversationRow).where(
                    ConversationRow.run_id == run_id, ConversationRow.index == index
                )
            ).first()
            if row is None:
                count = self.count_conversations(run_id)
                raise NotFoundError(
                    f"run {run_id} has no conversation {index}; stored: 0..{count - 1}"
                    if count
                    else f"run {run_id} has no stored conversations"
                )
            messages = session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == row.id)
                .order_by(MessageRow.index)
            ).all()
            result = ConversationResult(
                conversation_id=f"{run_id}/{index}",
                seed=row.seed,
                messages=[to_message(m) for m in messages],
                termination_reason=TerminationReason(row.termination_reason),
                detail=row.detail,
                error=row.error,
                duration_s=row.duration_s,
                moods=[Mood(m) for m in row.moods],
            )
        return row, result

    def transcripts(self, run_id: str) -> Sequence[ConversationResult]:
        """Return every stored conversation of a run, rebuilt, by index."""
        return [self.get_conversation(run_id, row.index)[1] for row in self.conversations(run_id)]
