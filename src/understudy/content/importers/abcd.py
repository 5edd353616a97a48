"""Import ABCD (Action-Based Conversations Dataset) procedures as flows and scenarios.

Input: ``guidelines.json`` (10 flows, 55 subflows of agent steps); beside it
``ontology.json`` (actions and their slots, slot values, subflow intent keys) and, optionally,
``abcd_sample.json`` (full chats with the customer's scenario facts).

Output, under ``OUT``:

* ``flows/abcd-<intent>.yaml``: one assistant flow skeleton per subflow (see
  ``abcd_flow.build_flow``), whose ``default_scenario`` is
* ``scenarios/abcd-<intent>.yaml``: a customer for that subflow, with facts from a sample
  chat's scenario (rotating over the samples) plus values for every slot the flow asks for;
* ``scenarios/abcd-sample-<convo id>.yaml``: one scenario per sample chat, with its real
  facts and the customer's real first line.

Source: asappresearch/abcd, MIT licence.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz

from understudy.content.importers.abcd_flow import PATTERNS, build_flow
from understudy.content.importers.common import ImportReport, slug, write_yaml
from understudy.domain.base import Origin
from understudy.domain.flow import CollectNode, Flow
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.errors import ContentError, ContentProblem, NotFoundError

HEADER = "Imported from asappresearch/abcd ({source}), MIT licence.\nReview before use."
_FACT_KEYS = {"member_level": "membership_level", "customer_name": "name"}
_SYNTHETIC = {
    "account_id": "K3T9Q2ZW1M",
    "amount": "50",
    "pin_number": "4821",
    "security_answer": "Singh",
    "username": "customer123",
    "email": "customer123@email.com",
    "order_id": "5137264090",
    "zip_code": "54321",
    "phone": "(555) 014-2211",
    "full_address": "12 main st  springfield, il 54321",
    "street_address": "12 main st",
}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(path, None, "", "file not found")]) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContentError([ContentProblem(path, None, "", f"cannot read JSON: {exc}")]) from exc


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def subflow_intents(
    guidelines: dict[str, Any], ontology: dict[str, Any]
) -> dict[tuple[str, str], str]:
    """Map (flow name, subflow name) of the guidelines to the ontology's subflow key.

    Names differ in wording ("Initiate Refund" vs ``refund_initiate``), so each subflow is
    paired with the most similar unused key of its own flow (rapidfuzz ``token_set_ratio``
    over words, in order of best score); a subflow without a key keeps its own name, snake-cased.
    """
    keys = (ontology.get("intents") or {}).get("subflows") or {}
    out: dict[tuple[str, str], str] = {}
    for flow_name, flow in guidelines.items():
        names = list((flow.get("subflows") or {}).keys())
        candidates = list(keys.get(_key(flow_name), []))
        scored = sorted(
            (
                (fuzz.token_set_ratio(n.lower().replace("-", " "), c.replace("_", " ")), n, c)
                for n in names
                for c in candidates
            ),
            reverse=True,
        )
        used: set[str] = set()
        for _score, name, cand in scored:
            if (flow_name, name) not in out and cand not in used:
                out[(flow_name, name)] = cand
                used.add(cand)
        for name in names:
            out.setdefault((flow_name, name), _key(name))
    return out


def _sample_facts(sample: dict[str, Any]) -> dict[str, str]:
    scenario = sample.get("scenario") or {}
    facts: dict[str, str] = {}
    for group in ("personal", "order"):
        for key, value in (scenario.get(group) or {}).items():
            if key in ("products", "packaging", "num_products") or value in (None, ""):
                continue
            text = " ".join(str(value).split())
            facts[_FACT_KEYS.get(key, key)] = text.title() if key == "customer_name" else text
    product = scenario.get("product") or {}
    names, amounts = product.get("names") or [], product.get("amounts") or []
    if names:
        facts["product"] = str(names[0]).replace("_", " ")
    if amounts:
        facts["amount"] = str(amounts[0])
    return facts


def _first_customer_line(sample: dict[str, Any]) -> str:
    for speaker, text in sample.get("original") or []:
        if speaker == "customer" and len(str(text).split()) > 3:
            return str(text)
    return ""


def _reason(sub_name: str, flow_def: dict[str, Any], instructions: list[str]) -> str:
    first = " ".join(instructions[0].split()) if instructions else ""
    if first.lower().startswith("the customer"):
        return first
    description = str(flow_def.get("description") or "").strip()
    about = f" ({description})" if description else ""
    return f"You want help with: {sub_name.lower()}{about}."


def scenario_for_flow(
    flow: Flow,
    scenario_id: str,
    intent: str,
    reason: str,
    base: dict[str, str],
    seed: int,
    source: str,
) -> Scenario:
    """A customer for a flow: the sample facts plus a value for every slot the flow collects.

    A slot the flow collects with choices always gets one of those choices (a sample fact that
    is not among them is replaced), so the customer can complete the flow.
    """
    rng = random.Random(seed)
    facts = dict(base)
    for node in flow.nodes.values():
        if not isinstance(node, CollectNode):
            continue
        if node.choices:
            allowed = {p.lower() for c in node.choices for p in c.phrases}
            if facts.get(node.slot, "").lower() not in allowed:
                facts[node.slot] = rng.choice(node.choices).value
            continue
        if node.slot in facts:
            continue
        if node.slot in _SYNTHETIC:
            facts[node.slot] = _SYNTHETIC[node.slot]
        elif node.slot in PATTERNS:
            facts[node.slot] = str(rng.randint(10000, 99999))
        else:
            facts[node.slot] = "not sure"
    return Scenario(
        id=scenario_id,
        name=flow.name,
        persona="calm",
        goal=CustomerGoal(
            reason_for_call=reason,
            intent=intent,
            known_info=facts,
            task_instructions="Answer the agent's questions with your facts.",
        ),
        tags=["abcd", intent],
        origin=Origin(kind="imported", source=source),
    )


def import_abcd(
    guidelines_path: Path | str,
    out: Path | str,
    *,
    subflow: str | None = None,
    ontology_path: Path | str | None = None,
    samples_path: Path | str | None = None,
) -> ImportReport:
    """Import ABCD subflows as flow skeletons and scenarios (see the module docstring).

    Args:
        guidelines_path: ``guidelines.json``.
        out: output folder (``flows/`` and ``scenarios/`` inside).
        subflow: import only this subflow, by name (``Initiate Refund``) or intent key
            (``refund_initiate``), case-insensitive.
        ontology_path: default ``ontology.json`` beside the guidelines.
        samples_path: default ``abcd_sample.json`` beside the guidelines (skipped if absent).

    Raises:
        ContentError: a file cannot be read.
        NotFoundError: ``subflow`` names no subflow (the message lists them).
    """
    guidelines_path, out = Path(guidelines_path), Path(out)
    folder = guidelines_path.parent
    guidelines = _read_json(guidelines_path)
    ontology = _read_json(Path(ontology_path) if ontology_path else folder / "ontology.json")
    samples_file = Path(samples_path) if samples_path else folder / "abcd_sample.json"
    samples: list[dict[str, Any]] = _read_json(samples_file) if samples_file.exists() else []
    report = ImportReport()
    if not samples:
        report.notes.append(f"no samples at {samples_file}: scenarios use made-up facts")
    intents = subflow_intents(guidelines, ontology)
    wanted = subflow.lower() if subflow else None
    chosen = [
        (f, s)
        for (f, s), key in intents.items()
        if wanted is None or wanted in (s.lower(), key.lower())
    ]
    if not chosen:
        known = ", ".join(sorted(s for _f, s in intents))
        raise NotFoundError(f"no ABCD subflow {subflow!r}; subflows: {known}")
    openings = {
        re.sub(r"_\d+$", "", str((s.get("scenario") or {}).get("subflow"))): _first_customer_line(s)
        for s in samples
    }
    for index, (flow_name, sub_name) in enumerate(chosen):
        intent = intents[(flow_name, sub_name)]
        flow_def = guidelines[flow_name]
        sub = flow_def["subflows"][sub_name]
        label = f"abcd {flow_name} > {sub_name}"
        name = f"abcd-{slug(_key(flow_name))}-{slug(intent)}"
        try:
            flow = build_flow(
                flow_name=flow_name,
                subflow_name=sub_name,
                intent=intent,
                description=str(flow_def.get("description") or ""),
                subflow=sub,
                ontology=ontology,
                examples=[o for k, o in openings.items() if k == intent and o],
                default_scenario=f"../scenarios/{name}.yaml",
            )
            instructions = [str(i) for i in sub.get("instructions") or []]
            reason = openings.get(intent) or _reason(sub_name, flow_def, instructions)
            base = _sample_facts(samples[index % len(samples)]) if samples else {}
            scenario = scenario_for_flow(flow, name, intent, reason, base, index, label)
        except ValidationError as exc:
            report.skip(label, str(exc).splitlines()[0])
            continue
        header = HEADER.format(source=f"guidelines.json, {flow_name} > {sub_name}")
        report.wrote("flow", write_yaml(out / "flows" / f"{name}.yaml", flow, header=header))
        report.wrote(
            "scenario", write_yaml(out / "scenarios" / f"{name}.yaml", scenario, header=header)
        )
    if subflow is None:
        for sample in samples:
            _write_sample(sample, out, report)
    return report


def _write_sample(sample: dict[str, Any], out: Path, report: ImportReport) -> None:
    convo = str(sample.get("convo_id", "x"))
    info = sample.get("scenario") or {}
    intent = str(info.get("subflow") or "") or None
    opening = _first_customer_line(sample)
    label = f"abcd_sample.json chat {convo}"
    if not opening:
        report.skip(label, "no customer line to take the reason for the call from")
        return
    scenario = Scenario(
        id=f"abcd-sample-{slug(convo)}",
        name=f"ABCD sample chat {convo} ({info.get('flow')} / {intent})",
        persona="calm",
        opening_line=opening,
        goal=CustomerGoal(reason_for_call=opening, intent=intent, known_info=_sample_facts(sample)),
        tags=["abcd", "sample"],
        origin=Origin(kind="imported", source=label),
    )
    header = HEADER.format(source=label)
    path = out / "scenarios" / f"{scenario.id}.yaml"
    report.wrote("scenario", write_yaml(path, scenario, header=header))
