"""``runs list --flow`` matches flow names literally and applies the limit after filtering."""

from __future__ import annotations

from understudy.storage.store import RunSpec, Store


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
