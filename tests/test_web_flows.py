"""Flows pages: the list, a flow with its Stress-test panel, history, charts, runs, compare."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from understudy.settings import home
from understudy.storage.store import Store
from understudy.web import create_app
from web_helpers import signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
FLOW = "examples/flows/refund.yaml"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, so ./examples/flows is found as `understudy serve` would."""
    monkeypatch.chdir(REPO)


def run_stress(client: TestClient, persona: str = "typo-prone") -> str:
    started = client.post("/flow/stress", data={"path": FLOW, "persona": persona, "n": "10"})
    assert started.status_code == 200 and "of 10 conversations" in started.text
    job = re.search(r'hx-get="/stress/([^"]+)"', started.text)
    assert job is not None
    for _ in range(200):
        page = client.get(f"/stress/{job.group(1)}")
        if 'id="scores"' in page.text or "stopped" in page.text:
            break
        time.sleep(0.1)
    assert 'id="scores"' in page.text, page.text
    assert page.headers["HX-Trigger"] == "history-changed", "the history table refreshes"
    return page.text


@pytest.mark.slow
def test_the_panel_plays_on_the_servers_worker_processes_with_the_single_process_transcripts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import understudy.web.flows as web_flows

    asked: list[int] = []
    real_play = web_flows.play

    async def recording(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["workers"])
        return await real_play(*args, **kwargs)

    monkeypatch.setattr(web_flows, "play", recording)
    with signed_in(create_app()) as client:
        alone = run_stress(client)
    with signed_in(create_app(stress_workers=2)) as client:
        sharded = run_stress(client)
    assert asked == [1, 2], "one process by default; sharded with serve --workers 2"
    assert "played on 2 processes" in sharded and "processes" not in alone
    newest, oldest = (run.id for run in Store().list_runs())

    def transcripts(run_id: str) -> list[str]:
        stored = Store().transcripts(run_id)
        return [t.model_dump_json(exclude={"conversation_id"}) for t in stored]

    assert transcripts(newest) == transcripts(oldest), "the same transcripts as one process"


def test_flow_list_shows_the_example_flows() -> None:
    response = signed_in(create_app()).get("/flows")
    assert response.status_code == 200
    names = [row[0] for row in table_rows(response.text)]
    assert any(name.startswith("ABCD Initiate Refund") for name in names), names


def test_flow_page_shows_intents_nodes_and_the_panel() -> None:
    page = signed_in(create_app()).get("/flow", params={"path": FLOW})
    assert page.status_code == 200
    assert "Run stress-test" in page.text and "get_refund" in page.text
    personas = re.findall(r'<option value="([^"]+)"', page.text)
    assert personas[:4] == ["impatient", "typo-prone", "non-native", "elderly"]
    assert [n for n in ("10", "25", "50") if f'value="{n}"' in page.text] == ["10", "25", "50"]


def test_a_stress_test_shows_coloured_scores_and_joins_the_history() -> None:
    with signed_in(create_app()) as client:
        scores = run_stress(client)
        assert re.search(r'class="score (green|amber|red)"', scores), "scores are coloured"
        assert re.search(r"Completion \d+% <span class=\"hint\">\d+ of 10 · \d+–\d+%", scores)
        history = client.get("/flow/history", params={"path": FLOW})
        rows = table_rows(history.text)
        assert len(rows) == 1 and rows[0][3] == "typo-prone"
        runs = Store().list_runs()
        assert len(runs) == 1 and runs[0].n == 10, "the run is stored"
        run = runs[0]
        page = client.get(f"/runs/{run.id}")
        assert len(table_rows(page.text)) == 10
        conversation = client.get(f"/runs/{run.id}/0")
        assert conversation.status_code == 200 and "node " in conversation.text
        charts = client.get("/flow/charts", params={"path": FLOW})
        assert charts.text.count("/flow/chart.svg") == 3
        svg = client.get(
            "/flow/chart.svg",
            params={"path": FLOW, "metric": "fallback_rate", "persona": "typo-prone"},
        )
        assert svg.status_code == 200 and svg.text.lstrip().startswith("<svg")


def test_compare_two_runs_gives_a_verdict_per_metric() -> None:
    with signed_in(create_app()) as client:
        run_stress(client, "typo-prone")
        run_stress(client, "impatient")
        a, b = (run.id for run in Store().list_runs())
        page = client.get("/runs/compare", params={"a": a, "b": b})
        assert page.status_code == 200
        rows = table_rows(page.text)
        assert rows[0][0] == "completion rate"
        assert all(r[-1].split(" (")[0] in ("better", "worse", "within noise", "n/a") for r in rows)


def test_history_is_paginated(monkeypatch: pytest.MonkeyPatch) -> None:
    from understudy.web import flows

    monkeypatch.setattr(flows, "PAGE_SIZE", 1)
    with signed_in(create_app()) as client:
        run_stress(client, "typo-prone")
        run_stress(client, "elderly")
        first = client.get("/flow/history", params={"path": FLOW})
        assert "2 runs · page 1 of 2" in first.text
        assert [r[3] for r in table_rows(first.text)] == ["elderly"], "newest first"
        second = client.get("/flow/history", params={"path": FLOW, "page": 2})
        assert [r[3] for r in table_rows(second.text)] == ["typo-prone"]


def test_bad_size_and_unknown_flow_are_refused() -> None:
    client = signed_in(create_app())
    bad = client.post("/flow/stress", data={"path": FLOW, "persona": "elderly", "n": "7"})
    assert bad.status_code == 400 and "expected 10, 25 or 50" in bad.text
    assert client.get("/flow", params={"path": "nope.yaml"}).status_code == 404


def test_adding_a_flow_file_saves_it_in_the_workspace_and_lists_it() -> None:
    text = (REPO / FLOW).read_text().replace("default_scenario: ../scenarios/", "# was: ")
    client = signed_in(create_app())
    files = {"file": ("my-flow.yaml", text.encode(), "application/x-yaml")}
    response = client.post("/flows/add", files=files, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/flow?path=home/my-flow.yaml"
    assert (home() / "flows" / "my-flow.yaml").read_text() == text
    assert "home/my-flow.yaml" in client.get("/flows").text
    assert client.get("/flow", params={"path": "home/my-flow.yaml"}).status_code == 200
    again = client.post("/flows/add", files=files)
    assert again.status_code == 400 and "already in your flows" in again.text
    broken = {"file": ("broken.yaml", b"name: x\nnodes: 3\n", "application/x-yaml")}
    refused = client.post("/flows/add", files=broken)
    assert refused.status_code == 422 and "broken.yaml" in refused.text
    assert not (home() / "flows" / "broken.yaml").exists(), "nothing is written"


def test_live_chat_shows_node_intent_and_confidence() -> None:
    with signed_in(create_app()) as client:
        started = client.post("/flow/chat", data={"path": FLOW})
        assert started.status_code == 200
        token = re.search(r'hx-post="/flow/chat/([^"]+)"', started.text)
        assert token is not None
        reply = client.post(f"/flow/chat/{token.group(1)}", data={"text": "I want a refund"})
        assert reply.status_code == 200
        assert "I want a refund" in reply.text
        assert re.search(r"node \w+ · intent get_refund \d\.\d\d", reply.text), reply.text
        ended = client.post(f"/flow/chat/{token.group(1)}", data={"text": "/quit"})
        assert "Chat ended (customer_left" in ended.text


def test_replay_a_stored_conversation_against_the_flow_as_it_is_now() -> None:
    with signed_in(create_app()) as client:
        run_stress(client)
        run = Store().list_runs()[0]
        page = client.get(f"/runs/{run.id}/0")
        assert f"/runs/{run.id}/0/replay" in page.text
        replay = client.get(f"/runs/{run.id}/0/replay")
        assert replay.status_code == 200
        assert "No divergence: the flow answered as before." in replay.text
        assert "(unchanged since the run)" in replay.text
