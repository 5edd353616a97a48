"""Persona behaviour of the offline simulator, measured over 50 seeded conversations each."""

from __future__ import annotations

import asyncio
import random
from statistics import mean

from understudy.content.personas import resolve_persona
from understudy.domain.scenario import CustomerGoal, ExitCondition, Scenario
from understudy.domain.transcript import ActType, ConversationResult, Role, TerminationReason
from understudy.engine.seams import AgentTurn
from understudy.testing import ScriptedAgent, run_one

SEEDS = range(50)

REFUND = Scenario(
    id="refund",
    persona="calm",
    goal=CustomerGoal(
        reason_for_call="You were charged twice for one order and want the extra charge refunded.",
        intent="get_refund",
        known_info={"order_id": "ORD-7711", "email": "maya@example.com"},
        unknown_info=["refund policy"],
    ),
    max_turns=12,
)

SUPPORT_SCRIPT = [
    "Hello! How can I help you today?",
    "I can help with that. Could you give me your order number, please?",
    "Thank you. And what is the email address on the account?",
    "Let me check that for you, one moment.",
    "Your refund has been processed. Is there anything else I can help you with?",
    AgentTurn(text="Thanks for contacting us. Goodbye!", ended=True, outcome="completed"),
]

FALLBACK = "Sorry, I didn't get that. Could you rephrase?"


_RUNS: dict[str, list[ConversationResult]] = {}


def run_many(persona: str, script: object, scenario: Scenario = REFUND) -> list[ConversationResult]:
    """Run one conversation per seed with a fresh scripted agent each time (memoised)."""
    key = f"{persona}|{script!r}|{scenario.model_dump_json()}"
    if key not in _RUNS:
        _RUNS[key] = _run_many(persona, script, scenario)
    return _RUNS[key]


def _run_many(persona: str, script: object, scenario: Scenario) -> list[ConversationResult]:
    resolved = resolve_persona(persona)

    async def all_runs() -> list[ConversationResult]:
        out = []
        for seed in SEEDS:
            agent = ScriptedAgent(list(script), then=FALLBACK)  # type: ignore[call-overload]
            out.append(await run_one(agent, scenario=scenario, persona=resolved, seed=seed))
        return out

    return asyncio.run(all_runs())


def customer_texts(results: list[ConversationResult], clean: bool = True) -> list[str]:
    return [
        (m.clean_text or m.text) if clean else m.text
        for r in results
        for m in r.messages
        if m.role is Role.customer
    ]


def words_per_turn(results: list[ConversationResult]) -> float:
    return mean(len(t.split()) for t in customer_texts(results))


def test_impatient_turns_are_shorter_than_elderly_turns() -> None:
    impatient = words_per_turn(run_many("impatient", SUPPORT_SCRIPT))
    elderly = words_per_turn(run_many("elderly", SUPPORT_SCRIPT))
    assert impatient * 2 < elderly, (
        f"impatient turns should be less than half as long as elderly ones: "
        f"{impatient:.1f} vs {elderly:.1f} words per turn"
    )


def _changed_word_share(results: list[ConversationResult]) -> float:
    changed = total = 0
    for r in results:
        for m in r.messages:
            if m.role is not Role.customer:
                continue
            clean = [w.strip(".,!?:").lower() for w in (m.clean_text or "").split()]
            noisy = {w.strip(".,!?:").lower() for w in m.text.split()}
            total += len(clean)
            changed += sum(1 for w in clean if w not in noisy)
    return changed / total


def test_typo_prone_text_differs_from_clean_text_in_a_measured_share_of_words() -> None:
    typo_share = _changed_word_share(run_many("typo-prone", SUPPORT_SCRIPT))
    calm_share = _changed_word_share(run_many("calm", SUPPORT_SCRIPT))
    assert 0.15 <= typo_share <= 0.6, (
        f"about a quarter of typo-prone words (typo rate 0.25, plus joined words) should differ "
        f"from the clean text; measured {typo_share:.2f}"
    )
    assert calm_share == 0.0, f"a persona with typo rate 0 should send clean text ({calm_share})"


def test_non_native_turns_include_requests_to_repeat() -> None:
    non_native = run_many("non-native", SUPPORT_SCRIPT)
    with_repeat = sum(
        any(a.type is ActType.ask_repeat for m in r.messages for a in m.acts) for r in non_native
    )
    calm = run_many("calm", SUPPORT_SCRIPT)
    calm_repeat = sum(
        any(a.type is ActType.ask_repeat for m in r.messages for a in m.acts) for r in calm
    )
    assert with_repeat >= 15, f"non-native should ask to repeat in many of 50 calls ({with_repeat})"
    assert calm_repeat == 0, f"a native persona should never ask to repeat ({calm_repeat})"


def test_a_bot_that_keeps_falling_back_is_abandoned_the_impatient_first() -> None:
    always_fallback = [FALLBACK]
    frustrated = run_many("frustrated-cardholder", always_fallback)
    calm = run_many("calm", always_fallback)
    left = sum(r.termination_reason is TerminationReason.customer_left for r in frustrated)
    calm_left = sum(r.termination_reason is TerminationReason.customer_left for r in calm)
    assert left == 50, f"frustrated + fast drift should leave every time, left {left} of 50"
    assert calm_left == 50, f"even a calm customer gives up on a re-prompt loop ({calm_left})"
    turns = mean(r.customer_turns for r in frustrated)
    calm_turns = mean(r.customer_turns for r in calm)
    assert turns <= 6, f"frustrated + fast should leave within a few turns, took {turns:.1f}"
    assert calm_turns > turns, f"calm should sit through more re-prompts ({calm_turns:.1f})"


def test_a_bot_repeating_its_question_word_for_word_is_abandoned_over_many_seeds() -> None:
    async def stuck(persona: str) -> list[ConversationResult]:
        resolved = resolve_persona(persona)
        return [
            await run_one(
                ScriptedAgent(lambda state: "What is your order number?"),
                scenario=REFUND,
                persona=resolved,
                seed=seed,
            )
            for seed in range(20)
        ]

    for persona in ("calm", "impatient", "elderly", "non-native"):
        results = asyncio.run(stuck(persona))
        left = [r for r in results if r.termination_reason is TerminationReason.customer_left]
        assert len(left) == len(results), f"{persona}: a bot stuck on one line must be left"
        assert all(r.customer_turns <= 9 for r in left), f"{persona} sat through too much"


def test_mood_is_recorded_after_every_customer_turn() -> None:
    for r in run_many("maya", SUPPORT_SCRIPT)[:10]:
        customer = [m for m in r.messages if m.role is Role.customer]
        assert len(r.moods) == len(customer), "one mood per customer turn"
        assert all(m.mood is not None for m in customer), "every customer message carries a mood"


def test_angry_customer_asks_for_a_human_and_a_handover_ends_escalated() -> None:
    def agent(state: object) -> str:
        last = state.messages[-1] if state.messages else None  # type: ignore[attr-defined]
        if last is not None and any(a.type is ActType.escalate for a in last.acts):
            return "Of course, let me transfer you to a human agent now."
        return FALLBACK

    impatient = resolve_persona("impatient")

    async def all_runs() -> int:
        count = 0
        for seed in SEEDS:
            r = await run_one(ScriptedAgent(agent), scenario=REFUND, persona=impatient, seed=seed)
            count += r.termination_reason is TerminationReason.escalated
        return count

    escalated = asyncio.run(all_runs())
    assert escalated >= 25, f"an angry customer should often ask for a human, escalated {escalated}"


def test_customer_says_no_thanks_to_anything_else_without_ending_the_call() -> None:
    for r in run_many("calm", SUPPORT_SCRIPT)[:20]:
        idx = next(
            m.index for m in r.messages if m.role is Role.agent and "anything else" in m.text
        )
        reply = r.messages[idx]  # the message after the agent's (indexes are 1-based)
        kinds = [a.type for a in reply.acts]
        if ActType.off_topic in kinds:
            continue
        assert kinds[-3:] == [ActType.negate, ActType.thank, ActType.bye], kinds
        assert r.termination_reason is TerminationReason.goal_met, "the agent's flow completes"
        assert r.messages[-1].role is Role.agent, "the agent, not the customer, ends the call"


def test_customer_ends_with_goal_met_after_resolution_and_closing_without_exit_conditions() -> None:
    script = [
        "Hi, how can I help?",
        "Your refund has been issued to your card.",
        "Have a great day, goodbye!",
    ]
    results = run_many("calm", script)
    met = [r for r in results if r.termination_reason is TerminationReason.goal_met]
    assert len(met) >= 45, f"resolved and closed: the customer should end goal_met ({len(met)})"
    assert all(r.messages[-1].role is Role.customer for r in met)

    with_exit = REFUND.model_copy(
        update={"exit_conditions": [ExitCondition(id="x", agent_says=["refund approved"])]}
    )
    results = run_many("calm", script, scenario=with_exit)
    assert not any(r.termination_reason is TerminationReason.goal_met for r in results), (
        "with exit conditions the customer leaves the verdict to them"
    )


def test_known_facts_are_given_exactly_and_unknown_ones_are_declined() -> None:
    script = [
        "Hi! What's your order number?",
        "What is the refund policy you were told about?",
        "And may I have your supervisor's name?",
    ]
    for r in run_many("maya", script)[:20]:
        acts = [a for m in r.messages if m.role is Role.customer for a in m.acts]
        informs = {a.slot: a.value for a in acts if a.type is ActType.inform}
        dont = {a.slot for a in acts if a.type is ActType.dont_know}
        if "order_id" in informs:
            assert informs["order_id"] == "ORD-7711"
            assert any("ORD-7711" in (m.text or "") for m in r.messages if m.role is Role.customer)
        assert not dont - {"refund policy", "supervisor's name"}, dont
    total_dont = sum(
        a.type is ActType.dont_know
        for r in run_many("maya", script)
        for m in r.messages
        for a in m.acts
    )
    assert total_dont >= 50, f"Maya should say she does not know, often ({total_dont})"


def test_customer_wanders_off_topic_then_returns_to_goal() -> None:
    results = run_many("happy-regular", SUPPORT_SCRIPT)
    wandered = returned = 0
    for r in results:
        customer = [m for m in r.messages if m.role is Role.customer]
        for i, m in enumerate(customer[:-1]):
            if any(a.type is ActType.off_topic for a in m.acts):
                wandered += 1
                later = [a.type for n in customer[i + 1 :] for a in n.acts]
                returned += ActType.return_to_goal in later or ActType.bye in later
    assert wandered >= 5, f"a persona with off-topic tendency 0.25 should wander ({wandered})"
    assert returned == wandered, "every off-topic turn is followed by a return to the goal"


def test_agent_may_speak_first() -> None:
    scenario = REFUND.model_copy(update={"first_speaker": Role.agent})
    for r in run_many("calm", SUPPORT_SCRIPT, scenario=scenario)[:10]:
        assert r.messages[0].role is Role.agent
        assert any(a.type is ActType.state_goal for a in r.messages[1].acts)


def test_a_non_native_caller_answers_a_long_phone_question_naming_a_fact_it_knows() -> None:
    from understudy.domain.scenario import ScenarioMode
    from understudy.simulators import make_simulator

    persona = resolve_persona("non-native")
    scenario = Scenario(
        id="order",
        persona="non-native",
        mode=ScenarioMode.voice,
        goal=CustomerGoal(reason_for_call="You want to know where your order is."),
    )
    asks_fact = "okay sure i can definitely help you with that today uh what is your order number"
    explains = (
        "okay so what usually happens with these is that the warehouse ships it out is that okay"
    )
    answered = repeated = 0
    for seed in range(60):
        simulator = make_simulator("offline", persona, scenario, random.Random(seed))
        result = asyncio.run(
            run_one(ScriptedAgent([asks_fact, explains]), scenario=scenario, simulator=simulator)
        )
        replies = [m for m in result.messages if m.role is Role.customer][1:3]
        kinds = [{a.type for a in m.acts} for m in replies]
        assert ActType.ask_repeat not in kinds[0], f"seed {seed}: {replies[0].text}"
        answered += ActType.inform in kinds[0]
        repeated += len(kinds) > 1 and ActType.ask_repeat in kinds[1]
    assert answered == 60, "the order number is given every time"
    assert repeated >= 5, f"a long turn with no request is still asked again ({repeated} of 60)"


def test_a_caller_says_my_phone_number_but_the_amount() -> None:
    from understudy.domain.scenario import ScenarioMode
    from understudy.simulators import make_simulator

    scenario = Scenario(
        id="transfer",
        persona="calm",
        mode=ScenarioMode.voice,
        goal=CustomerGoal(
            reason_for_call="You want to transfer money between your accounts.",
            known_info={"amount": "$135", "phone": "5550147"},
        ),
    )
    said: list[str] = []
    for seed in range(60):
        simulator = make_simulator(
            "offline", resolve_persona("calm"), scenario, random.Random(seed)
        )
        agent = ScriptedAgent(["what is the transfer amount", "and what is your phone number"])
        result = asyncio.run(run_one(agent, scenario=scenario, simulator=simulator))
        said += [m.text.lower() for m in result.messages if m.role is Role.customer]
    assert not any("my amount" in s for s in said), "an amount is not the caller's own"
    assert any("the amount is" in s for s in said)
    assert any("my phone number is" in s for s in said), "a phone number is"
