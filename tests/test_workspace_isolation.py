"""Two workspaces in one database never see each other's data, on any list or page.

Each workspace gets a persona, a scenario, a practice session with an attempt, a stress-test
run, an agent persona and an added flow, all named after it; then every list endpoint of the
web app and every listing command of the CLI is read as each workspace's user.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from understudy.agents import persona_store
from understudy.cli.app import app as cli_app
from understudy.content import scenario_library
from understudy.content.library import save_persona
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.store import Store
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as, workspace_home
from understudy.teams.permissions import Role
from understudy.web.agents import NEW_AGENT
from web_helpers import ensure_user, signed_in

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
SPACES = {"default": "ada", "acme": "eve"}


def _fill(workspace: str, user: str, tmp: Path) -> dict[str, str]:
    """Create one of everything in ``workspace`` as ``user``; return the ids by kind."""
    ids = {
        "persona": f"{workspace}-persona",
        "scenario": f"{workspace}-scenario",
        "agent": f"{workspace}-agent",
        "trainee": f"{workspace}-trainee",
    }
    with acting_as(Accounts().get(user).actor()):
        base = resolve_persona("impatient")
        save_persona(base.model_copy(update={"id": ids["persona"], "name": f"{workspace} P"}))
        scenario_library.duplicate_scenario("practice-retail-return", ids["scenario"])
        scenario, folder = load_scenario(ids["scenario"])
        persona = resolve_persona(scenario.persona, folder)
        ids["attempt"] = str(AttemptStore().start_attempt(ids["trainee"], scenario, persona))
        persona_store.save_draft(ids["agent"], NEW_AGENT.replace("my-assistant", ids["agent"]))
        flow = workspace_home() / "flows" / f"{workspace}-flow.yaml"
        flow.parent.mkdir(parents=True)
        text = (REPO / "examples/flows/refund.yaml").read_text()
        flow.write_text(text.replace("../scenarios", str(REPO / "examples/scenarios")))
        ids["flow"] = f"home/{flow.name}"
    runner = CliRunner()
    result = runner.invoke(
        cli_app,
        ["--as", user, "stress-test", str(flow), "--persona", "typo-prone", "-n", "1", "--json"],
    )
    assert result.exit_code == 0, result.output
    ids["run"] = json.loads(result.output)["run_id"]
    return ids


@pytest.fixture
def spaces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, dict[str, str]]]:
    monkeypatch.chdir(REPO)
    ensure_user("ada", Role.ADMIN)
    ensure_user("eve", Role.ADMIN, workspace="acme")
    yield {space: _fill(space, user, tmp_path) for space, user in SPACES.items()}


LISTS = ["/personas", "/scenarios", "/sessions", "/agents", "/flows", "/users", "/contacts"]


def test_every_web_list_shows_only_its_own_workspace(spaces: dict[str, dict[str, str]]) -> None:
    for space, user in SPACES.items():
        other = spaces["acme" if space == "default" else "default"]
        mine = spaces[space]
        other_user = SPACES["acme" if space == "default" else "default"]
        with signed_in(username=user, workspace=space) as client:
            for path in LISTS:
                page = client.get(path)
                assert page.status_code == 200, path
                for kind in ("persona", "scenario", "agent", "trainee"):
                    assert other[kind] not in page.text, f"{user} sees {other[kind]} on {path}"
                if path == "/users":
                    assert other_user not in page.text, "only the workspace's users are listed"
            lists = {p: client.get(p).text for p in ("/personas", "/scenarios", "/agents")}
            assert mine["persona"] in lists["/personas"]
            assert mine["scenario"] in lists["/scenarios"]
            assert mine["agent"] in lists["/agents"]
            assert mine["trainee"] in client.get("/sessions").text
            history = client.get("/flow/history", params={"path": mine["flow"]}).text
            assert mine["run"] in history and other["run"] not in history
            assert other["flow"] not in client.get("/flows").text
            for path in (
                f"/attempts/{other['attempt']}",
                f"/runs/{other['run']}",
                f"/scenarios/{other['scenario']}",
                f"/personas/{other['persona']}",
                f"/agents/{other['agent']}",
            ):
                assert client.get(path).status_code == 404, f"{user} opens {path}"


def test_every_cli_listing_shows_only_its_own_workspace(spaces: dict[str, dict[str, str]]) -> None:
    runner = CliRunner()
    commands = [
        ["personas", "list"],
        ["scenarios", "list", "--json"],
        ["attempts", "list"],
        ["attempts", "sessions"],
        ["runs", "list", "--json"],
        ["agents", "list"],
        ["users", "list", "--json"],
    ]
    for space, user in SPACES.items():
        other = spaces["acme" if space == "default" else "default"]
        for command in commands:
            result = runner.invoke(cli_app, ["--as", user, *command], env={"COLUMNS": "250"})
            assert result.exit_code == 0, (command, result.output)
            for kind in ("persona", "scenario", "agent", "trainee", "run"):
                assert other[kind] not in result.output, f"{user}: {command} shows {other[kind]}"
        runs = json.loads(runner.invoke(cli_app, ["--as", user, "runs", "list", "--json"]).output)
        assert [r["run_id"] for r in runs] == [spaces[space]["run"]]
        with acting_as(Accounts().get(user).actor()):
            assert [r.id for r in Store().list_runs()] == [spaces[space]["run"]]


def test_retention_is_set_and_applied_per_workspace(spaces: dict[str, dict[str, str]]) -> None:
    from datetime import datetime, timedelta

    from understudy.storage.retention import apply_retention, load_retention

    runner = CliRunner()
    set_it = runner.invoke(cli_app, ["--as", "eve", "retention", "set", "transcripts", "0"])
    assert set_it.exit_code == 0 and "transcripts: 0 days" in set_it.output
    with acting_as(Accounts().get("ada").actor()):
        assert load_retention().transcripts_days is None, "the default workspace keeps its own"
    later = datetime.now() + timedelta(days=1)
    with acting_as(Accounts().get("ada").actor()):
        AttemptStore().add_message(int(spaces["default"]["attempt"]), _turn("default line"))
    with acting_as(Accounts().get("eve").actor()):
        AttemptStore().add_message(int(spaces["acme"]["attempt"]), _turn("acme line"))
        settings = load_retention()
        assert settings.transcripts_days == 0
        assert apply_retention(settings, later).removed["transcripts"] == 1
    with acting_as(Accounts().get("ada").actor()):
        kept = AttemptStore().get(int(spaces["default"]["attempt"])).messages
    assert [m.text for m in kept] == ["default line"], "acme's purge left default's transcript"
    refused = runner.invoke(cli_app, ["--as", "ada", "retention", "set", "grades", "x"])
    assert refused.exit_code == 2 and "expected a number of days" in refused.output


def _turn(text: str) -> Any:
    from understudy.domain.transcript import Message
    from understudy.domain.transcript import Role as Speaker

    return Message(index=1, role=Speaker.customer, text=text)


def test_contacts_and_their_roleplays_stay_in_their_workspace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from understudy.domain.contact import ContactDetails
    from understudy.storage.contacts import ContactStore

    monkeypatch.chdir(REPO)
    ensure_user("ada", Role.ADMIN)
    ensure_user("eve", Role.ADMIN, workspace="acme")
    ids = {}
    for space, user in SPACES.items():
        with acting_as(Accounts().get(user).actor()):
            contact = ContactStore().add(ContactDetails(name=f"{space}-contact"))
            ContactStore().start_roleplay(contact.id, f"{space}-trainee", f"{space}-scenario")
            ids[space] = contact.id
    runner = CliRunner()
    for space, user in SPACES.items():
        other = "acme" if space == "default" else "default"
        with signed_in(username=user, workspace=space) as client:
            page = client.get("/contacts").text
            assert f"{space}-contact" in page and f"{other}-contact" not in page
            assert client.get(f"/contacts/{ids[other]}").status_code == 404
            roleplays = client.get(f"/contacts/{ids[space]}", params={"tab": "roleplay"}).text
            assert f"{space}-trainee" in roleplays and f"{other}-trainee" not in roleplays
        listed = runner.invoke(cli_app, ["--as", user, "contacts", "list", "--json"])
        assert [c["name"] for c in json.loads(listed.output)] == [f"{space}-contact"]
        shown = runner.invoke(cli_app, ["--as", user, "contacts", "show", str(ids[other])])
        assert shown.exit_code == 2 and f"no contact {ids[other]}" in shown.output
