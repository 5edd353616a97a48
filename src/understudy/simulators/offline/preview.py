"""Preview a persona: three sample customer lines in its voice, from the offline simulator.

``preview_lines(persona, seed)`` plays a short generic call turn by turn (no agent, no engine
clock): the customer opens, answers a request for its first known fact (other than its name,
when it has others), and reacts to a fallback. The same seed gives the same lines.
"""

from __future__ import annotations

import random

from understudy.domain.persona import Persona
from understudy.domain.scenario import CustomerGoal, Scenario
from understudy.domain.transcript import Message, Role
from understudy.engine.seams import ConversationState
from understudy.errors import ConfigError, NotFoundError
from understudy.simulators.languages import language_problem
from understudy.simulators.offline.simulator import OfflineSimulator
from understudy.simulators.offline.understanding import slot_label


def preview_lines(persona: Persona, seed: int, intent: str | None = None) -> list[tuple[str, str]]:
    """Return three sample customer lines of ``persona``, as ``(situation, text)`` pairs.

    The situation names what the agent did and the customer's dialogue acts, e.g.
    ``asked for their order number -> inform``.

    Args:
        persona: the persona to preview.
        seed: seeds the simulator, so a preview is reproducible.
        intent: phrasing-bank intent of the opening (e.g. ``get_refund``); generic when None.

    Raises:
        NotFoundError: ``intent`` is not in the phrasing bank (the message lists the known ones).
        ConfigError: the persona's language is not English (the offline simulator's only one).
    """
    check_intent(intent)
    problem = language_problem("offline", persona)
    if problem:
        raise ConfigError(f"{problem}: a preview would be in English, so none is shown")
    scenario = Scenario(
        id="preview",
        persona=persona.id,
        goal=CustomerGoal(
            reason_for_call="You have a problem with a recent order and want it sorted out.",
            intent=intent,
        ),
    )
    simulator = OfflineSimulator(persona, scenario, random.Random(seed))
    known = [k for k in simulator.knowledge.known if k != "name"] or list(simulator.knowledge.known)
    label = slot_label(known[0]) if known else "order number"
    agent_lines = [
        f"Thanks. Could you give me your {label}, please?",
        "Sorry, I didn't quite get that. Could you rephrase?",
    ]
    situations = ["opening", f"asked for their {label}", "after a fallback"]
    state = ConversationState(conversation_id=f"preview-{seed}", scenario=scenario)
    out: list[tuple[str, str]] = []
    for i, situation in enumerate(situations):
        turn = simulator.step(state)
        acts = ", ".join(dict.fromkeys(a.type.value for a in turn.acts))
        out.append((f"{situation} -> {acts}", turn.text))
        state.messages.append(
            Message(index=len(state.messages) + 1, role=Role.customer, text=turn.text)
        )
        if i < len(agent_lines):
            state.messages.append(
                Message(index=len(state.messages) + 1, role=Role.agent, text=agent_lines[i])
            )
    return out


def known_intents() -> list[str]:
    """Return the intents of the offline simulator's phrasing bank, sorted."""
    from understudy.simulators.offline.wording import phrasing_bank

    return sorted(phrasing_bank().get("intents", {}))


def check_intent(intent: str | None) -> None:
    """Reject an intent the phrasing bank does not know.

    Raises:
        NotFoundError: unknown intent (the message lists the known ones).
    """
    if intent is None:
        return
    known = known_intents()
    if intent not in known:
        raise NotFoundError(
            f"no intent {intent!r} in the phrasing bank; known intents: {', '.join(known)}"
        )
