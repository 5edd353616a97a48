"""The permission matrix: every role x every action, through the HTTP API and the CLI.

The product's rules (document 004) are written out below as ``EXPECTED``; the code's one table
(``teams.permissions.PERMISSIONS``) must equal it, and each front end must enforce it: an
allowed request succeeds, a refused one gets 403 (HTTP) or exit code 2 (CLI) with a message
naming the user, role and action, and writes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from understudy.cli.app import app as cli_app
from understudy.content import scenario_library
from understudy.content.personas import resolve_persona
from understudy.content.scenarios import load_scenario
from understudy.domain.contact import ContactDetails
from understudy.domain.grade import CriterionGrade, Grade
from understudy.domain.transcript import Message
from understudy.domain.transcript import Role as Speaker
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.contacts import ContactStore
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import PERMISSIONS, Action, Grant, Role
from understudy.web import create_app
from understudy.web.agents import NEW_AGENT
from web_helpers import ensure_user, sign_in

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "practice-retail-return"
OWNED = "owned-return"
OWNER = "mo"
USERS = {Role.ADMIN: "ada", Role.MEMBER: "mo", Role.READ_ONLY: "rita"}

Y, OWN, N = Grant.YES, Grant.OWN, Grant.NO
EXPECTED: dict[Action, tuple[Grant, Grant, Grant]] = {
    #                                admin member read-only
    Action.VIEW: (Y, Y, Y),
    Action.CREATE_SESSION: (Y, Y, N),  # "read-only seats ... cannot create a new session"
    Action.START_ATTEMPT: (Y, Y, N),
    Action.CREATE_SCENARIO: (Y, Y, N),  # "Creating scenarios ... only to full members"
    Action.EDIT_SCENARIO: (Y, Y, N),
    Action.DELETE_SCENARIO: (OWN, OWN, N),  # "shown only to the person who created it"
    Action.EDIT_PERSONA: (Y, Y, N),
    Action.REVIEW_ATTEMPT: (Y, Y, N),
    Action.DELETE_CHAT: (Y, OWN, N),  # "if you have permission to delete the session"
    Action.RUN_STRESS_TEST: (Y, Y, N),
    Action.EDIT_AGENT_PERSONA: (Y, Y, N),
    Action.INVITE_PARTICIPANTS: (Y, Y, N),
    Action.REPORT_SCENARIO: (Y, Y, N),
    Action.EDIT_CONTACT: (Y, Y, N),  # contacts are created like scenarios: full members
    Action.DELETE_CONTACT: (Y, OWN, N),  # like a chat: an administrator, or its creator
    Action.OPEN_REPORT: (Y, Y, N),  # "opening the Report is available only to full members"
    Action.SEE_PARTICIPANTS: (Y, N, N),  # "Participant filter and column ... administrators"
    Action.MANAGE_USERS: (Y, N, N),
    Action.CREATE_WORKSPACE: (Y, N, N),  # a workspace comes with its first administrator
}


def test_the_code_has_exactly_the_product_table() -> None:
    table = {action: tuple(grants[role] for role in Role) for action, grants in PERMISSIONS.items()}
    assert table == EXPECTED


def expected(role: Role, owner: str = OWNER) -> Callable[[Action], bool]:
    def allowed(action: Action) -> bool:
        grant = EXPECTED[action][list(Role).index(role)]
        return grant is Y or (grant is OWN and USERS[role] == owner)

    return allowed


@dataclass
class World:
    """What every probe acts on: a scenario created by mo and a graded attempt of mo's."""

    attempt_id: int
    contact_id: int = 0


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.chdir(REPO)
    for role, name in USERS.items():
        ensure_user(name, role)
    mo = Accounts().get(OWNER).actor()
    with acting_as(mo):
        scenario_library.duplicate_scenario(EXAMPLE, OWNED, created_by=OWNER)
        scenario, folder = load_scenario(OWNED)
        persona = resolve_persona(scenario.persona, folder)
        store = AttemptStore()
        attempt = store.start_attempt(OWNER, scenario, persona)
        store.add_message(attempt, Message(index=1, role=Speaker.customer, text="I'm an AI model."))
        store.finish_attempt(attempt, "trainee_ended", "", 30.0)
        grade = Grade.from_criteria(
            "customer-service-call", "offline", [CriterionGrade(id="resolution", score=0.5)]
        )
        store.save_grade(attempt, grade)
        contact = ContactStore().add(ContactDetails(name="Dana Okafor", persona="impatient"))
    return World(attempt, contact.id)


SESSION_FORM = {
    "name": "My refund practice",
    "type": "customer_service",
    "mode": "chat",
    "goal.reason_for_call": "You want a refund.",
    "persona": "maya",
    "trainee": "rita",
    "go": "save",
}

Probe = Callable[[Any, World], httpx.Response]

SELF_CONTAINED_FLOW = (
    (REPO / "examples/flows/refund.yaml").read_text().replace("default_scenario", "#")
)
"""A flow file to upload (the example without its scenario next door)."""

PREREQUISITES = {Action.SEE_PARTICIPANTS: [Action.OPEN_REPORT]}
"""Filtering the Report by participant needs the Report first: a read-only seat is refused that."""

HTTP_PROBES: dict[Action, Probe] = {
    Action.VIEW: lambda c, w: c.get(f"/attempts/{w.attempt_id}"),
    Action.CREATE_SESSION: lambda c, w: c.post("/sessions/new", data=SESSION_FORM),
    Action.START_ATTEMPT: lambda c, w: c.post(f"/scenarios/{OWNED}/call", data={"trainee": ""}),
    Action.CREATE_SCENARIO: lambda c, w: c.post(f"/scenarios/{EXAMPLE}/add"),
    Action.EDIT_SCENARIO: lambda c, w: c.post(f"/scenarios/{OWNED}/tags", data={"new_tag": "x"}),
    Action.DELETE_SCENARIO: lambda c, w: c.post(f"/scenarios/{OWNED}/delete"),
    Action.EDIT_PERSONA: lambda c, w: c.post("/personas/generate", data={"description": "calm"}),
    Action.REVIEW_ATTEMPT: lambda c, w: c.post(
        f"/attempts/{w.attempt_id}/review", data={"coach": "x", "note": "good"}
    ),
    Action.DELETE_CHAT: lambda c, w: c.post(f"/attempts/{w.attempt_id}/delete"),
    Action.RUN_STRESS_TEST: lambda c, w: c.post(
        "/flows/add", files={"file": ("mine.yaml", SELF_CONTAINED_FLOW)}
    ),
    Action.EDIT_AGENT_PERSONA: lambda c, w: c.post("/agents/new", data={"text": NEW_AGENT}),
    Action.INVITE_PARTICIPANTS: lambda c, w: c.post(
        f"/scenarios/{OWNED}/participants", data={"trainee": "rita"}
    ),
    Action.REPORT_SCENARIO: lambda c, w: c.post(
        f"/attempts/{w.attempt_id}/report", data={"turn": "1", "note": "it said it is an AI"}
    ),
    Action.EDIT_CONTACT: lambda c, w: c.post("/contacts/new", data={"name": "Lee Park"}),
    Action.DELETE_CONTACT: lambda c, w: c.post(f"/contacts/{w.contact_id}/delete"),
    Action.OPEN_REPORT: lambda c, w: c.get("/report"),
    Action.SEE_PARTICIPANTS: lambda c, w: c.get("/report", params={"participant": OWNER}),
    Action.MANAGE_USERS: lambda c, w: c.get("/users"),
    Action.CREATE_WORKSPACE: lambda c, w: c.post(
        "/workspaces/new", data={"slug": "probe", "admin": "newbie", "password": "long enough"}
    ),
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("action", list(HTTP_PROBES), ids=[a.name.lower() for a in HTTP_PROBES])
def test_http_enforces_the_table(role: Role, action: Action, world: World) -> None:
    with sign_in(_client(), USERS[role]) as client:
        response = HTTP_PROBES[action](client, world)
    if expected(role)(action):
        assert response.status_code in (200, 303), (
            f"{role.value} may {action.value}: got {response.status_code} {response.text[:300]}"
        )
    else:
        assert response.status_code == 403, f"{role.value} may not {action.value}"
        refused = [action, *PREREQUISITES.get(action, [])]
        assert any(f"may not {a.value}" in response.text for a in refused), response.text[:300]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_contact_forms_open_only_for_those_who_may_save_them(role: Role, world: World) -> None:
    with sign_in(_client(), USERS[role]) as client:
        pages = [client.get("/contacts/new"), client.get(f"/contacts/{world.contact_id}/edit")]
    for page in pages:
        if expected(role)(Action.EDIT_CONTACT):
            assert page.status_code == 200 and "<form" in page.text
        else:
            assert page.status_code == 403, f"{role.value}: the form opened"
            assert "may not create or edit a contact" in page.text


def _client() -> Any:
    from fastapi.testclient import TestClient

    return TestClient(create_app(), follow_redirects=False)


def test_a_read_only_seat_creating_a_session_gets_403_and_nothing_is_written(
    world: World, understudy_home: Path
) -> None:
    before = sorted(p.name for p in understudy_home.rglob("*.yaml"))
    with sign_in(_client(), "rita") as client:
        response = client.post("/sessions/new", data=SESSION_FORM)
    assert response.status_code == 403
    assert "rita (read-only) may not create a practice session" in response.text
    assert "cannot change or create" in response.text
    assert sorted(p.name for p in understudy_home.rglob("*.yaml")) == before, "no file written"
    with acting_as(Accounts().get("ada").actor()):
        trainees = {s.trainee for s in AttemptStore().list_sessions()}
    assert trainees == {OWNER}, "no session was created for rita"


def test_only_its_creator_sees_delete_and_only_editors_see_edit(world: World) -> None:
    for role, name in USERS.items():
        page = sign_in(_client(), name).get(f"/scenarios/{OWNED}").text
        assert ('data-dialog="delete-dialog">Delete</a>' in page) == (name == OWNER), name
        assert (f'href="/scenarios/{OWNED}/edit">Edit</a>' in page) == (role != Role.READ_ONLY)


def test_every_action_is_probed_over_http() -> None:
    assert set(HTTP_PROBES) == set(Action), "each action of the table has an HTTP probe"


def test_a_broken_character_report_is_listed_for_the_scenarios_creator_only(
    world: World,
) -> None:
    with sign_in(_client(), "ada") as client:
        bad = client.post(f"/attempts/{world.attempt_id}/report", data={"turn": "7"})
        assert bad.status_code == 422 and "turn 7 is not a customer turn" in bad.text
        done = client.post(f"/attempts/{world.attempt_id}/report", data={"turn": "1", "note": "AI"})
        assert done.status_code == 303
        assert "Submitted for review" not in client.get(f"/scenarios/{OWNED}").text, "not ada's"
    page = sign_in(_client(), OWNER).get(f"/scenarios/{OWNED}").text
    assert "Submitted for review" in page
    assert "I&#39;m an AI model." in page and "<td>ada</td>" in page


def test_a_member_cannot_delete_another_members_chat(world: World) -> None:
    ensure_user("max", Role.MEMBER)
    response = sign_in(_client(), "max").post(f"/attempts/{world.attempt_id}/delete")
    assert response.status_code == 403
    assert "max may not delete a chat: only mo (who created it) may" in response.text


# -- the CLI ----------------------------------------------------------------------------------


def cli(user: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["--as", user, *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _scenario_file(tmp: Path) -> str:
    target = tmp / "cli-copy.yaml"
    for folder in ("practice-personas", "practice-docs"):
        shutil.copytree(REPO / "examples/scenarios" / folder, tmp / folder)
    shutil.copy(REPO / "examples/scenarios" / f"{EXAMPLE}.yaml", target)
    text = target.read_text().replace(f"id: {EXAMPLE}", "id: cli-copy")
    target.write_text(text)
    return str(target)


def _agent_file(tmp: Path) -> str:
    target = tmp / "agent.yaml"
    target.write_text(NEW_AGENT)
    return str(target)


def _script(tmp: Path) -> list[str]:
    """Options that play the trainee from a file (the stdin test below types instead)."""
    lines = tmp / "trainee.txt"
    lines.write_text("Hello, thanks for calling. How can I help?\n")
    return ["--script", str(lines), "--opening-pause", "0"]


CliProbe = Callable[[World, Path], list[str]]

CLI_PROBES: dict[Action, CliProbe] = {
    Action.VIEW: lambda w, t: ["attempts", "show", str(w.attempt_id)],
    Action.CREATE_SCENARIO: lambda w, t: ["scenarios", "add", _scenario_file(t)],
    Action.EDIT_SCENARIO: lambda w, t: ["scenarios", "tag", OWNED, "--add", "x"],
    Action.DELETE_SCENARIO: lambda w, t: ["scenarios", "delete", OWNED, "--yes", "--force"],
    Action.DELETE_CHAT: lambda w, t: ["attempts", "delete", str(w.attempt_id), "--yes"],
    Action.INVITE_PARTICIPANTS: lambda w, t: ["assign", OWNED, "--trainee", "kim"],
    Action.RUN_STRESS_TEST: lambda w, t: [
        "stress-test",
        str(REPO / "examples/flows/refund.yaml"),
        "--persona",
        "typo-prone",
        "-n",
        "1",
    ],
    Action.OPEN_REPORT: lambda w, t: ["report", "--json"],
    Action.EDIT_PERSONA: lambda w, t: ["personas", "generate", "calm nurse", "--save", "--force"],
    Action.REVIEW_ATTEMPT: lambda w, t: [
        "attempts",
        "review",
        str(w.attempt_id),
        "--coach",
        "x",
        "--note",
        "good",
    ],
    Action.EDIT_AGENT_PERSONA: lambda w, t: ["agents", "import", _agent_file(t)],
    Action.MANAGE_USERS: lambda w, t: ["users", "set-role", "rita", "read-only"],
    Action.EDIT_CONTACT: lambda w, t: ["contacts", "add", "Lee Park", "--persona", "calm"],
    Action.DELETE_CONTACT: lambda w, t: ["contacts", "delete", str(w.contact_id), "--yes"],
    Action.CREATE_SESSION: lambda w, t: ["practice", OWNED, "--trainee", "newbie", *_script(t)],
    Action.START_ATTEMPT: lambda w, t: ["practice", OWNED, "--trainee", OWNER, *_script(t)],
    Action.REPORT_SCENARIO: lambda w, t: [
        "scenarios",
        "report-issue",
        str(w.attempt_id),
        "--turn",
        "1",
        "--reason",
        "it said it is an AI",
    ],
    Action.SEE_PARTICIPANTS: lambda w, t: ["attempts", "list", "--participant", "ada"],
    Action.CREATE_WORKSPACE: lambda w, t: [
        "workspaces",
        "create",
        "probe",
        "--admin",
        "newbie",
        "--password",
        "long enough",
    ],
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("action", list(CLI_PROBES), ids=[a.name.lower() for a in CLI_PROBES])
def test_cli_enforces_the_table(role: Role, action: Action, world: World, tmp_path: Path) -> None:
    code, out = cli(USERS[role], *CLI_PROBES[action](world, tmp_path))
    if expected(role)(action):
        assert code == 0, f"{role.value} may {action.value}: {out}"
    else:
        assert code == 2, f"{role.value} may not {action.value}: {out}"
        assert f"may not {action.value}" in " ".join(out.split())


def test_the_cli_with_accounts_but_no_as_is_told_to_say_who_acts(world: World) -> None:
    result = CliRunner().invoke(cli_app, ["scenarios", "tag", OWNED, "--add", "x"])
    assert result.exit_code == 2
    assert "say who you are" in result.output and "--as" in result.output


def test_every_action_is_probed_over_the_cli() -> None:
    assert set(CLI_PROBES) == set(Action), "each action of the table has a CLI probe"


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize(
    ("action", "trainee"),
    [(Action.CREATE_SESSION, "newbie"), (Action.START_ATTEMPT, OWNER)],
    ids=["create_session", "start_attempt"],
)
def test_an_interactive_practice_call_typed_on_stdin_follows_the_table(
    role: Role, action: Action, trainee: str, world: World
) -> None:
    typed = "Hello, thanks for calling. How can I help?\n/end\n"
    command = ["--as", USERS[role], "practice", OWNED, "--trainee", trainee, "--opening-pause", "0"]
    result = CliRunner().invoke(cli_app, command, input=typed, env={"COLUMNS": "200"})
    with acting_as(Accounts().get("ada").actor()):
        sessions = [s for s in AttemptStore().list_sessions() if s.trainee == trainee]
    if expected(role)(action):
        assert result.exit_code == 0, result.output
        assert "Attempt" in result.output and "stored" in result.output
        assert sessions and sessions[0].attempts == (1 if trainee == "newbie" else 2)
    else:
        assert result.exit_code == 2, result.output
        assert f"may not {action.value}" in " ".join(result.output.split())
        assert [s.attempts for s in sessions] == ([] if trainee == "newbie" else [1]), (
            "nothing is written"
        )


def test_a_report_issued_from_the_cli_is_listed_for_the_creator_by_scenarios_show(
    world: World,
) -> None:
    code, out = cli("ada", "scenarios", "report-issue", str(world.attempt_id), "--turn", "9")
    assert code == 2 and "turn 9 is not a customer turn" in out
    code, out = cli(
        "ada", "scenarios", "report-issue", str(world.attempt_id), "--turn", "1", "--reason", "AI"
    )
    assert code == 0 and f"Submitted scenario {OWNED} for review" in out
    assert "Submitted for review" not in cli("ada", "scenarios", "show", OWNED)[1], "not ada's"
    shown = cli(OWNER, "scenarios", "show", OWNED)[1]
    assert "Submitted for review" in shown and "I'm an AI model." in shown and "ada" in shown
