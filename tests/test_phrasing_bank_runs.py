"""One phrasing bank per batch: taken once, recorded on the run, shown by ``runs show``, and warned
about by ``rerun`` when it changed."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect
from typer.testing import CliRunner

from conftest import Database
from understudy.cli.app import app
from understudy.domain import phrasing
from understudy.runs import StressOutcome, plan_stress_test, play
from understudy.runs.rerun import plan_rerun
from understudy.simulators.offline import bank
from understudy.simulators.offline.bank import phrasing_dir
from understudy.storage.db import alembic_config, make_engine
from understudy.storage.store import RunSpec, Store

pytestmark = pytest.mark.usefixtures("database")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


REFUND = EXAMPLES / "flows" / "refund.yaml"


MARK = "zanzibar"
"""A word no built-in line holds: it shows that an installed bank was spoken."""


def install_bank(name: str = "mine.yaml") -> Path:
    """Install a large opening-lines bank for the refund scenario's intent, in every style."""
    words = ("quick", "full", "proper", "real", "fair", "whole", "prompt", "clean")
    lines = [f"I need a {a} {b} {MARK} refund" for a in words for b in words if a != b]
    styles = {style.value: lines for style in phrasing.OpeningStyle}
    folder = phrasing_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = "# kind: opening-lines\n" + yaml.safe_dump({"intents": {"get_refund": styles}})
    path.write_text(text, encoding="utf-8")
    return path


def customer_texts(outcome: StressOutcome) -> list[list[str]]:
    return [
        [m.text for m in c.result.messages if m.role.value == "customer"]
        for c in sorted(outcome.result.conversations, key=lambda c: c.index)
    ]


def play_refund(*, store: Store | None = None, after_first: object = None) -> StressOutcome:
    plan = plan_stress_test(str(REFUND), n=6, seed=7, concurrency=1)

    def ended(done: object) -> None:
        if after_first is not None and getattr(done, "index", None) == 0:
            after_first()  # type: ignore[operator]

    return asyncio.run(play(plan, store, on_conversation_end=ended))


def test_installing_a_bank_mid_batch_changes_no_conversation_of_that_batch() -> None:
    baseline = customer_texts(play_refund())
    during = customer_texts(play_refund(after_first=install_bank))
    assert during == baseline, "a bank installed while a batch plays must not change that batch"
    after = customer_texts(play_refund())
    spoken = " ".join(t for texts in after for t in texts)
    assert MARK in spoken, "the next batch should speak the installed bank's lines"


def test_a_run_records_the_banks_it_used_and_runs_show_names_them() -> None:
    path = install_bank()
    store = Store()
    outcome = play_refund(store=store)
    assert outcome.run_id is not None
    run = store.get_run(outcome.run_id)
    info = run.simulator_info
    assert info is not None, "an offline run should record its phrasing banks"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert info["phrasing_banks"] == [{"file": "mine.yaml", "sha256": sha}], info
    assert re.fullmatch(r"[0-9a-f]{64}", info["phrasing_hash"]), "the merged bank's sha256"
    shown = CliRunner().invoke(app, ["runs", "show", run.id])
    assert shown.exit_code == 0, shown.output
    assert "phrasing banks installed: mine.yaml" in shown.output, shown.output


def test_a_run_without_installed_banks_shows_no_bank_line() -> None:
    store = Store()
    outcome = play_refund(store=store)
    assert outcome.run_id is not None
    run = store.get_run(outcome.run_id)
    assert run.simulator_info is not None and run.simulator_info["phrasing_banks"] == []
    shown = CliRunner().invoke(app, ["runs", "show", run.id])
    assert "phrasing banks" not in shown.output, "no line when only the built-in bank was used"


def test_the_same_banks_give_the_same_hash_and_a_new_bank_another() -> None:
    _bank, before = bank.phrasing_snapshot()
    _bank, again = bank.phrasing_snapshot()
    install_bank()
    _bank, after = bank.phrasing_snapshot()
    assert before == again, "an unchanged folder should give the same record"
    assert after["phrasing_hash"] != before["phrasing_hash"], "a new bank changes the hash"


def test_rerun_warns_when_the_banks_changed_since_the_run() -> None:
    store = Store()
    outcome = play_refund(store=store)
    assert outcome.run_id is not None
    run = store.get_run(outcome.run_id)
    assert plan_rerun(run).bank_warning is None, "same banks: no warning"
    install_bank("later.yaml")
    warning = plan_rerun(run).bank_warning
    assert warning is not None and "later.yaml" in warning, warning
    result = CliRunner().invoke(app, ["runs", "rerun", run.id])
    assert result.exit_code == 0, result.output
    assert "phrasing banks differ" in result.output, result.output


def test_the_migration_keeps_the_conversations_of_existing_runs(database: Database) -> None:
    from alembic import command

    url = database.url
    store = Store(url)
    spec = RunSpec(agent_kind="flow", agent_ref="f.yaml", persona_id="calm",
                   simulator_kind="offline", seed="1", n=1, concurrency=1)  # fmt: skip
    run_id = store.create_run(spec)
    outcome = play_refund()
    store.save_conversation(
        run_id, 0, outcome.result.conversations[0].result, scenario_id="s", seed="1"
    )
    engine = make_engine(url)
    command.downgrade(alembic_config(engine), "0004_grade_history")
    assert "simulator_info" not in {c["name"] for c in inspect(engine).get_columns("runs")}
    command.upgrade(alembic_config(engine), "head")
    assert "simulator_info" in {c["name"] for c in inspect(engine).get_columns("runs")}
    engine.dispose()
    assert Store(url).count_conversations(run_id) == 1, "upgrading must not drop conversations"
