"""Import tau2-bench task files as understudy scenarios and personas.

Input: a tau2 ``tasks.json`` (or ``tasks_small.json``): a JSON list of tasks, each with an
``id``, ``user_scenario`` (``persona`` paragraph or null; ``instructions`` either a mapping with
``reason_for_call``, ``known_info``, ``unknown_info``, ``task_instructions``, or one free-text
string) and ``evaluation_criteria`` (``nl_assertions``, ``communicate_info``). The domain is the
name of the folder holding the file (``retail``, ``airline``, ``telecom``,
``banking_knowledge``, ``mock``).

Output, under ``OUT``: ``scenarios/tau2-<domain>-<task id>.yaml`` per task and
``personas/<name>-<hash>.yaml`` per distinct persona (a task's persona paragraph plus any
behaviour sentences of its instructions, such as "You are a private person"), which the
scenario names by a relative path (``../personas/<id>.yaml``). Tasks without persona words play
the built-in ``calm`` persona. Source: sierra-research/tau2-bench, MIT.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from understudy.content.cues import is_behavioural, read_cues
from understudy.content.importers.common import ImportReport, slug, write_yaml
from understudy.content.importers.facts import (
    Facts,
    ids_from_text,
    parse_facts,
    parse_unknown,
    sentences,
)
from understudy.content.importers.tau2_text import parse_free_text
from understudy.domain.base import Origin
from understudy.domain.persona import Demographics, Knowledge, Persona, Personality
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.errors import ContentError, ContentProblem

DEFAULT_PERSONA = "calm"
HEADER = "Imported from sierra-research/tau2-bench ({source}), MIT licence.\nReview before use."

# Reason-for-call keywords -> intent keys shared with the phrasing bank (Bitext intent names).
_INTENTS = (
    ("exchange", "change_order"),
    ("modify", "change_order"),
    ("return", "get_refund"),
    ("refund", "get_refund"),
    ("cancel", "cancel_order"),
    ("track my", "track_order"),
    ("where is my", "track_order"),
    ("shipping address", "change_shipping_address"),
    ("payment method", "payment_issue"),
    ("compensation", "complaint"),
    ("complain", "complaint"),
    ("book a", "place_order"),
    ("human agent", "contact_human_agent"),
    ("password", "recover_password"),
    ("dispute", "complaint"),
    ("declin", "payment_issue"),
)


def guess_intent(reason: str) -> str | None:
    """Return the intent key the reason for call most likely expresses, or None."""
    low = reason.lower()
    hits = [(low.find(word), intent) for word, intent in _INTENTS if word in low]
    return min(hits)[1] if hits else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value).strip()


def _success_conditions(task: dict[str, Any]) -> list[str]:
    criteria = task.get("evaluation_criteria") or {}
    out = [str(a).strip() for a in criteria.get("nl_assertions") or [] if str(a).strip()]
    info = [str(i) for i in criteria.get("communicate_info") or [] if str(i).strip()]
    if info:
        out.append("The agent tells the customer: " + "; ".join(info))
    return out


def _persona_for(
    domain: str,
    task_id: str,
    name: str,
    paragraph: str,
    extra: str,
    age: int | None,
    occupation: str | None,
) -> Persona:
    text = "\n\n".join(p for p in (paragraph, extra) if p.strip())
    cues = read_cues(paragraph)
    if not cues.mood_from_words:
        cues = read_cues(text)
    digest = hashlib.sha256(f"{name}|{text}".encode()).hexdigest()[:6]
    first = sentences(text)[0] if sentences(text) else text
    return Persona(
        id=f"{slug(name)}-{digest}",
        name=name,
        summary=first[:160],
        demographics=Demographics(age=age, occupation=occupation),
        mood=cues.mood,
        mood_drift=cues.mood_drift,
        backstory=text,
        knowledge=Knowledge(),
        personality=Personality(
            trait=", ".join(cues.matched[:3]) or None,
            emotional_state=cues.mood.value,
            communication_style=None,
        ),
        behaviour=cues.behaviour,
        style_tags=cues.style_tags,
        origin=Origin(kind="imported", source=f"tau2/{domain} task {task_id}"),
    )


def _age_from(text: str) -> int | None:
    match = re.search(r"\b(\d{2})[- ]years?[- ]old\b|\bAt (\d{2}) years old", text)
    return int(match.group(1) or match.group(2)) if match else None


def convert_task(task: dict[str, Any], domain: str) -> tuple[Scenario, Persona | None]:
    """Turn one tau2 task into a scenario and, when it describes one, a persona.

    Args:
        task: one element of a tau2 tasks file.
        domain: the tau2 domain name (folder name), e.g. ``retail``.

    Returns:
        ``(scenario, persona or None)``; the scenario refers to the persona's id, or to the
        built-in ``calm`` persona when the task has no persona words.

    Raises:
        ValueError: the task has no usable reason for call.
        pydantic.ValidationError: the converted fields do not validate.
    """
    task_id = str(task.get("id", "")).strip()
    if not task_id:
        raise ValueError("task has no id")
    user = task.get("user_scenario") or {}
    paragraph = _text(user.get("persona") or user.get("persoca"))
    instructions = user.get("instructions")
    opening = ""
    age: int | None = _age_from(paragraph)
    occupation: str | None = None
    if isinstance(instructions, dict):
        reason = _text(instructions.get("reason_for_call"))
        known_text = _text(instructions.get("known_info"))
        facts: Facts = parse_facts(known_text)
        ids_from_text(reason, facts)
        unknown, other = parse_unknown(_text(instructions.get("unknown_info")))
        task_text = _text(instructions.get("task_instructions"))
        if task_text == ".":
            task_text = ""
        behaviour = [s for s in sentences(task_text) if is_behavioural(s)]
        notes = facts.get("notes", "")
        behaviour += [s for s in sentences(notes) if is_behavioural(s)]
        task_instructions = "\n\n".join(p for p in (task_text, *other) if p)
    else:
        parsed = parse_free_text(_text(instructions))
        reason, facts, unknown = parsed.reason_for_call, parsed.facts, []
        opening, task_instructions = parsed.opening_line, parsed.task_instructions
        behaviour = [s for s in sentences(parsed.persona_text) if s not in paragraph]
        age = age or parsed.age
        occupation = parsed.occupation
        if not paragraph and parsed.persona_text:
            paragraph, behaviour = parsed.persona_text, []
    if not reason:
        raise ValueError("no reason for call in the task")
    persona = None
    if paragraph.strip() or behaviour:
        name = facts.get("name") or "tau2 customer"
        persona = _persona_for(
            domain, task_id, name, paragraph.strip(), " ".join(behaviour), age, occupation
        )
    description = task.get("description") or {}
    purpose = _text(description.get("purpose")) if isinstance(description, dict) else ""
    if re.fullmatch(r"Task: \S+", purpose):
        purpose = ""
    scenario = Scenario(
        id=f"tau2-{slug(domain)}-{slug(task_id)}",
        name=f"tau2 {domain} task {task_id}",
        persona=persona.id if persona else DEFAULT_PERSONA,
        opening_line=opening,
        goal=CustomerGoal(
            reason_for_call=reason,
            intent=guess_intent(reason),
            known_info=facts,
            unknown_info=unknown,
            task_instructions=task_instructions,
            success_conditions=_success_conditions(task),
        ),
        evaluation_instructions=purpose,
        tags=["tau2", domain],
        origin=Origin(kind="imported", source=f"tau2/{domain} task {task_id}"),
    )
    return scenario, persona


def _read_tasks(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(path, None, "", "file not found")]) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContentError([ContentProblem(path, None, "", f"cannot read tasks: {exc}")]) from exc
    if isinstance(data, dict) and isinstance(data.get("tasks"), list):
        data = data["tasks"]
    if not isinstance(data, list):
        raise ContentError([ContentProblem(path, 1, "", "expected a JSON list of tau2 tasks")])
    return data


def persona_reference(persona_id: str) -> str:
    """Return how an imported scenario names an imported persona: a path from its folder.

    Scenarios are written to ``OUT/scenarios`` and personas to ``OUT/personas``, so the
    reference is ``../personas/<id>.yaml``; ``stress-test`` and ``practice`` resolve it against
    the scenario's folder.
    """
    return f"../personas/{persona_id}.yaml"


def import_tau2(
    tasks_path: Path | str, out: Path | str, *, domain: str | None = None
) -> ImportReport:
    """Import a tau2 tasks file: one scenario per task, one persona per distinct persona.

    Args:
        tasks_path: a tau2 ``tasks.json`` / ``tasks_small.json``.
        out: output folder; files go to ``out/scenarios`` and ``out/personas``.
        domain: the tau2 domain; default: the name of the folder holding the file.

    Returns:
        What was written and what was skipped (with reasons).

    Raises:
        ContentError: the file cannot be read or is not a list of tasks.
    """
    tasks_path, out = Path(tasks_path), Path(out)
    domain = domain or tasks_path.parent.name or "tau2"
    report = ImportReport()
    personas: dict[str, Persona] = {}
    for index, task in enumerate(_read_tasks(tasks_path)):
        label = (
            f"tau2/{domain} task {task.get('id', f'#{index}') if isinstance(task, dict) else index}"
        )
        if not isinstance(task, dict):
            report.skip(label, "not a JSON object")
            continue
        try:
            scenario, persona = convert_task(task, domain)
        except (ValueError, ValidationError) as exc:
            report.skip(label, str(exc).splitlines()[0])
            continue
        header = HEADER.format(source=label)
        if persona is not None:
            # Relative to the scenario file, so imported content runs as written.
            scenario = scenario.model_copy(update={"persona": persona_reference(persona.id)})
        write_yaml(out / "scenarios" / f"{scenario.id}.yaml", scenario, header=header)
        report.wrote("scenario", out / "scenarios" / f"{scenario.id}.yaml")
        if persona and persona.id not in personas:
            personas[persona.id] = persona
            path = write_yaml(out / "personas" / f"{persona.id}.yaml", persona, header=header)
            report.wrote("persona", path)
    if report.counts.get("scenario"):
        report.notes.append(
            f"{domain}: {len(personas)} distinct personas; tasks without persona words play "
            f"the built-in '{DEFAULT_PERSONA}' persona"
        )
    return report


def import_tau2_folder(root: Path | str, out: Path | str) -> ImportReport:
    """Import every ``tasks*.json`` found one level below ``root`` (one folder per domain).

    A domain with both ``tasks.json`` and ``tasks_small.json`` uses ``tasks.json``.
    """
    root = Path(root)
    report = ImportReport()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(folder.glob("tasks*.json"), key=lambda p: (p.name != "tasks.json", p.name))
        if files:
            report.merge(import_tau2(files[0], out, domain=folder.name))
    return report
