"""Training -> Personas: the library table, new / edit with every field, preview, generate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.content.library import library_path, save_persona, scenario_usage
from understudy.content.personas import builtin_persona_paths, find_persona, load_persona_library
from understudy.content.scenario_library import default_dirs
from understudy.domain.persona import Mood, MoodDrift, Persona
from understudy.errors import ConfigError, ContentError, ContentProblem, UnderstudyError
from understudy.teams.permissions import Action, authorize
from understudy.web.fields import FormField, data_to_values, form_to_data, form_values
from understudy.web.forms import content_errors, validate_as
from understudy.web.templating import render

router = APIRouter()

MOOD_HELP = {
    "happy": "starts pleased; drops if the agent is pushy",
    "calm": "starts even-tempered",
    "confused": "starts unsure and needs explanations",
    "frustrated": "starts annoyed; needs de-escalation",
    "angry": "starts hostile; hardest to bring round",
}
DRIFT_HELP = {
    "slow": "forgiving: mood moves little per agent turn",
    "medium": "moves at a moderate pace",
    "fast": "unforgiving: every good or bad turn shows",
}

PERSONA_FIELDS: list[FormField] = [
    FormField("id", "Id", help="lower-case letters, digits and dashes, e.g. maya", required=True),
    FormField("name", "Name", required=True),
    FormField("summary", "Summary", help="one line shown in lists and briefings"),
    FormField("demographics.age", "Age", "number", help="years"),
    FormField("demographics.gender", "Gender"),
    FormField("demographics.occupation", "Occupation"),
    FormField("demographics.location", "Location"),
    FormField(
        "mood",
        "Mood",
        "select",
        help="initial emotional state",
        options=[(m.value, MOOD_HELP[m.value]) for m in Mood],
        required=True,
    ),
    FormField(
        "mood_drift",
        "Mood drift",
        "select",
        help="how fast the trainee moves the mood",
        options=[(d.value, DRIFT_HELP[d.value]) for d in MoodDrift],
        required=True,
    ),
    FormField("language", "Language", help="BCP 47 tag, e.g. en-US", required=True),
    FormField("voice", "Voice", help="TTS voice name for the customer side"),
    FormField("backstory", "Backstory", "textarea", help="who they are and why they call"),
    FormField("knowledge.knows", "Knows", "mapping", help="one fact per line: order_id: ORD-7711"),
    FormField("knowledge.doesnt_know", "Doesn't know", "lines", help="one item per line"),
    FormField("personality.trait", "Personality trait"),
    FormField("personality.emotional_state", "Emotional state"),
    FormField("personality.communication_style", "Communication style"),
    FormField("personality.decision_making", "Decision making"),
    FormField("personality.voice_character", "Voice character"),
    FormField("behaviour.typo_rate", "Typo rate", "number", help="0 to 1", step="any"),
    FormField("behaviour.verbosity", "Verbosity", "number", help="0 terse, 1 chatty", step="any"),
    FormField("behaviour.patience", "Patience", "number", help="0 leaves fast, 1", step="any"),
    FormField("behaviour.off_topic_tendency", "Off-topic tendency", "number", step="any"),
    FormField("behaviour.non_native_level", "Non-native level", "number", step="any"),
    FormField("behaviour.reassurance_seeking", "Reassurance seeking", "number", step="any"),
    FormField("style_tags", "Style tags", "tags", help="comma-separated: terse, polite, ..."),
    FormField("draft", "Draft (not reviewed yet)", "checkbox"),
]
"""Every field of the persona format (``understudy.domain.persona.Persona``) but ``origin``."""

GROUPS = [
    ("Basics", PERSONA_FIELDS[0:3] + PERSONA_FIELDS[9:11]),
    ("Demographics", PERSONA_FIELDS[3:7]),
    ("Mood", PERSONA_FIELDS[7:9]),
    ("Backstory and knowledge", PERSONA_FIELDS[11:14]),
    ("Personality", PERSONA_FIELDS[14:19]),
    ("Behaviour", PERSONA_FIELDS[19:25]),
    ("Review", PERSONA_FIELDS[25:27]),
]


def _origin(persona: Persona, builtin: bool) -> str:
    label = "built-in" if builtin else persona.origin.describe()
    return label + (" (draft)" if persona.draft else "")


@router.get("/personas", response_class=HTMLResponse)
def persona_list(request: Request) -> HTMLResponse:
    """The persona library: name, mood, drift, language, voice, used by, origin."""
    library = load_persona_library()
    usage = scenario_usage(default_dirs())
    builtins = {p.resolve() for p in builtin_persona_paths()}
    rows = [
        {
            "persona": persona,
            "used_by": usage.get(persona.id, []),
            "origin": _origin(persona, path.resolve() in builtins),
        }
        for persona, path in sorted(library.personas.values(), key=lambda item: item[0].name)
    ]
    return render(
        request,
        "personas/list.html",
        {"title": "Personas", "rows": rows, "broken": library.broken},
    )


def _form_page(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    editing: str | None,
    status_code: int = 200,
    generated_from: str = "",
) -> HTMLResponse:
    title = f"Edit persona {editing}" if editing else "New persona"
    action = f"/personas/{editing}/edit" if editing else "/personas/new"
    return render(
        request,
        "personas/form.html",
        {
            "title": title,
            "groups": GROUPS,
            "values": values,
            "errors": errors,
            "action": action,
            "editing": editing,
            "generated_from": generated_from,
        },
        status_code,
    )


@router.get("/personas/new", response_class=HTMLResponse)
def new_persona(request: Request) -> HTMLResponse:
    """An empty persona form with the format's defaults."""
    defaults = Persona(id="new", name="").model_dump(mode="json")
    values = data_to_values(PERSONA_FIELDS, defaults)
    values["id"] = ""
    return _form_page(request, values=values, errors={}, editing=None)


async def _save(request: Request, editing: str | None) -> Response:
    form = await request.form()
    data = form_to_data(PERSONA_FIELDS, form)
    if editing is not None:
        data["id"] = editing
        data["origin"] = find_persona(editing)[0].origin.model_dump(mode="json")
    else:
        data["origin"] = {"kind": "generated" if form.get("generated_from") else "hand-written"}
        if form.get("generated_from"):
            data["origin"]["source"] = str(form["generated_from"])
    persona_id = str(data.get("id") or "new")
    names = [f.name for f in PERSONA_FIELDS]
    try:
        path = library_path(persona_id if persona_id.replace("-", "").isalnum() else "new")
        persona, _text = validate_as(Persona, data, path)
        if editing is None and path.exists():
            raise ConfigError(f"{path} already exists; choose another id")
        save_persona(persona, overwrite=editing is not None)
    except ContentError as exc:
        errors = content_errors(exc, names)
    except ConfigError as exc:
        errors = {"id": [str(exc)]}
    else:
        return RedirectResponse(f"/personas/{persona.id}", status_code=303)
    values = form_values(PERSONA_FIELDS, form)
    return _form_page(
        request,
        values=values,
        errors=errors,
        editing=editing,
        status_code=422,
        generated_from=str(form.get("generated_from") or ""),
    )


@router.post("/personas/new")
async def create_persona(request: Request) -> Response:
    """Validate and save a new persona; on problems show them beside their fields (422)."""
    authorize(Action.EDIT_PERSONA)
    return await _save(request, None)


@router.post("/personas/generate", response_class=HTMLResponse)
def generate(
    request: Request, description: str = Form(...), seed: int | None = Form(None)
) -> HTMLResponse:
    """Draft a persona from a one-line description into the New persona form, unsaved."""
    authorize(Action.EDIT_PERSONA)
    from understudy.content.generation import generate_persona

    try:
        persona = generate_persona(description, seed=seed)
    except ValueError as exc:
        problem = ContentProblem(None, None, "description", str(exc))
        return render(request, "error.html", {"title": "Generate", "message": str(problem)}, 422)
    values = data_to_values(PERSONA_FIELDS, persona.model_dump(mode="json"))
    return _form_page(request, values=values, errors={}, editing=None, generated_from=description)


@router.get("/personas/{persona_id}", response_class=HTMLResponse)
def persona_detail(request: Request, persona_id: str) -> HTMLResponse:
    """Every field of one persona, the scenarios that use it, and the Preview button."""
    persona, path = find_persona(persona_id)
    builtins = {p.resolve() for p in builtin_persona_paths()}
    usage = scenario_usage(default_dirs()).get(persona.id, [])
    return render(
        request,
        "personas/detail.html",
        {
            "title": persona.name,
            "persona": persona,
            "origin": _origin(persona, path.resolve() in builtins),
            "used_by": usage,
            "path": str(path),
        },
    )


@router.get("/personas/{persona_id}/preview", response_class=HTMLResponse)
def persona_preview(request: Request, persona_id: str, seed: int = 0) -> HTMLResponse:
    """Three sample lines in the persona's voice (offline simulator, reproducible by seed);
    for a persona in a language the offline simulator cannot speak, why there are none."""
    from understudy.simulators.languages import language_problem
    from understudy.simulators.offline.preview import preview_lines

    persona, _path = find_persona(persona_id)
    unsupported = language_problem("offline", persona)  # shown instead of English lines
    lines = [] if unsupported else preview_lines(persona, seed)
    template = "personas/preview_lines.html" if "HX-Request" in request.headers else None
    context = {"title": f"Preview: {persona.name}", "persona": persona, "lines": lines}
    context["unsupported"] = unsupported
    context["voice_ready"] = _voice_ready()
    return render(request, template or "personas/preview.html", {**context, "seed": seed})


def _voice_ready() -> bool:
    """True when the voice extra and eSpeak NG are installed (checked without importing)."""
    import importlib.util
    import shutil

    modules = ("pipecat", "faster_whisper", "soundfile")
    found = all(importlib.util.find_spec(m) is not None for m in modules)
    return found and shutil.which("espeak-ng") is not None


@router.get("/personas/{persona_id}/preview.ogg", response_model=None)
def persona_preview_audio(persona_id: str, seed: int = 0) -> Response:
    """The three sample lines spoken in the persona's voice, as OGG/Opus (the voice extra);
    503 with the reason when the voice cannot be rendered here."""
    from understudy.simulators.offline.preview import preview_lines
    from understudy.voice import require_voice

    persona, _path = find_persona(persona_id)
    try:
        lines = [text for _, text in preview_lines(persona, seed)]
        require_voice()
        from understudy.voice.preview import encode, render_lines

        samples, rate = render_lines(persona, lines)
    except UnderstudyError as exc:
        return Response(str(exc), status_code=503, media_type="text/plain")
    return Response(encode(samples, rate, ".ogg"), media_type="audio/ogg")


@router.get("/personas/{persona_id}/edit", response_class=HTMLResponse)
def edit_persona(request: Request, persona_id: str) -> HTMLResponse:
    """The persona form filled with the persona (a built-in is saved to your library)."""
    persona, _path = find_persona(persona_id)
    values = data_to_values(PERSONA_FIELDS, persona.model_dump(mode="json"))
    return _form_page(request, values=values, errors={}, editing=persona.id)


@router.post("/personas/{persona_id}/edit")
async def update_persona(request: Request, persona_id: str) -> Response:
    """Validate and save the edit; every scenario using the persona sees the change."""
    authorize(Action.EDIT_PERSONA)
    find_persona(persona_id)
    return await _save(request, persona_id)
