"""Contacts: stored per workspace, listed, edited and deleted in the web app and the CLI; the
Roleplay tab lists the roleplays started from a contact; Create Roleplay pre-fills the session
dialog and skips Persona mapping when the contact carries persona details."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from understudy.cli.app import app as cli_app
from understudy.domain.contact import ContactDetails
from understudy.errors import ContentError, NotFoundError, PermissionDenied
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.contacts import ContactStore, check_contact
from understudy.storage.db import open_database
from understudy.teams.accounts import Accounts
from understudy.teams.context import acting_as
from understudy.teams.permissions import Role
from web_helpers import ensure_user, field_errors, signed_in, table_rows

pytestmark = pytest.mark.usefixtures("database")

REPO = Path(__file__).resolve().parents[1]
DANA = {
    "name": "Dana Okafor",
    "company": "Northwind Foods",
    "role": "Head of Procurement",
    "profile_url": "https://example.org/in/dana",
    "notes": "Asked twice about volume discounts. Prefers short calls.",
    "persona": "impatient",
    "ecosystem": "retail",
    "vertical": "groceries",
}


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    ensure_user("ada", Role.ADMIN)
    ensure_user("mo", Role.MEMBER)
    ensure_user("rita", Role.READ_ONLY)
    ensure_user("eve", Role.ADMIN, workspace="acme")


def _as(name: str) -> acting_as:  # type: ignore[valid-type]
    return acting_as(Accounts().get(name).actor())


def test_every_bad_field_is_reported_by_name_and_nothing_is_stored(team: None) -> None:
    bad = {"name": "  ", "profile_url": "ftp://x", "persona": "nobody", "colour": "red"}
    with pytest.raises(ContentError) as caught:
        check_contact(bad)
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["colour", "name", "persona", "profile_url"]
    messages = {p.field: p.message for p in caught.value.problems}
    assert "http:// or https://" in messages["profile_url"]
    assert "no persona 'nobody'" in messages["persona"] and "impatient" in messages["persona"]
    with _as("ada"):
        assert ContactStore().list_contacts() == []


def test_contacts_belong_to_one_workspace_and_a_member_deletes_only_their_own(team: None) -> None:
    with _as("mo"):
        mine = ContactStore().add(check_contact(DANA))
        assert mine.created_by == "mo" and mine.details.summary() == (
            "Dana Okafor, Head of Procurement at Northwind Foods"
        )
    with _as("ada"):
        theirs = ContactStore().add(ContactDetails(name="Lee Park"))
        assert [c.details.name for c in ContactStore().list_contacts()] == [
            "Dana Okafor",
            "Lee Park",
        ]
    with _as("eve"):
        assert ContactStore().list_contacts() == [], "another workspace sees none"
        with pytest.raises(NotFoundError):
            ContactStore().get(mine.id)
    with _as("rita"), pytest.raises(PermissionDenied, match="rita \\(read-only\\) may not"):
        ContactStore().add(ContactDetails(name="Nope"))
    with _as("mo"):
        with pytest.raises(PermissionDenied, match="only ada \\(who created it\\) may"):
            ContactStore().delete(theirs.id)
        ContactStore().delete(mine.id)
        assert [c.details.name for c in ContactStore().list_contacts()] == ["Lee Park"]


def _step_titles(html: str) -> list[str]:
    steps = html.split('<ol class="steps"', 1)[1].split("</ol>", 1)[0]
    return [re.sub(r"^\d+\. ", "", t) for t in re.findall(r"<li[^>]*>(.*?)</li>", steps)]


def test_web_form_shows_problems_beside_fields_then_saves(team: None) -> None:
    with signed_in(username="mo", role=Role.MEMBER, follow_redirects=False) as client:
        assert "Contacts" in client.get("/sessions").text, "Contacts is in the navigation"
        bad = client.post("/contacts/new", data={**DANA, "profile_url": "dana at linkedin"})
        assert bad.status_code == 422
        assert field_errors(bad.text) == [
            "profile_url: expected an http:// or https:// address, got 'dana at linkedin'"
        ]
        assert 'value="Dana Okafor"' in bad.text, "what was typed is kept"
        saved = client.post("/contacts/new", data=DANA)
        assert saved.status_code == 303
        page = client.get(saved.headers["location"]).text
        assert "Head of Procurement at Northwind Foods" in page and "volume discounts" in page
        rows = table_rows(client.get("/contacts").text)
        assert [r[:6] for r in rows] == [
            ["Dana Okafor", "Northwind Foods", "Head of Procurement", "impatient", "0", "mo"]
        ]
        contact = saved.headers["location"].rsplit("/", 1)[1]
        edited = client.post(f"/contacts/{contact}/edit", data={**DANA, "role": "CFO"})
        assert edited.status_code == 303
        assert "CFO at Northwind Foods" in client.get(f"/contacts/{contact}").text


def test_create_roleplay_from_a_contact_prefills_skips_persona_mapping_and_is_listed(
    team: None,
) -> None:
    with _as("mo"):
        contact = ContactStore().add(check_contact(DANA))
        bare = ContactStore().add(ContactDetails(name="Sam Bare"))
    with signed_in(username="mo", role=Role.MEMBER, follow_redirects=False) as client:
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        assert f'href="/sessions/new?contact={contact.id}">Create Roleplay</a>' in tab
        assert "No roleplays with Dana Okafor yet." in tab
        dialog = client.get("/sessions/new", params={"contact": contact.id}).text
        assert _step_titles(dialog) == ["Details", "Personality", "Evaluation Instructions"]
        assert 'value="Roleplay with Dana Okafor"' in dialog
        assert 'value="impatient" selected' in dialog, "the persona comes from the contact"
        assert "Prefers short calls." in dialog, "the notes pre-fill Scenario tuning"
        assert 'value="https://example.org/in/dana"' in dialog
        without = client.get("/sessions/new", params={"contact": bare.id}).text
        assert "Persona mapping" in _step_titles(without), "no persona details: not skipped"
        moved = client.post(
            "/sessions/new",
            data={
                "contact": str(contact.id),
                "name": "Roleplay with Dana Okafor",
                "type": "sales_discovery",
                "mode": "chat",
                "goal.reason_for_call": "You want a better price for a bigger order.",
                "persona": "impatient",
                "go": "2",
            },
        )
        assert _step_titles(moved.text) == _step_titles(dialog)
        assert 'id="step-3"' in moved.text and 'aria-current="step">2. Personality' in moved.text
        started = client.post(
            "/sessions/new",
            data={
                "contact": str(contact.id),
                "name": "Roleplay with Dana Okafor",
                "id": "roleplay-with-dana-okafor",
                "type": "sales_discovery",
                "mode": "chat",
                "goal.reason_for_call": "You want a better price for a bigger order.",
                "persona": "impatient",
                "go": "save",
            },
        )
        assert started.status_code == 303 and started.headers["location"].startswith("/calls/")
        for _ in range(100):  # the call stores its attempt from a background task
            if AttemptStore().list_attempts("mo"):
                break
            time.sleep(0.05)
        [session] = AttemptStore().list_sessions()
        assert session.trainee == "mo", "the call's attempt is in the session tied to the contact"
        with _as("mo"):
            assert [s.id for s in ContactStore().roleplays(contact.id)] == [session.id]
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        rows = table_rows(tab)
        assert [r[0] for r in rows] == ["Roleplay with Dana Okafor"]
        assert rows[0][2] == "To do" and rows[0][3] == "-", (
            "Attempts, Status, Deadline (no participant column for a member)"
        )
        again = client.get("/sessions/new", params={"contact": contact.id}).text
        assert 'value="roleplay-with-dana-okafor-2"' in again, "a fresh id for the next one"
    with signed_in(username="rita", role=Role.READ_ONLY) as client:
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        assert "Create Roleplay" not in tab and "New contact" not in client.get("/contacts").text


def test_a_contact_of_another_workspace_is_not_found_on_the_web(team: None) -> None:
    with _as("ada"):
        contact = ContactStore().add(ContactDetails(name="Dana"))
    with signed_in(username="eve", workspace="acme", follow_redirects=False) as client:
        assert client.get(f"/contacts/{contact.id}").status_code == 404
        assert client.get("/sessions/new", params={"contact": contact.id}).status_code == 404
        assert client.post(f"/contacts/{contact.id}/delete").status_code == 404


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_cli_add_list_show_edit_delete(team: None) -> None:
    code, out = _cli(
        "--as", "mo", "contacts", "add", "Dana Okafor", "--company", "Northwind Foods",
        "--role", "Head of Procurement", "--persona", "impatient",
    )  # fmt: skip
    assert code == 0, out
    assert "added contact" in out and "Head of Procurement at Northwind Foods" in out
    code, out = _cli("--as", "mo", "contacts", "add", "X", "--profile-url", "nope")
    assert code == 2 and "--profile-url: expected an http:// or https:// address" in out
    code, out = _cli("--as", "mo", "contacts", "list", "--json")
    listed = json.loads(out)
    assert [(c["name"], c["persona"], c["roleplays"]) for c in listed] == [
        ("Dana Okafor", "impatient", 0)
    ]
    contact = str(listed[0]["id"])
    code, out = _cli("--as", "mo", "contacts", "edit", contact, "--role", "CFO")
    assert code == 0 and "CFO at Northwind Foods" in out
    code, out = _cli("--as", "mo", "contacts", "show", contact)
    assert code == 0 and "role: CFO" in out and "no roleplays yet" in out
    code, out = _cli("--as", "eve", "contacts", "show", contact)
    assert code == 2 and f"no contact {contact}" in out
    code, out = _cli("--as", "rita", "contacts", "delete", contact, "--yes")
    assert code == 2 and "may not delete a contact" in out
    code, out = _cli("--as", "mo", "contacts", "delete", contact, "--yes")
    assert code == 0 and "deleted contact" in out
    assert json.loads(_cli("--as", "mo", "contacts", "list", "--json")[1]) == []


def test_cli_add_and_edit_take_every_field_and_edit_changes_only_those_given(team: None) -> None:
    options = [f"--{field.replace('_', '-')}" for field in DANA if field != "name"]
    values = [v for field, v in DANA.items() if field != "name"]
    added = [x for option, value in zip(options, values, strict=True) for x in (option, value)]
    code, out = _cli("--as", "mo", "contacts", "add", DANA["name"], *added)
    assert code == 0, out
    [listed] = json.loads(_cli("--as", "mo", "contacts", "list", "--json")[1])
    assert {field: listed[field] for field in DANA} == DANA, "every option reached its field"
    changed = {field: f"{value} (new)" for field, value in DANA.items()}
    changed.update(profile_url="https://example.org/in/dana-new", persona="calm")
    edits = [x for field, value in changed.items() for x in (f"--{field.replace('_', '-')}", value)]
    code, out = _cli("--as", "mo", "contacts", "edit", str(listed["id"]), *edits)
    assert code == 0, out
    [edited] = json.loads(_cli("--as", "mo", "contacts", "list", "--json")[1])
    assert {field: edited[field] for field in DANA} == changed
    code, out = _cli("--as", "mo", "contacts", "edit", str(listed["id"]), "--notes", "")
    assert code == 0, out
    [cleared] = json.loads(_cli("--as", "mo", "contacts", "list", "--json")[1])
    assert cleared["notes"] == "" and cleared["role"] == changed["role"], "only --notes changed"


def test_a_contacts_roleplays_are_each_trainees_own_unless_one_sees_participants(
    team: None,
) -> None:
    with _as("ada"):
        store = ContactStore()
        contact = store.add(ContactDetails(name="Dana Okafor"))
        store.start_roleplay(contact.id, "mo", "returns-desk", "Returns with mo")
        store.start_roleplay(contact.id, "sam", "returns-desk", "Returns with sam")
        assert [s.trainee for s in store.roleplays(contact.id)] == ["sam", "mo"]
        assert [c.roleplays for c in store.list_contacts()] == [2]
    with _as("mo"):
        assert [s.trainee for s in ContactStore().roleplays(contact.id)] == ["mo"]
    with _as("rita"):
        assert ContactStore().roleplays(contact.id) == []

    def shown(user: str) -> list[str]:
        code, out = _cli("--as", user, "contacts", "show", str(contact.id), "--json")
        assert code == 0, out
        return [s["trainee"] for s in json.loads(out)["roleplay_sessions"]]

    assert shown("ada") == ["sam", "mo"]
    assert shown("mo") == ["mo"], "a member sees only their own roleplays"
    assert shown("rita") == [], "a read-only user has none of their own"
    code, out = _cli("--as", "mo", "contacts", "show", str(contact.id))
    assert code == 0 and "Returns with mo" in out and "Returns with sam" not in out
    with signed_in(username="mo", role=Role.MEMBER) as client:
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        assert [r[0] for r in table_rows(tab)] == ["Returns with mo"]
    with signed_in(username="ada", role=Role.ADMIN) as client:
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        assert [r[0] for r in table_rows(tab)] == ["Returns with sam", "Returns with mo"]


def test_listing_contacts_counts_their_roleplays_in_one_query(team: None) -> None:
    sessions = open_database()
    with _as("ada"):
        store = ContactStore(sessions)
        for name in ("Ann", "Bo", "Cy", "Di"):
            store.add(ContactDetails(name=name))
        [ann, bo, *_] = store.list_contacts()
        store.start_roleplay(ann.id, "mo", "returns-desk")
        store.start_roleplay(ann.id, "sam", "returns-desk")
        store.start_roleplay(bo.id, "mo", "sales-call")
        statements: list[str] = []

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        engine = sessions.kw["bind"]
        event.listen(engine, "before_cursor_execute", seen)
        try:
            listed = store.list_contacts()
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert [(c.details.name, c.roleplays) for c in listed] == [
        ("Ann", 2),
        ("Bo", 1),
        ("Cy", 0),
        ("Di", 0),
    ]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects


def test_a_roleplay_whose_call_is_refused_is_not_tied_to_the_contact(
    team: None, understudy_home: Path
) -> None:
    (understudy_home / "personas").mkdir(parents=True, exist_ok=True)
    (understudy_home / "personas" / "lucia.yaml").write_text(
        "id: lucia\nname: Lucia Reyes\nlanguage: es-MX\n"
    )
    with _as("mo"):
        contact = ContactStore().add(check_contact({"name": "Lucia Reyes", "persona": "lucia"}))
    form = {
        "contact": str(contact.id),
        "name": "Roleplay with Lucia Reyes",
        "id": "roleplay-with-lucia-reyes",
        "type": "sales_discovery",
        "mode": "chat",
        "goal.reason_for_call": "You want a better price for a bigger order.",
        "persona": "lucia",
        "go": "save",
    }
    with signed_in(username="mo", role=Role.MEMBER, follow_redirects=False) as client:
        refused = client.post("/sessions/new", data=form)
        assert refused.status_code == 400, refused.text
        assert "Spanish (es-MX)" in refused.text and "cannot speak" in refused.text
        tab = client.get(f"/contacts/{contact.id}", params={"tab": "roleplay"}).text
        assert "No roleplays with Lucia Reyes yet." in tab
    with _as("mo"):
        assert ContactStore().roleplays(contact.id) == []
        assert [c.roleplays for c in ContactStore().list_contacts()] == [0]
        assert AttemptStore().list_sessions() == [], "no practice session was created either"
