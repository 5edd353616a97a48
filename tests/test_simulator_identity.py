"""Different customers in one batch; persona facts stay out of scenarios that do not use them."""

from __future__ import annotations

import asyncio
import random
import re

from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import ActType, ConversationResult, Role
from understudy.simulators.offline import OfflineSimulator
from understudy.simulators.offline.identity import conversation_identity, scenario_uses
from understudy.testing import ScriptedAgent, run_one

ASK_ALL = [
    "Hi, how can I help?",
    "Can I have your full name?",
    "What is your order number?",
    "And your email address?",
    "What is the amount?",
    "Which card did you use?",
]
RETURN = Scenario(
    id="return",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You want to return the shoes from your last order.",
        known_info={"order_id": "W-5521", "email": "kim@example.com"},
    ),
    max_turns=8,
)
FLIGHT = Scenario(
    id="flight",
    persona="calm",
    goal=CustomerGoal(reason_for_call="You want to cancel your flight to Boston next Friday."),
    max_turns=8,
)


def names_said(persona: str, scenario: Scenario, seeds: range) -> list[str]:
    async def one(seed: int) -> str:
        result = await run_one(
            ScriptedAgent(list(ASK_ALL)), scenario=scenario, persona=persona, seed=seed
        )
        values = [
            a.value
            for m in result.messages
            if m.role is Role.customer
            for a in m.acts
            if a.type is ActType.inform and a.slot == "name" and a.value
        ]
        identity = OfflineSimulator(
            resolve_persona(persona), scenario, random.Random(seed)
        ).knowledge.known["name"]
        assert all(v == identity for v in values), f"seed {seed}: one name per caller"
        for m in result.messages:
            for act in m.acts:
                if act.type is ActType.inform and act.slot in RETURN.goal.known_info:
                    fixed = scenario.goal.known_info.get(act.slot)
                    assert fixed is None or act.value == fixed, f"seed {seed}: {act} contradicts"
        return identity

    async def all_of_them() -> list[str]:
        return [await one(seed) for seed in seeds]

    return asyncio.run(all_of_them())


def test_fifty_conversations_of_one_scenario_are_at_least_forty_different_people() -> None:
    for persona in ("calm", "elderly", "impatient"):
        names = names_said(persona, RETURN, range(50))
        assert len(set(names)) >= 40, f"{persona}: {len(set(names))} distinct names in 50"
        first = resolve_persona(persona).name.split()[0]
        assert all(n.startswith(first) for n in names), f"{persona} keeps its first name"


def test_a_scenario_that_fixes_the_name_keeps_it() -> None:
    fixed = RETURN.model_copy(
        update={"goal": RETURN.goal.model_copy(update={"known_info": {"name": "Rosa Diaz"}})}
    )
    assert set(names_said("calm", fixed, range(10))) == {"Rosa Diaz"}


def test_persona_case_facts_never_appear_in_a_scenario_that_does_not_use_the_slot() -> None:
    for persona_id in ("calm", "elderly", "impatient", "happy-regular", "typo-prone"):
        persona = resolve_persona(persona_id)
        order = persona.knowledge.knows.get("order_id")
        assert order, f"{persona_id} should hold an order number for this test"
        assert not scenario_uses("order_id", FLIGHT)
        for seed in range(20):
            result = asyncio.run(
                run_one(ScriptedAgent(list(ASK_ALL)), scenario=FLIGHT, persona=persona, seed=seed)
            )
            spoken = " ".join(m.text for m in result.messages if m.role is Role.customer)
            drawn = conversation_identity(persona, random.Random(seed)).facts["order_id"]
            for value in (order, drawn):
                assert value not in spoken, (
                    f"{persona_id}/{seed}: order number leaked into a flight"
                )
        simulator = OfflineSimulator(
            persona,
            RETURN.model_copy(update={"goal": RETURN.goal.model_copy(update={"known_info": {}})}),
            random.Random(0),
        )
        known = simulator.knowledge.known.get("order_id")
        assert known == simulator.identity.facts["order_id"], "a return uses the order slot"
        assert re.sub(r"\d", "0", known or "") == re.sub(r"\d", "0", order), (
            "in the persona's shape"
        )


def _informed(result: ConversationResult, slot: str) -> set[str]:
    return {
        a.value
        for m in result.messages
        if m.role is Role.customer
        for a in m.acts
        if a.type is ActType.inform and a.slot == slot and a.value
    }


def test_a_batch_holds_different_details_but_keeps_what_the_scenario_fixes() -> None:
    """calm knows an order number, an e-mail and a zip; the return scenario fixes the first two."""
    persona = resolve_persona("calm")
    free = RETURN.model_copy(update={"goal": RETURN.goal.model_copy(update={"known_info": {}})})
    zips, emails, orders = set(), set(), set()
    for seed in range(50):
        agent = ScriptedAgent([*ASK_ALL, "And the zip code?"])
        result = asyncio.run(run_one(agent, scenario=free, persona=persona, seed=seed))
        zips |= _informed(result, "zip")
        emails |= _informed(result, "email")
        orders |= _informed(result, "order_id")
        fixed = asyncio.run(
            run_one(ScriptedAgent(list(ASK_ALL)), scenario=RETURN, persona=persona, seed=seed)
        )
        assert _informed(fixed, "order_id") <= {"W-5521"}, "the scenario's order number wins"
        assert _informed(fixed, "email") <= {"kim@example.com"}, "the scenario's e-mail wins"
    assert len(orders) >= 40 and len(emails) >= 40 and len(zips) >= 40, (orders, emails, zips)
    assert all(re.fullmatch(r"\d{4}-\d{4}", o) for o in orders), "in the persona's shape"
    assert all(re.fullmatch(r"sam\.[a-z]+@example\.com", e) for e in emails), emails


def test_a_value_the_backstory_tells_stays_and_the_name_fits_the_email() -> None:
    maya = resolve_persona("maya")
    for seed in range(10):
        identity = conversation_identity(maya, random.Random(seed))
        assert identity.facts["amount"] == "$42.99", "her story is a duplicate $42.99 charge"
        assert identity.facts["name"] == identity.name
        assert identity.facts["order_id"].startswith("ORD-")
        assert identity == conversation_identity(maya, random.Random(seed)), "seeded"
