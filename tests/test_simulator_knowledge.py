"""The knowledge boundary: the customer never states a value it was not given."""

from __future__ import annotations

import asyncio
import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from understudy.content.personas import resolve_persona
from understudy.domain.persona import Knowledge, Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, Role
from understudy.simulators.offline.agenda import EffectiveKnowledge
from understudy.simulators.offline.identity import conversation_identity
from understudy.testing import ScriptedAgent, run_one

SLOTS = ["order_id", "email", "zip", "username", "account_id", "phone", "card", "amount", "address"]
ASKS = {
    "order_id": "What's your order number?",
    "email": "Could you give me the e-mail address on the account?",
    "zip": "And your postcode, please?",
    "username": "What is your username?",
    "account_id": "Can I have your account number?",
    "phone": "Which phone number should we call?",
    "card": "Please provide the last four digits of the card.",
    "amount": "How much was the charge?",
    "address": "What's the shipping address?",
}
OTHER_LINES = [
    "Sorry, I didn't get that. Could you rephrase?",
    "Let me check that for you.",
    "I'm sorry to hear that.",
    "Is there anything else I can help with?",
    "Would you like to add our extended warranty?",
    "What is the refund policy you were told?",
    "Hi! How can I help you today?",
]
TOKEN = re.compile(r"Z[0-9]{6}Z")
PERSONAS = [
    resolve_persona(p) for p in ("calm", "typo-prone", "non-native", "elderly", "impatient")
]

DIGIT_RUN = re.compile(r"[0-9]+")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

tokens = st.integers(min_value=0, max_value=999_999).map(lambda n: f"Z{n:06d}Z")
# Some values are e-mail addresses, so a leaked address is caught whatever its shape.
values_of_any_shape = st.one_of(
    tokens, st.integers(min_value=0, max_value=999_999).map(lambda n: f"z{n:06d}@example.org")
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Persona, Scenario, list[str], set[str], set[str], int]:
    """A persona, a scenario, an agent script, the secret and allowed values, and a seed."""
    slots = draw(st.permutations(SLOTS))
    n_known = draw(st.integers(0, 4))
    n_unknown = draw(st.integers(0, 3))
    n_own = draw(st.integers(0, 2))
    known_slots, unknown_slots = slots[:n_known], slots[n_known : n_known + n_unknown]
    own_slots = slots[n_known + n_unknown : n_known + n_unknown + n_own]
    size = len(SLOTS) * 2
    values = draw(st.lists(values_of_any_shape, min_size=size, max_size=size, unique=True))
    known = {s: values[i] for i, s in enumerate(known_slots)}
    # The persona "knows" a value for every slot the scenario says is unknown: it must not leak.
    persona_secrets = {s: values[len(SLOTS) + i] for i, s in enumerate(unknown_slots)}
    # Facts only the persona holds, on slots the scenario leaves alone: the customer may say them.
    own_facts = {s: values[len(SLOTS) + n_unknown + i] for i, s in enumerate(own_slots)}
    base = draw(st.sampled_from(PERSONAS))
    persona = base.model_copy(
        update={
            "knowledge": Knowledge(
                knows={**persona_secrets, **own_facts}, doesnt_know=["refund policy"]
            )
        }
    )
    scenario = Scenario(
        id="generated",
        persona=persona.id,
        goal=CustomerGoal(
            reason_for_call="You want help with a problem on your account.",
            intent=draw(st.sampled_from([None, "get_refund", "cancel_order", "track_order"])),
            known_info=known,
            unknown_info=[s.replace("_", " ") for s in unknown_slots],
        ),
        objections=draw(st.lists(st.sampled_from(["Too slow.", "I'm not sure."]), max_size=2)),
        max_turns=10,
    )
    agent_secret = values[-1]
    pool = [*ASKS.values(), *OTHER_LINES, f"Is your account number {agent_secret}?"]
    script = draw(st.lists(st.sampled_from(pool), min_size=3, max_size=10))
    secrets = set(persona_secrets.values()) | {agent_secret}
    allowed = set(known.values()) | set(own_facts.values())
    return persona, scenario, script, secrets, allowed, draw(st.integers(0, 10_000))


@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(cases())
def test_no_customer_turn_states_a_value_it_was_not_given(
    case: tuple[Persona, Scenario, list[str], set[str], set[str], int],
) -> None:
    persona, scenario, script, secrets, allowed, seed = case
    # The persona's own facts are drawn per conversation (same shape, new digits): the customer
    # may say the drawn value of a fact it holds, and must not say a drawn secret either.
    drawn = conversation_identity(persona, random.Random(seed))
    own = persona.knowledge.knows
    allowed = allowed - set(own.values()) | {drawn.facts[k] for k, v in own.items() if v in allowed}
    secrets = secrets | {drawn.facts[k] for k, v in own.items() if v in secrets}
    agent = ScriptedAgent(script, then="Sorry, could you say that again?")
    result = asyncio.run(run_one(agent, scenario=scenario, persona=persona, seed=seed))
    for message in result.messages:
        if message.role is not Role.customer:
            continue
        for text in (message.text, message.clean_text or ""):
            stated = set(TOKEN.findall(text))
            assert not stated & secrets, f"leaked {stated & secrets} in {text!r}"
            assert stated <= allowed, f"stated {stated - allowed} not in known_info: {text!r}"
            # Whatever its shape, a number or an address comes from a value the customer holds.
            # Whole digit runs: a stray "1" must not pass because some known value holds a 1.
            known_digits = {run for value in allowed for run in DIGIT_RUN.findall(value)}
            for digits in DIGIT_RUN.findall(text):
                assert digits in known_digits, (
                    f"the digits {digits!r} are no whole number of a known value "
                    f"({sorted(known_digits)}): {text!r}"
                )
            for address in EMAIL_LIKE.findall(text):
                assert any(address in value for value in allowed), (
                    f"the address {address!r} is no known value: {text!r}"
                )
        for act in message.acts:
            if act.type is ActType.inform:
                assert act.value in allowed | {drawn.name}, f"informed {act} not known"


def test_scenario_facts_override_persona_facts_and_unknowns() -> None:
    persona = resolve_persona("maya").model_copy(
        update={
            "knowledge": Knowledge(
                knows={"order_id": "OLD-1", "email": "m@x.io"},
                doesnt_know=["phone", "email address"],
            )
        }
    )
    scenario = Scenario(
        id="s",
        persona="maya",
        goal=CustomerGoal(
            reason_for_call="x",
            known_info={"order_number": "NEW-2", "phone": "555-0100"},
            unknown_info=["e-mail"],
        ),
    )
    knowledge = EffectiveKnowledge.build(persona, scenario)
    assert knowledge.known["order_number"] == "NEW-2", "the scenario's fact is used"
    assert knowledge.known["phone"] == "555-0100", "a scenario fact beats a persona unknown"
    assert "email" not in knowledge.known, "a scenario unknown beats a persona fact"
    assert "phone" not in knowledge.unknown
    assert knowledge.known["name"] == "Maya", "a customer knows their own name"


def test_an_unlisted_slot_is_answered_with_dont_know() -> None:
    scenario = Scenario(
        id="s", persona="calm", goal=CustomerGoal(reason_for_call="x", known_info={"zip": "80202"})
    )
    agent = ScriptedAgent(["Hi!", "What's your date of birth?"])
    result = asyncio.run(run_one(agent, scenario=scenario, persona="calm", seed=1))
    reply = result.messages[4]
    assert [a.type for a in reply.acts] == [ActType.dont_know], reply.acts
    assert reply.acts[0].slot == "date_of_birth"
