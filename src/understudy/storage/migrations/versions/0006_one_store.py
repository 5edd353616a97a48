"""One store: runs and attempts share one message table, one snapshot format and one hash.

Revision ID: 0006_one_store
Revises: 0005_simulator_info

- ``messages`` gains ``attempt_id`` (foreign key to ``attempts``, cascade) and ``created_at``;
  ``conversation_id`` becomes nullable, and a check keeps exactly one owner per row. Every row
  of ``attempt_messages`` is copied over (``turn`` becomes ``index``, ``fell_back`` false, as
  attempts always read it), then ``attempt_messages`` is dropped. Only ``messages`` (a child
  table) is copied by SQLite's batch mode; no parent table is copied (see ``0003_assignments``).
- Snapshots are canonical JSON text (``understudy.content.hashing.snapshot``): ``attempts``
  trades its JSON columns ``persona_json`` and ``scenario_json`` for the text columns
  ``persona_snapshot`` and ``scenario_snapshot`` (the scenario as a one-item list, as runs
  store theirs), and the runs' snapshots are rewritten canonically (same content).
- Content hashes (``understudy.content.hashing.content_hash``) leave ``None`` out for flows and
  webhook settings too: a run's stored ``agent_hash`` is recomputed from its snapshot when the
  snapshot reproduces the old hash (so a run of an unchanged flow still compares equal with
  the file today); otherwise it is left as it was. Persona and scenario hashes are unchanged.

Data moves are set-based ``INSERT ... SELECT`` or row-by-row updates through SQLAlchemy Core,
so they run the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_one_store"
down_revision = "0005_simulator_info"
branch_labels = None
depends_on = None

_SNAPSHOT_HEADER = "# Snapshot of a flow with its intents_from files merged in: "

_MESSAGE_COLUMNS = ("role", "text", "clean_text", "acts", "mood", "at_s", "meta", "created_at")


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def _loaded(value: Any) -> Any:
    """A JSON column's value as Python data (some drivers hand back the text)."""
    return json.loads(value) if isinstance(value, str) else value


def _message_tables() -> tuple[sa.TableClause, sa.TableClause]:
    messages = sa.table(
        "messages",
        sa.column("id", sa.Integer),
        sa.column("conversation_id", sa.Integer),
        sa.column("attempt_id", sa.Integer),
        sa.column("index", sa.Integer),
        sa.column("fell_back", sa.Boolean),
        *(sa.column(name) for name in _MESSAGE_COLUMNS),
    )
    old = sa.table(
        "attempt_messages",
        sa.column("id", sa.Integer),
        sa.column("attempt_id", sa.Integer),
        sa.column("turn", sa.Integer),
        *(sa.column(name) for name in _MESSAGE_COLUMNS),
    )
    return messages, old


def _merge_messages() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("attempt_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("created_at", sa.DateTime, nullable=True))
        batch.alter_column("conversation_id", existing_type=sa.Integer, nullable=True)
        batch.create_foreign_key(
            "fk_messages_attempt_id", "attempts", ["attempt_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_check_constraint(
            "ck_messages_one_owner", "(conversation_id IS NULL) <> (attempt_id IS NULL)"
        )
        batch.create_index("ix_messages_attempt_id", ["attempt_id"])
        batch.create_index("ix_messages_created_at", ["created_at"])
    messages, old = _message_tables()
    columns = ["attempt_id", "index", "fell_back", *_MESSAGE_COLUMNS]
    source = sa.select(
        old.c.attempt_id,
        old.c.turn,
        sa.false(),
        *(old.c[name] for name in _MESSAGE_COLUMNS),
    ).order_by(old.c.id)
    op.get_bind().execute(sa.insert(messages).from_select(columns, source))
    op.drop_table("attempt_messages")


def _attempt_snapshots() -> None:
    op.add_column(
        "attempts", sa.Column("persona_snapshot", sa.Text, nullable=False, server_default="")
    )
    op.add_column(
        "attempts", sa.Column("scenario_snapshot", sa.Text, nullable=False, server_default="")
    )
    attempts = sa.table(
        "attempts",
        sa.column("id", sa.Integer),
        sa.column("persona_json", sa.JSON),
        sa.column("scenario_json", sa.JSON),
        sa.column("persona_snapshot", sa.Text),
        sa.column("scenario_snapshot", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attempts.c.id, attempts.c.persona_json, attempts.c.scenario_json)
    ).all()
    for row in rows:
        connection.execute(
            sa.update(attempts)
            .where(attempts.c.id == row.id)
            .values(
                persona_snapshot=_canonical(_loaded(row.persona_json)),
                scenario_snapshot=_canonical([_loaded(row.scenario_json)]),
            )
        )
    # Plain DROP COLUMN (SQLite 3.35 or later): a batch copy of ``attempts`` would cascade.
    op.drop_column("attempts", "persona_json")
    op.drop_column("attempts", "scenario_json")


def _flow_hashes(snapshot: str) -> tuple[str, str] | None:
    """(old hash, new hash) of a flow snapshot, or None when it no longer loads."""
    import yaml

    from understudy.domain.flow import Flow

    try:
        flow = Flow.model_validate(yaml.safe_load(snapshot))
    except Exception:
        return None
    first = snapshot.splitlines()[0] if snapshot else ""
    if first.startswith(_SNAPSHOT_HEADER):
        names = [n.strip() for n in first[len(_SNAPSHOT_HEADER) :].split(",")]
        flow = flow.model_copy(update={"intents_from": names})
    # The old hash covered the fields the model had then: fields added to the model later
    # (``_LATER_FIELDS``), left unset, are taken out again so the old hash reproduces.
    return (
        _sha(_canonical(_without_later_fields(flow.model_dump(mode="json")))),
        _sha(_canonical(flow.model_dump(mode="json", exclude_none=True))),
    )


_LATER_FIELDS = {"end": ("success",)}
"""Node kind -> fields added to that node after this migration (0007: ``success`` of ends)."""


def _without_later_fields(dumped: dict[str, Any]) -> dict[str, Any]:
    nodes = {}
    for node_id, node in dumped.get("nodes", {}).items():
        later = _LATER_FIELDS.get(node.get("kind"), ())
        nodes[node_id] = {k: v for k, v in node.items() if not (k in later and v is None)}
    return {**dumped, "nodes": nodes}


def _new_agent_hash(kind: str, snapshot: str, stored: str) -> str:
    hashes: tuple[str, str] | None = None
    if kind == "flow" and snapshot:
        hashes = _flow_hashes(snapshot)
    elif kind == "http" and snapshot:
        try:
            hashes = (_sha(snapshot), _sha(_canonical(_without_none(json.loads(snapshot)))))
        except ValueError:
            hashes = None
    if hashes is None or hashes[0] != stored:
        return stored
    return hashes[1]


def _run_snapshots() -> None:
    runs = sa.table(
        "runs",
        sa.column("id", sa.String),
        sa.column("agent_kind", sa.String),
        sa.column("agent_snapshot", sa.Text),
        sa.column("agent_hash", sa.String),
        sa.column("persona_snapshot", sa.Text),
        sa.column("scenario_snapshot", sa.Text),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(runs)).all():
        values: dict[str, str] = {}
        for name in ("persona_snapshot", "scenario_snapshot"):
            text = getattr(row, name)
            try:
                values[name] = _canonical(json.loads(text)) if text else text
            except ValueError:
                values[name] = text
        values["agent_hash"] = _new_agent_hash(row.agent_kind, row.agent_snapshot, row.agent_hash)
        connection.execute(sa.update(runs).where(runs.c.id == row.id).values(**values))


def upgrade() -> None:
    """Merge the message tables, then unify the snapshots and hashes."""
    _merge_messages()
    _attempt_snapshots()
    _run_snapshots()


def downgrade() -> None:
    """Split the attempts' messages back out and restore the attempts' JSON snapshots.

    Hashes stay in the new form (they are recomputed when compared), and run snapshots stay
    canonical (still valid JSON of the same content).
    """
    op.add_column("attempts", sa.Column("persona_json", sa.JSON, nullable=True))
    op.add_column("attempts", sa.Column("scenario_json", sa.JSON, nullable=True))
    attempts = sa.table(
        "attempts",
        sa.column("id", sa.Integer),
        sa.column("persona_json", sa.JSON),
        sa.column("scenario_json", sa.JSON),
        sa.column("persona_snapshot", sa.Text),
        sa.column("scenario_snapshot", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attempts.c.id, attempts.c.persona_snapshot, attempts.c.scenario_snapshot)
    ).all()
    for row in rows:
        scenarios = json.loads(row.scenario_snapshot or "[{}]")
        connection.execute(
            sa.update(attempts)
            .where(attempts.c.id == row.id)
            .values(
                persona_json=json.loads(row.persona_snapshot or "{}"),
                scenario_json=scenarios[0] if scenarios else {},
            )
        )
    op.drop_column("attempts", "persona_snapshot")
    op.drop_column("attempts", "scenario_snapshot")
    op.create_table(
        "attempt_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("clean_text", sa.Text, nullable=True),
        sa.Column("acts", sa.JSON, nullable=False),
        sa.Column("mood", sa.String(20), nullable=True),
        sa.Column("at_s", sa.Float, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    )
    messages, old = _message_tables()
    source = sa.select(
        messages.c.attempt_id,
        messages.c.index,
        *(messages.c[name] for name in _MESSAGE_COLUMNS),
    ).where(messages.c.attempt_id.is_not(None))
    connection.execute(
        sa.insert(old).from_select(["attempt_id", "turn", *_MESSAGE_COLUMNS], source)
    )
    connection.execute(sa.delete(messages).where(messages.c.attempt_id.is_not(None)))
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_created_at")
        batch.drop_index("ix_messages_attempt_id")
        batch.drop_constraint("ck_messages_one_owner", type_="check")
        batch.drop_constraint("fk_messages_attempt_id", type_="foreignkey")
        batch.alter_column("conversation_id", existing_type=sa.Integer, nullable=False)
        batch.drop_column("created_at")
        batch.drop_column("attempt_id")
