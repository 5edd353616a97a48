"""Roleplay Scenarios: the table, the six-step form with call settings, detail, tags, delete.

The form writes ``$UNDERSTUDY_HOME/scenarios/ID.yaml`` (the library ``understudy scenarios``
manages); validation is that of ``understudy validate``: field problems, then references
(persona, briefing documents, rubric, agent persona), each with file, line and field.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.agents import persona_store
from understudy.content import scenario_library as library
from understudy.content.importers.common import slug
from understudy.content.loader import load_yaml_with_lines
from understudy.content.personas import load_persona_library
from understudy.content.scenario_checks import load_checked_scenario, scenario_problems
from understudy.content.scenario_files import read_yaml
from understudy.domain.scenario import Scenario
from understudy.errors import ConfigError, ContentError, ContentProblem
from understudy.graders.base import builtin_rubric_paths, user_rubric_paths
from understudy.storage.assignments import AssignmentStore
from understudy.storage.scenario_reports import reports_for
from understudy.teams.context import acting_name
from understudy.teams.permissions import Action, authorize, can
from understudy.web.fields import FormField, data_to_values, form_to_data, form_values
from understudy.web.forms import errors_by_field, get_path, lines_of, validate_as
from understudy.web.participants import invitable
from understudy.web.templating import render

router = APIRouter()

SCENARIO_HEADER = "kind: scenario"

SCENARIO_TYPES = [
    ("customer_service", "a customer with a problem to solve"),
    ("sales_discovery", "a prospect whose needs the trainee uncovers"),
    ("cold_call", "an outbound call to someone not expecting it"),
    ("objection_handling", "a buyer who pushes back on price or fit"),
    ("renewal", "an existing customer deciding whether to stay"),
]
TRAITS = [
    ("analytical", "wants facts and numbers before agreeing"),
    ("friendly", "warm and chatty; easy to build rapport with"),
    ("sceptical", "doubts claims and asks for proof"),
    ("assertive", "takes charge of the conversation"),
]
EMOTIONAL_STATES = [
    ("calm", "even-tempered from the start"),
    ("stressed", "under pressure; short on patience"),
    ("frustrated", "already annoyed; needs de-escalation"),
    ("enthusiastic", "keen; easy to move forward"),
]
COMMUNICATION_STYLES = [
    ("direct", "short answers, gets to the point"),
    ("detailed", "long explanations and many questions"),
    ("reserved", "says little; the trainee must draw it out"),
    ("informal", "casual wording and small talk"),
]
DECISION_MAKING = [
    ("quick", "decides on the spot"),
    ("deliberate", "weighs options; needs time"),
    ("consensus", "needs to check with others first"),
    ("price-driven", "decides mainly on cost"),
]
VOICE_CHARACTERS = [
    ("warm", "friendly, soft tone"),
    ("brisk", "fast and clipped"),
    ("formal", "polite and measured"),
    ("hesitant", "pauses and restarts sentences"),
]


def persona_options() -> list[tuple[str, str]]:
    """The persona select's options: (id, name) of every persona of the workspace, by id."""
    personas = load_persona_library().personas
    return [(pid, p.name) for pid, (p, _path) in sorted(personas.items())]


def agent_persona_options() -> list[tuple[str, str]]:
    """The agent persona select's options: the id of every stored agent persona, by id."""
    return [(agent_id, "") for agent_id in sorted(persona_store.list_agents())]


def _rubric_options() -> list[tuple[str, str]]:
    stems = sorted({p.stem for p in [*user_rubric_paths(), *builtin_rubric_paths()]})
    return [(s, "") for s in stems]


def scenario_steps() -> list[tuple[str, list[FormField]]]:
    """The six steps of the scenario form, each a title and its controls (options read now)."""
    return [
        (
            "Details",
            [
                FormField("name", "Name", required=True),
                FormField("id", "Id", help="letters, digits, dots, dashes; default from the name"),
                FormField("type", "Scenario Type", "select", options=SCENARIO_TYPES, required=True),
                FormField(
                    "tuning",
                    "Scenario tuning",
                    "textarea",
                    help="tone, questions to raise, extra product knowledge",
                ),
                FormField(
                    "goal.reason_for_call",
                    "Reason for call",
                    "textarea",
                    required=True,
                    help="why the customer calls",
                ),
                FormField("opening_line", "Opening line", help="the customer's first line"),
                FormField(
                    "goal.known_info",
                    "Customer knows",
                    "mapping",
                    help="one fact per line: order_id: ORD-7711",
                ),
                FormField("goal.unknown_info", "Customer doesn't know", "lines"),
                FormField("objections", "Objections", "lines", help="one push-back per line"),
                FormField(
                    "exit_conditions",
                    "Exit conditions",
                    "lines",
                    help="one per line: id: phrase | other phrase (what the trainee says)",
                ),
                FormField("time_limit_s", "Time limit", "number", help="seconds; default 600"),
                FormField("max_turns", "Max turns", "number", help="customer turns"),
                FormField(
                    "mode",
                    "Mode",
                    "select",
                    required=True,
                    options=[
                        ("chat", "typed practice"),
                        ("voice", "spoken practice"),
                        ("hybrid", "the trainee picks per attempt"),
                    ],
                ),
                FormField(
                    "agent_persona",
                    "Agent persona",
                    "select",
                    options=agent_persona_options(),
                    help="the role the trainee plays; its voice settings set up voice calls",
                ),
                FormField("show_mood", "Show the customer's mood during the call", "checkbox"),
                FormField("briefing.goal", "Briefing: goal", "textarea"),
                FormField("briefing.persona_summary", "Briefing: who they talk to", "textarea"),
                FormField(
                    "briefing.documents",
                    "Documents",
                    "lines",
                    help="one file path per line, shown beside the call",
                ),
                FormField("tags", "Tags", "tags", help="comma-separated"),
            ],
        ),
        (
            "Persona mapping",
            [
                FormField("persona_mapping.ecosystem", "Ecosystem", help="e.g. retail, SaaS"),
                FormField("persona_mapping.vertical", "Vertical", help="e.g. fashion"),
                FormField("persona", "Persona", "select", options=persona_options(), required=True),
                FormField(
                    "persona_mapping.profile_url",
                    "Profile URL",
                    "url",
                    help="a public profile; a label only, never fetched",
                ),
            ],
        ),
        (
            "Personality",
            [
                FormField("personality.trait", "Personality trait", "select", options=TRAITS),
                FormField(
                    "personality.emotional_state",
                    "Emotional state",
                    "select",
                    options=EMOTIONAL_STATES,
                ),
                FormField(
                    "personality.communication_style",
                    "Communication style",
                    "select",
                    options=COMMUNICATION_STYLES,
                ),
                FormField(
                    "personality.decision_making",
                    "Decision making process",
                    "select",
                    options=DECISION_MAKING,
                ),
                FormField(
                    "personality.voice_character",
                    "Voice character",
                    "select",
                    options=VOICE_CHARACTERS,
                ),
            ],
        ),
        (
            "Evaluation Instructions",
            [
                FormField("rubric", "Evaluation template", "select", options=_rubric_options()),
                FormField("evaluation_instructions", "Evaluation Instructions", "textarea"),
            ],
        ),
        (
            "Instruction/frequency",
            [
                FormField("sessions_per_week", "Sessions per week", "number"),
                FormField("deadline", "Deadline", "date"),
                FormField(
                    "instructions",
                    "Instructions",
                    "textarea",
                    help="shown to anyone joining the session",
                ),
            ],
        ),
        (
            "Participants",
            [FormField("participants", "Participants", "lines", help="one trainee per line")],
        ),
    ]


def _all_fields() -> list[FormField]:
    return [f for _title, fields in scenario_steps() for f in fields]


def current_user() -> str | None:
    """Return who acts (``teams.context.acting_name``), recorded as ``created_by``."""
    return acting_name()


def _exits_from_lines(lines: list[str], previous: list[dict[str, Any]]) -> list[Any]:
    """``id: phrase | phrase`` lines -> exit conditions (other settings kept from ``previous``)."""
    kept = {str(e.get("id")): e for e in previous if isinstance(e, dict)}
    out: list[Any] = []
    for line in lines:
        key, sep, phrases = line.partition(":")
        if not sep:
            out.append(line)  # reported by validation as "expected a mapping"
            continue
        condition = dict(kept.get(key.strip(), {}))
        condition["id"] = key.strip()
        condition["agent_says"] = [p.strip() for p in phrases.split("|") if p.strip()]
        out.append(condition)
    return out


def _exits_as_lines(conditions: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c['id']}: {' | '.join(c.get('agent_says', []))}" for c in conditions)


def _drop(data: dict[str, Any], dotted: str) -> None:
    *parents, last = dotted.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def _prune(data: dict[str, Any]) -> None:
    for key in [k for k, v in data.items() if isinstance(v, dict)]:
        _prune(data[key])
        if not data[key]:
            del data[key]


def scenario_data(form: Any, base: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Lay the submitted form over ``base`` (the file being edited, or {}); return data and
    the participants listed. Fields the form does not show are kept as they were."""
    fields = [f for f in _all_fields() if f.name != "participants"]
    data = {k: v for k, v in base.items()}
    previous_exits = list(data.get("exit_conditions") or [])
    for f in fields:
        _drop(data, f.name)
    submitted = form_to_data(fields, form)
    exits = submitted.pop("exit_conditions", None)
    for key, value in submitted.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    if exits:
        data["exit_conditions"] = _exits_from_lines(exits, previous_exits)
    if not data.get("id") and data.get("name"):
        data["id"] = slug(str(data["name"]))
    _prune(data)
    return data, lines_of(str(form.get("participants", "") or ""))


def values_of(data: dict[str, Any]) -> dict[str, Any]:
    """Return the form's control values for scenario data (``model_dump(mode="json")``)."""
    values = data_to_values(_all_fields(), data)
    values["exit_conditions"] = _exits_as_lines(list(data.get("exit_conditions") or []))
    return values


def scenario_form_page(
    request: Request,
    *,
    step: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    editing: str | None = None,
    steps: int = 6,
    action: str = "/scenarios/new",
    status_code: int = 200,
    skip: frozenset[str] = frozenset(),
) -> HTMLResponse:
    """Render the scenario form at ``step`` of its first ``steps`` steps.

    Args:
        request: the request.
        step: the step shown (1-based); the others ride along hidden.
        values: control name -> value; a new scenario's defaults when None.
        errors: control name -> located problems.
        editing: the id of the library scenario being edited, if any.
        steps: 6 for a scenario, 4 for a New session (Details to Evaluation Instructions).
        action: where the form posts.
        status_code: the response status.
        skip: titles of steps left out (their controls ride along hidden), e.g. Persona
            mapping for a roleplay from a contact with persona details; a step with an error
            is shown all the same.
    """
    shown = scenario_steps()[:steps]
    errors = errors or {}
    skipped = {
        title
        for title, fields in shown
        if title in skip and not any(f.name in errors for f in fields)
    }
    visible = [n for n, (title, _f) in enumerate(shown, start=1) if title not in skipped]
    step = max(1, min(step, len(shown)))
    if step not in visible:
        step = next((n for n in visible if n > step), visible[-1])
    at = visible.index(step)
    if values is None:
        values = values_of(new_scenario_data())
    if editing:
        action = f"/scenarios/{editing}/edit"
        title = f"Edit scenario {editing}"
    else:
        title = "Create Roleplay Scenario" if steps == 6 else "Create Roleplay Session"
    return render(
        request,
        "scenarios/form.html",
        {
            "title": title,
            "steps": shown,
            "step": step,
            "skipped": skipped,
            "numbers": {n: i for i, n in enumerate(visible, start=1)},
            "previous_step": visible[at - 1] if at > 0 else None,
            "next_step": visible[at + 1] if at + 1 < len(visible) else None,
            "values": values,
            "errors": errors,
            "editing": editing,
            "action": action,
            "session": steps < 6,
            "trainee": current_user() or "trainee",
        },
        status_code,
    )


def new_scenario_data() -> dict[str, Any]:
    """Return a new scenario's data: the model's defaults, a blank id and reason for call."""
    data = Scenario(id="new", persona="calm", goal={"reason_for_call": ""}).model_dump(
        mode="json", exclude_none=True
    )
    data["id"] = ""
    return data


@router.get("/scenarios", response_class=HTMLResponse)
def scenario_list(request: Request, tag: str = "", q: str = "") -> HTMLResponse:
    """The scenario table with filter by tag and search by name, id, type or persona."""
    listing = library.list_scenarios()
    all_tags = library.normalize_tags(t for e in listing.entries for t in e.scenario.tags)
    entries = library.filter_entries(listing.entries, tag=tag or None)
    if q:
        needle = q.lower()
        entries = [
            e
            for e in entries
            if needle
            in " ".join(
                [e.scenario.id, e.scenario.name, e.scenario.type, e.scenario.persona]
            ).lower()
        ]
    participants = Counter(s.scenario_id for s in AssignmentStore().sessions() if s.assigned)
    return render(
        request,
        "scenarios/list.html",
        {
            "title": "Roleplay Scenarios",
            "entries": entries,
            "participants": participants,
            "tags": all_tags,
            "tag": tag,
            "q": q,
            "problems": listing.problems,
        },
    )


@router.get("/scenarios/new", response_class=HTMLResponse)
def new_scenario(request: Request, step: int = 1, duplicate: str = "") -> HTMLResponse:
    """The six-step Create Roleplay Scenario form; ``duplicate`` pre-fills it from a scenario."""
    if duplicate:
        entry = library.locate_id(duplicate)
        data = entry.scenario.model_dump(mode="json", exclude_none=True)
        data["name"] = f"{entry.scenario.name or entry.scenario.id} (copy)"
        data["id"] = ""
    else:
        data = new_scenario_data()
    values = values_of(data)
    values["duplicate"] = duplicate
    return scenario_form_page(request, values=values, step=step)


def _first_error_step(errors: dict[str, list[str]]) -> int:
    for number, (_title, fields) in enumerate(scenario_steps(), start=1):
        if any(f.name in errors for f in fields):
            return number
    return 1


async def submit_scenario(
    request: Request,
    form: Any,
    editing: str | None,
    *,
    steps: int = 6,
    action: str = "/scenarios/new",
    skip: frozenset[str] = frozenset(),
) -> Scenario | Response:
    """Handle a post of the scenario form: move between steps, or validate and save.

    Returns:
        The saved scenario, or the page to show (the next step, or the form with its errors
        beside their fields, status 422).
    """
    go = str(form.get("go", "save"))
    if go == "save":
        authorize(Action.CREATE_SCENARIO if editing is None else Action.EDIT_SCENARIO)
    values = form_values(_all_fields(), form)
    values["duplicate"] = str(form.get("duplicate", "") or "")
    values["contact"] = str(form.get("contact", "") or "")
    if go != "save":
        step = int(go) if go.isdigit() else 1
        return scenario_form_page(
            request,
            values=values,
            step=step,
            editing=editing,
            steps=steps,
            action=action,
            skip=skip,
        )
    base: dict[str, Any] = {}
    if editing is not None:
        _header, base = read_yaml(library.library_entry(editing).path)
    data, participants = scenario_data(form, base)
    if editing is not None:
        data["id"] = editing
    else:
        data.setdefault("created_at", date.today())
        user = current_user()
        if user:
            data.setdefault("created_by", user)
        if values["duplicate"]:
            data["origin"] = {"kind": "duplicated", "source": f"scenario {values['duplicate']}"}
    names = [f.name for f in _all_fields()]
    scenario_id = str(data.get("id") or "new")
    path = library.library_path(scenario_id if scenario_id[:1].isalnum() else "new")
    try:
        scenario, text = validate_as(Scenario, data, path, header=SCENARIO_HEADER)
        _plain, lines = load_yaml_with_lines(text, path)
        problems = scenario_problems(scenario, path, lines)
        if problems:
            raise ContentError(problems)
        if editing is None and path.exists():
            raise ConfigError(
                f"the library already has a scenario {scenario.id!r} ({path}); choose another id"
            )
    except ContentError as exc:
        errors = errors_by_field(exc.problems, names)
    except ConfigError as exc:
        errors = {"id": [str(exc)]}
    else:
        library.save_scenario_text(path, text, new=editing is None)
        store = AssignmentStore()
        for trainee in participants:
            store.assign(scenario, trainee, assigned_by=current_user())
        return scenario
    return scenario_form_page(
        request,
        values=values,
        errors=errors,
        step=_first_error_step(errors),
        status_code=422,
        editing=editing,
        steps=steps,
        action=action,
        skip=skip,
    )


async def _submit(request: Request, editing: str | None) -> Response:
    outcome = await submit_scenario(request, await request.form(), editing)
    if isinstance(outcome, Response):
        return outcome
    return RedirectResponse(f"/scenarios/{outcome.id}", status_code=303)


@router.post("/scenarios/new")
async def create_scenario(request: Request) -> Response:
    """Move between steps (``go`` = step number) or save (``go`` = ``save``, the Start button)."""
    return await _submit(request, None)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_detail(request: Request, scenario_id: str, tab: str = "details") -> HTMLResponse:
    """Detail page: tabs, Participants and Participation history, and the header actions."""
    entry = library.locate_id(scenario_id)
    sessions = AssignmentStore().sessions(scenario_id=entry.scenario.id)
    data = entry.scenario.model_dump(mode="json", exclude_none=True)
    return render(
        request,
        "scenarios/detail.html",
        {
            "title": entry.scenario.name or entry.scenario.id,
            "entry": entry,
            "s": entry.scenario,
            "steps": scenario_steps()[:5],
            "values": values_of(data),
            "tab": tab,
            "sessions": sessions,
            "participants": [s for s in sessions if s.assigned],
            "invitable": invitable(entry.scenario.id),
            "reports": reports_for(entry.scenario.id)
            if entry.scenario.created_by == current_user()
            else [],
            "can_delete": entry.in_library
            and can(Action.DELETE_SCENARIO, owner=entry.scenario.created_by),
        },
    )


@router.get("/scenarios/{scenario_id}/edit", response_class=HTMLResponse)
def edit_scenario(request: Request, scenario_id: str, step: int = 1) -> HTMLResponse:
    """The Edit scenario dialog: the same steps as creation, filled in."""
    entry = library.library_entry(scenario_id)
    _header, data = read_yaml(entry.path)
    values = values_of(entry.scenario.model_dump(mode="json", exclude_none=True))
    del data
    return scenario_form_page(request, values=values, step=step, editing=scenario_id)


@router.post("/scenarios/{scenario_id}/edit")
async def update_scenario(request: Request, scenario_id: str) -> Response:
    """Save the edit; fields the form does not show are kept."""
    library.library_entry(scenario_id)
    return await _submit(request, scenario_id)


@router.post("/scenarios/{scenario_id}/add")
def add_to_library(scenario_id: str) -> RedirectResponse:
    """Copy a scenario found outside the library (e.g. ``examples/``) into it, to edit it."""
    entry = library.locate_id(scenario_id)
    library.add_scenario(entry.path, created_by=current_user())
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.get("/scenarios/{scenario_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, scenario_id: str) -> HTMLResponse:
    """The Delete scenario? confirmation (also shown as a dialog on the detail page)."""
    entry = library.library_entry(scenario_id)
    return render(
        request, "scenarios/delete.html", {"title": "Delete scenario?", "s": entry.scenario}
    )


@router.post("/scenarios/{scenario_id}/delete", response_model=None)
def delete(request: Request, scenario_id: str) -> Response:
    """Delete the library copy; only its creator may (attempts keep their own snapshot)."""
    library.delete_scenario(scenario_id)
    return RedirectResponse("/scenarios", status_code=303)


@router.get("/scenarios/{scenario_id}/tags", response_class=HTMLResponse)
def tag_form(request: Request, scenario_id: str) -> HTMLResponse:
    """Edit tags: tick existing tags or type a new one."""
    entry = library.locate_id(scenario_id)
    listing = library.list_scenarios()
    known = library.normalize_tags(
        [*(t for e in listing.entries for t in e.scenario.tags), *entry.scenario.tags]
    )
    return render(
        request, "scenarios/tags.html", {"title": "Edit tags", "s": entry.scenario, "known": known}
    )


@router.post("/scenarios/{scenario_id}/tags")
async def update_tags(request: Request, scenario_id: str) -> RedirectResponse:
    """Replace the tags with the ticked ones plus any typed new tag (comma-separated)."""
    form = await request.form()
    entry = library.library_entry(scenario_id)
    ticked = [str(t) for t in form.getlist("tag")]
    typed = [t for t in str(form.get("new_tag", "") or "").split(",") if t.strip()]
    wanted = {t.lower() for t in [*ticked, *typed]}
    remove = [t for t in entry.scenario.tags if t.lower() not in wanted]
    library.edit_tags(entry.path, add=[*ticked, *typed], remove=remove)
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


def test_session_problems(scenario_id: str) -> list[ContentProblem]:
    """What keeps ``scenario_id`` from a test session: invalid fields or missing references."""
    entry = library.locate_id(scenario_id)
    try:
        load_checked_scenario(entry.path)
    except ContentError as exc:
        return exc.problems
    missing = []
    s = entry.scenario
    if not s.goal.reason_for_call.strip():
        missing.append(ContentProblem(entry.path, None, "goal.reason_for_call", "is empty"))
    return missing


@router.post("/scenarios/{scenario_id}/test", response_model=None)
def test_session(request: Request, scenario_id: str, trainee: str = Form("")) -> Response:
    """Start a one-off call of the scenario, or refuse with what is missing."""
    authorize(Action.START_ATTEMPT)
    problems = test_session_problems(scenario_id)
    if problems:
        entry = library.locate_id(scenario_id)
        return render(
            request,
            "scenarios/invalid.html",
            {
                "title": "Scenario is not valid for test session",
                "s": entry.scenario,
                "problems": problems,
            },
            422,
        )
    return RedirectResponse(f"/scenarios/{scenario_id}/call", status_code=303)


def scenario_value(values: dict[str, Any], name: str) -> Any:
    """Return a form value for a detail tab (dotted names)."""
    return get_path(values, name)
