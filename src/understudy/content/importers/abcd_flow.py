"""Build an assistant flow skeleton from one ABCD subflow of ``guidelines.json``.

Each agent action of the subflow becomes, in order:

* a ``collect`` node per slot the step needs and no earlier step collected. The slots are the
  ones ``ontology.json`` lists for the step's action (``Validate Purchase`` ->
  ``validate-purchase`` -> username, email, order_id) that the step's own text mentions
  ("Username", "Email Address", "Order ID"); ``Pull up Account`` always asks for the full name.
  Each collect node gets an extractor (a pattern for e-mails, order ids, zip codes, phone
  numbers and amounts; the option values for enumerable slots, taken from the step's quoted
  options or ``ontology.json``; free text otherwise) and its own fallback;
* a ``say`` node for the step itself (``Checking the purchase ...`` for a query, or the
  step's text, shortened, for a communication or FAQ step).

The flow opens with an intent branch (the subflow's intent, with example phrases from its
name, its flow's description and its instructions; any other request goes on too) and closes
with an ``end`` node that asks whether anything else is needed, as the guidelines do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from understudy.content.ids import slugify
from understudy.domain.flow import (
    BranchNode,
    Choice,
    CollectNode,
    EndNode,
    FallbackPolicy,
    Flow,
    Intent,
    SayNode,
)

# Button label -> ontology action name (``ontology.json`` ``actions``).
_ACTIONS = {
    "notify internal team": "notify-team",
    "enter detail": "enter-details",
    "membership privileges": "membership",
    "log out/in": "log-out-in",
    "select answer": "select-faq",
    "ask the oracle": "ask-the-oracle",
}
# Slot -> words in a step's text that show the step needs it.
_MENTIONS: dict[str, tuple[str, ...]] = {
    "customer_name": ("full name",),
    "account_id": ("account id",),
    "order_id": ("order id",),
    "zip_code": ("zip code",),
    "phone": ("phone number", "phone"),
    "email": ("email address",),
    "username": ("username",),
    "full_address": ("address",),
    "street_address": ("address",),
    "amount": ("dollar amount", "amount", "price of the product"),
    "payment_method": ("payment method",),
    "refund_target": ("refund method",),
    "pin_number": ("pin number",),
    "security_answer": ("security question",),
    "membership_level": ("membership level",),
    "shipping_option": ("shipping status",),
    "reason_slotval": ("reason", "how the customer heard", "why they are disputing"),
    "product": ("brand and type", "brand and item", "new item"),
    "change_option": ("type of change", "change address", "change date"),
    "company_team": ("manager", "team"),
}
# Ontology slot -> the flow's slot name, where a plainer name exists (``known_info`` keys of the
# generated scenarios use the same names, and they are the words the prompts use).
SLOT_NAMES = {
    "customer_name": "name",
    "refund_target": "refund_method",
    "reason_slotval": "reason",
    "shipping_option": "shipping_status",
    "change_option": "change_type",
    "company_team": "team",
}
# Flow slot -> words the prompt uses for it (default: the slot name in words).
_LABELS = {
    "name": "full name",
    "account_id": "account ID",
    "order_id": "order ID",
    "pin_number": "PIN number",
    "amount": "dollar amount",
    "membership_level": "membership level",
    "product": "brand and type of the item",
    "change_type": "change type",
}
PATTERNS = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "order_id": r"\b(\d{6,12})\b",
    "zip_code": r"\b(\d{5})\b",
    "phone": r"(\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4})",
    "amount": r"\$?\s?(\d+(?:\.\d{1,2})?)",
    "pin_number": r"\b(\d{3,6})\b",
}
# Enumerable slots whose values make good choices (names and answers do not).
_CHOICE_SLOTS = (
    "membership_level",
    "payment_method",
    "refund_target",
    "shipping_option",
    "change_option",
    "product",
    "reason_slotval",
    "company_team",
)
_ADDRESSES = {"full_address", "street_address"}
_QUOTED = re.compile(r"'([a-z][a-z ]{1,30})'")


@dataclass(frozen=True)
class Step:
    """One action of a subflow: its button, ontology action and text."""

    kind: str
    button: str
    action: str
    text: str


def action_name(button: str) -> str:
    """Return the ontology action name of a guidelines button (``Pull up Account`` ->
    ``pull-up-account``); FAQ topic toggles become ``search-<topic>``."""
    low = button.strip().lower()
    if low in _ACTIONS:
        return _ACTIONS[low]
    if low in ("boots", "shirt", "jeans", "jacket", "pricing", "timing", "policy"):
        return f"search-{low}"
    return slugify(low)


def steps_of(subflow: dict[str, Any]) -> list[Step]:
    """Return the steps of a guidelines subflow, in order."""
    out = []
    for action in subflow.get("actions") or []:
        text = " ".join([str(action.get("text") or ""), *map(str, action.get("subtext") or [])])
        button = str(action.get("button") or "")
        out.append(Step(str(action.get("type") or ""), button, action_name(button), text))
    return out


def ontology_slots(ontology: dict[str, Any]) -> dict[str, list[str]]:
    """Map each ontology action name to its slot names."""
    slots: dict[str, list[str]] = {}
    for group in (ontology.get("actions") or {}).values():
        for name, names in group.items():
            slots[name] = list(names)
    return slots


def _shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.replace("[", "").replace("]", "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "..."


def slots_for(step: Step, action_slots: list[str]) -> list[str]:
    """Return the slots a step needs: ontology slots of its action its text mentions."""
    if step.action == "pull-up-account":
        return ["customer_name"]
    low = re.sub(r"\[[^\]]*\]", " ", step.text.lower())
    found: list[tuple[int, str]] = []
    for slot in action_slots:
        positions = [low.find(word) for word in _MENTIONS.get(slot, ()) if word in low]
        if positions:
            found.append((min(positions), slot))
    if "full_address" in {s for _, s in found} and "street_address" in {s for _, s in found}:
        found = [(p, s) for p, s in found if s != "street_address"]
    return [slot for _pos, slot in sorted(found)]


def _choices(slot: str, step: Step, values: dict[str, list[str]]) -> list[Choice] | None:
    if slot not in _CHOICE_SLOTS:
        return None
    known = [v.lower() for v in values.get(slot, [])]
    quoted = [q.strip() for q in _QUOTED.findall(step.text.lower())]
    options = [q for q in quoted if not known or q in known] or known
    if slot == "reason_slotval" and not quoted:
        return None
    if slot == "refund_target":
        options = [o for o in known if o in step.text.lower()] or known
    unique = list(dict.fromkeys(options))
    return [Choice(value=o) for o in unique] if unique else None


def collect_node(
    ontology_slot: str, step: Step, values: dict[str, list[str]], next_id: str
) -> CollectNode:
    """Return the collect node asking for an ontology slot (extractor as the module says).

    The node's slot is ``SLOT_NAMES.get(ontology_slot, ontology_slot)``.
    """
    slot = SLOT_NAMES.get(ontology_slot, ontology_slot)
    label = _LABELS.get(slot, slot.replace("_", " "))
    fallback = FallbackPolicy(reprompt=f"Sorry, I didn't catch your {label}.", limit=2)
    default = None
    if slot == "amount":
        match = re.search(r"default amount is \$(\d+)", step.text)
        default = match.group(1) if match else None
    choices = _choices(ontology_slot, step, values)
    if choices:
        shown = ", ".join(c.value for c in choices[:6])
        return CollectNode(
            kind="collect",
            slot=slot,
            prompt=f"What is the {label}? ({shown})",
            choices=choices,
            next=next_id,
            fallback=fallback,
        )
    if slot in PATTERNS:
        return CollectNode(
            kind="collect",
            slot=slot,
            prompt=f"Could you give me your {label}?",
            pattern=PATTERNS[slot],
            default=default,
            next=next_id,
            fallback=fallback,
        )
    return CollectNode(
        kind="collect",
        slot=slot,
        prompt=f"Could you give me your {label}?",
        free_text=True,
        next=next_id,
        fallback=fallback,
    )


_DOING = {
    "pull-up-account": "pull up your account",
    "validate-purchase": "validate your purchase",
    "verify-identity": "verify your identity",
    "record-reason": "record the reason",
    "enter-details": "enter the details",
    "offer-refund": "process the refund",
    "update-order": "update your order",
    "update-account": "update your account",
    "shipping-status": "check the shipping status",
    "make-purchase": "place the order for you",
    "notify-team": "notify the right team",
    "send-link": "send you a link",
    "promo-code": "generate a promo code for you",
    "subscription-status": "check your subscription",
    "make-password": "make a new password for you",
    "ask-the-oracle": "check our system",
}


def _say_text(step: Step) -> str:
    if step.kind in ("kb query", "interaction"):
        doing = _DOING.get(step.action, step.button.lower().replace("/", " or "))
        return f"Thank you. One moment while I {doing}."
    return _shorten(step.text)


def intent_examples(
    flow_name: str, subflow_name: str, description: str, instructions: list[str], extra: list[str]
) -> list[str]:
    """Example phrases for a subflow's intent: its name, its flow, its instructions, samples."""
    name = subflow_name.lower()
    examples = [
        name,
        f"I need help with {name}",
        f"{flow_name.lower()}: {name}",
        f"it's about {description.lower()}",
    ]
    if instructions:
        examples.append(_shorten(instructions[0], 160))
    examples.extend(extra)
    return list(dict.fromkeys(e for e in examples if e.strip()))


def build_flow(
    *,
    flow_name: str,
    subflow_name: str,
    intent: str,
    description: str,
    subflow: dict[str, Any],
    ontology: dict[str, Any],
    examples: list[str] | None = None,
    default_scenario: str | None = None,
) -> Flow:
    """Build the flow skeleton of one subflow (see the module docstring).

    Args:
        flow_name: the guidelines flow, e.g. ``Product Defect``.
        subflow_name: the subflow, e.g. ``Initiate Refund``.
        intent: the subflow's intent key, e.g. ``refund_initiate``.
        description: the flow's description, e.g. ``refunds and returns``.
        subflow: the subflow object from ``guidelines.json``.
        ontology: the parsed ``ontology.json``.
        examples: extra intent example phrases (e.g. real customer openings).
        default_scenario: path of the scenario file, relative to the flow file.

    Raises:
        pydantic.ValidationError: the built flow does not validate (a bug to report).
    """
    action_slots = ontology_slots(ontology)
    values = {
        k: list(v) for k, v in ((ontology.get("values") or {}).get("enumerable") or {}).items()
    }
    steps = steps_of(subflow)
    nodes: dict[str, Any] = {}
    planned: list[tuple[str, Any]] = []  # (node id, builder taking next id)
    collected: set[str] = set()
    for index, step in enumerate(steps, start=1):
        for slot in slots_for(step, action_slots.get(step.action, [])):
            if slot in collected or (slot in _ADDRESSES and collected & _ADDRESSES):
                continue
            collected.add(slot)
            planned.append((f"ask_{slot}", (slot, step)))
        say_id = f"step_{index}_{slugify(step.action).replace('-', '_') or 'note'}"
        planned.append((say_id, _say_text(step)))
    planned.append(("done", None))
    for position, (node_id, spec) in enumerate(planned):
        next_id = planned[position + 1][0] if position + 1 < len(planned) else "done"
        if spec is None:
            nodes[node_id] = EndNode(
                kind="end",
                message="Is there anything else I can help you with? Thank you "
                "for contacting us, have a great day!",
            )
        elif isinstance(spec, str):
            nodes[node_id] = SayNode(kind="say", prompt=spec, next=next_id)
        else:
            nodes[node_id] = collect_node(spec[0], spec[1], values, next_id)
    first = planned[0][0]
    nodes = {
        "welcome": BranchNode(
            kind="branch",
            on="intent",
            prompt="Hi, thanks for contacting us. How can I help you today?",
            cases={intent: first},
            default=first,
        ),
        **nodes,
    }
    instructions = [str(i) for i in subflow.get("instructions") or []]
    return Flow(
        name=f"ABCD {flow_name}: {subflow_name}",
        description=_shorten(" ".join(instructions), 400),
        source=f"asappresearch/abcd guidelines.json, {flow_name} > {subflow_name} (MIT)",
        default_scenario=default_scenario,
        intents=[
            Intent(
                name=intent,
                examples=intent_examples(
                    flow_name, subflow_name, description, instructions, examples or []
                ),
            )
        ],
        start="welcome",
        nodes=nodes,
    )
