"""``runs list --flow`` matches flow names literally, in SQL through indexes, then limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from understudy.storage.store import RunSpec, Store, flow_condition
from understudy.storage.tables import RunRow

pytestmark = pytest.mark.usefixtures("database")


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


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # reads SQLite's query plan
def test_runs_of_a_flow_are_found_through_indexes_not_by_reading_every_run() -> None:
    store = Store()
    store.create_run(
        RunSpec(
            agent_kind="flow",
            agent_ref="/x/flows/refund.yaml",
            persona_id="calm",
            simulator_kind="offline",
            seed="1",
            n=1,
            concurrency=1,
        )
    )
    query = select(RunRow.id).where(flow_condition("flows/refund.yaml"))
    with store._sessions() as session:
        if session.bind is None or session.bind.dialect.name != "sqlite":
            pytest.fail("this check reads SQLite's query plan; the default store is SQLite")
        compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
        plan = [str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert not any(step.startswith("SCAN runs") for step in plan), f"a full scan: {plan}"
    assert any("ix_runs_agent_file" in step for step in plan), f"the file index is used: {plan}"
    assert len(store.list_runs(flow="flows/refund.yaml")) == 1
    assert store.count_runs(flow="refund.yaml") == 1 and store.count_runs(flow="other.yaml") == 0
