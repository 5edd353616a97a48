"""Second review fixes: one phrasing bank per batch and its record, full flow snapshots, one
matcher for ``runs list --flow``, one placeholder rule and one slug rule."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect
from typer.testing import CliRunner

from understudy.agents.resolve import resolve_flow
from understudy.cli.app import app
from understudy.content.hashing import content_hash
from understudy.content.ids import slugify
from understudy.content.importers import abcd_flow, bitext, common
from understudy.domain import phrasing
from understudy.domain.flow import Flow
from understudy.runs import StressOutcome, plan_stress_test, play
from understudy.runs.rerun import plan_rerun
from understudy.simulators.offline import bank, wording
from understudy.simulators.offline.bank import phrasing_dir
from understudy.storage.db import alembic_config, make_engine
from understudy.storage.store import RunSpec, Store

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


# -- 1. the phrasing bank is taken once per batch, and recorded ------------------------------------


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


def test_the_migration_keeps_the_conversations_of_existing_runs(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'history.db'}"
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
    assert Store(url).count_conversations(run_id) == 1, "upgrading must not drop conversations"


# -- 2. a flow's snapshot holds its included intents -----------------------------------------------


def test_a_flow_snapshot_inlines_its_included_intents(tmp_path: Path) -> None:
    flow_text = re.sub(r"(?m)^default_scenario:.*\n", "", REFUND.read_text(encoding="utf-8"))
    included = {"intents": [{"name": "zz_included", "examples": ["an included phrase"]}]}
    (tmp_path / "more.yaml").write_text("# kind: intents\n" + yaml.safe_dump(included), "utf-8")
    path = tmp_path / "flow.yaml"
    path.write_text(flow_text.replace("\nname:", "\nintents_from: [more.yaml]\nname:", 1), "utf-8")
    _factory, info = resolve_flow(str(path))
    assert "an included phrase" in info.snapshot, "the included intent should be in the snapshot"
    stored = Flow.model_validate(yaml.safe_load(info.snapshot))
    assert stored.intents_from == [], "the snapshot needs no other file"
    assert [i.name for i in stored.intents][-1] == "zz_included", "inlined after the flow's own"
    as_run = stored.model_copy(update={"intents_from": ["more.yaml"]})
    assert content_hash(as_run) == info.content_hash, "the snapshot holds what the hash covers"


def test_a_flow_without_includes_is_stored_as_its_file_text() -> None:
    _factory, info = resolve_flow(str(REFUND))
    assert info.snapshot == REFUND.read_text(encoding="utf-8"), "comments and layout are kept"


# -- 3. one rule each ------------------------------------------------------------------------------


def test_list_runs_matches_flow_names_literally_and_applies_the_limit_after() -> None:
    store = Store()

    def run(ref: str) -> str:
        spec = RunSpec(agent_kind="flow", agent_ref=ref, persona_id="calm",
                       simulator_kind="offline", seed="1", n=1, concurrency=1)  # fmt: skip
        return store.create_run(spec)

    wanted = run("/x/my_flow.yaml")
    run("/x/myXflow.yaml")
    assert [r.id for r in store.list_runs(flow="my_flow.yaml")] == [wanted], (
        "an underscore is a character, not a wildcard"
    )
    run("/y/other.yaml")
    assert len(store.list_runs(flow="my_flow.yaml", limit=1)) == 1
    assert [r.id for r in store.list_runs(flow="/x/my_flow.yaml", limit=5)] == [wanted]


def test_every_module_uses_the_one_placeholder_and_digit_rule() -> None:
    for module in (bitext, bank, wording):
        names = {name for name, value in vars(module).items() if isinstance(value, re.Pattern)}
        for name in names:
            pattern = getattr(module, name)
            assert (
                pattern is phrasing.SLOT_PLACEHOLDER
                or pattern is phrasing.DIGIT
                or (pattern.pattern not in (r"\d", r"\{[a-z_]+\}", r"\{([a-z_]+)\}"))
            ), f"{module.__name__}.{name} copies a rule of understudy.domain.phrasing"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Order_ID 7", "order_id-7"), ("__Hi there__", "hi-there"), ("!!", "x"), ("A-b_c", "a-b_c")],
)
def test_imported_ids_keep_underscores_through_slugify(text: str, expected: str) -> None:
    assert slugify(text, "x", keep="_") == expected
    assert common.slug(text) == expected, "the importers' slug is slugify keeping _"


def test_plain_slugify_still_drops_underscores() -> None:
    assert slugify("Maya O'Brien_2") == "maya-o-brien-2"
    assert abcd_flow.action_name("Verify Identity!") == "verify-identity"
