"""Upgrading to the one content hash keeps a stored agent hash comparable with the file today.

Before ``0006_one_store`` a flow's hash kept unset fields (``None``) and a webhook's was the hash
of its settings' JSON text; now both go through ``content.hashing.content_hash``. The migration
recomputes a run's stored hash from its snapshot when the snapshot reproduces the old hash, so
``runs rerun`` still finds an unchanged flow unchanged; a hash it cannot reproduce stays.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml
from alembic import command
from sqlalchemy import Connection, text

from conftest import Database
from understudy.agents.resolve import resolve_flow
from understudy.content.flows import load_flow
from understudy.content.hashing import content_hash
from understudy.storage.db import alembic_config, make_engine
from understudy.storage.store import Store

REFUND = Path(__file__).resolve().parents[1] / "examples" / "flows" / "refund.yaml"
WEBHOOK = '{"url":"http://127.0.0.1:9/bot","timeout_s":10.0,"end_path":null,"text_path":"text"}'


def _old_flow_hash(path: Path) -> str:
    """The flow hash before 0006: every field the model had then, ``None`` included (an end
    node's ``success`` came later)."""
    data = load_flow(path).model_dump(mode="json")
    for node in data["nodes"].values():
        if node["kind"] == "end" and node.get("success") is None:
            node.pop("success", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _flow_with_an_included_file(folder: Path) -> Path:
    flow_text = re.sub(r"(?m)^default_scenario:.*\n", "", REFUND.read_text(encoding="utf-8"))
    included = {"intents": [{"name": "zz_included", "examples": ["an included phrase"]}]}
    (folder / "more.yaml").write_text("# kind: intents\n" + yaml.safe_dump(included), "utf-8")
    path = folder / "flow.yaml"
    path.write_text(flow_text.replace("\nname:", "\nintents_from: [more.yaml]\nname:", 1), "utf-8")
    return path


def _insert_run(db: Connection, run_id: str, kind: str, snapshot: str, agent_hash: str) -> None:
    db.execute(
        text(
            "INSERT INTO runs (id, created_at, status, agent_kind, agent_ref, agent_name, "
            "agent_version, agent_snapshot, agent_hash, persona_id, persona_snapshot, "
            "persona_hash, scenario_ids, scenario_snapshot, scenario_hash, simulator_kind, seed, "
            "n, concurrency) VALUES (:id, '2026-01-01 10:00:00', 'finished', :kind, 'ref', '', "
            "'', :snapshot, :hash, 'calm', '{}', 'p', '[]', '[]', 's', 'offline', '1', 1, 1)"
        ),
        {"id": run_id, "kind": kind, "snapshot": snapshot, "hash": agent_hash},
    )


def test_stored_flow_and_webhook_hashes_move_to_the_one_content_hash(
    tmp_path: Path, empty_database: Database
) -> None:
    included = _flow_with_an_included_file(tmp_path)
    _factory, info = resolve_flow(str(included))
    assert info.snapshot.startswith("# Snapshot of a flow"), "the included intents are inlined"
    url = empty_database.url
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0005_simulator_info")
    with engine.begin() as db:
        _insert_run(db, "plain1", "flow", REFUND.read_text("utf-8"), _old_flow_hash(REFUND))
        _insert_run(db, "incl01", "flow", info.snapshot, _old_flow_hash(included))
        webhook_hash = hashlib.sha256(WEBHOOK.encode()).hexdigest()
        _insert_run(db, "hook01", "http", WEBHOOK, webhook_hash)
        _insert_run(db, "other1", "flow", REFUND.read_text("utf-8"), "f" * 64)
    engine.dispose()

    store = Store(url)
    hashes = {run.id: run.agent_hash for run in store.list_runs()}
    assert hashes["plain1"] == content_hash(load_flow(REFUND)), "an unchanged flow still matches"
    assert hashes["incl01"] == content_hash(load_flow(included)), (
        "a flow with included intents still matches the flow loaded with its includes"
    )
    assert hashes["hook01"] == content_hash(json.loads(WEBHOOK))
    assert hashes["other1"] == "f" * 64, "a hash the snapshot does not reproduce is kept"
