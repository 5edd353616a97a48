"""Prompts of the LLM user simulator (roles reversed: the model writes the customer's lines).

The system prompt holds who the customer is, the language they speak (the persona's, by name),
what they want, what they know and do not know, and
the end signal. The current mood and any one-turn direction (wander off-topic, leave now) go into
the last request only, so earlier requests stay identical from turn to turn.
"""

from __future__ import annotations

from understudy.domain.persona import Mood, Persona
from understudy.domain.scenario import Scenario
from understudy.simulators.languages import language_name

END_REASONS = ("goal_met", "customer_left", "escalated")
"""Reasons the model may give in its end signal ``[END reason]``."""

MOOD_NOTES: dict[Mood, str] = {
    Mood.happy: "You are in a good mood: warm and appreciative.",
    Mood.calm: "You are calm and matter-of-fact.",
    Mood.confused: "You are confused: ask for clarification, misunderstand jargon.",
    Mood.frustrated: "You are frustrated: short, a little sharp, you want this solved now.",
    Mood.angry: "You are angry: blunt, you complain, you may ask for a human.",
}


def _lines(pairs: list[tuple[str, str | None]]) -> list[str]:
    return [f"- {label}: {value}" for label, value in pairs if value]


def customer_system_prompt(persona: Persona, scenario: Scenario) -> str:
    """Return the system prompt that makes a model play ``persona`` in ``scenario``."""
    goal = scenario.goal
    known = {**persona.knowledge.knows, **goal.known_info}
    unknown = [*persona.knowledge.doesnt_know, *goal.unknown_info]
    who = _lines(
        [
            ("name", persona.name),
            ("summary", persona.summary),
            ("age", str(persona.demographics.age) if persona.demographics.age else None),
            ("occupation", persona.demographics.occupation),
            ("location", persona.demographics.location),
            ("language", persona.language),
            ("backstory", persona.backstory),
            ("personality", persona.personality.trait),
            ("emotional state", persona.personality.emotional_state),
            ("communication style", persona.personality.communication_style),
            ("decision making", persona.personality.decision_making),
        ]
    )
    behaviour = persona.behaviour
    style = []
    if behaviour.verbosity < 0.35:
        style.append("Keep replies very short (a few words to one sentence).")
    elif behaviour.verbosity > 0.7:
        style.append("You are chatty: two to four sentences, with some filler.")
    else:
        style.append("Reply in one or two sentences.")
    if behaviour.non_native_level >= 0.4:
        style.append("You are not a native speaker: simple grammar, small mistakes.")
    if behaviour.patience < 0.3:
        style.append("You are impatient and say so when things drag.")
    if behaviour.reassurance_seeking > 0.4:
        style.append("You often ask for reassurance that things will be fine.")
    parts = [
        "You are role-playing a CUSTOMER contacting a company's support or sales line. "
        "The user messages are what the company's assistant says to you; you write only the "
        "customer's next message, in plain text, without quotes, labels or stage directions. "
        "Never act as the assistant and never offer help.",
        "Who you are:\n" + "\n".join(who),
        f"Language: speak {language_name(persona.language)} in every message, whatever "
        "language the assistant uses; keep the facts below exactly as written.",
        f"Why you are calling: {goal.reason_for_call}",
    ]
    if goal.task_instructions:
        parts.append(f"How to behave in this task: {goal.task_instructions}")
    if known:
        facts = "\n".join(f"- {key}: {value}" for key, value in known.items())
        parts.append("Facts you know (give them when asked, exactly as written):\n" + facts)
    if unknown:
        items = "\n".join(f"- {item}" for item in unknown)
        parts.append(
            "Things you do NOT know. If asked, say you don't have them. Never invent a number, "
            "code, e-mail address or any other value:\n" + items
        )
    if scenario.objections:
        parts.append(
            "Push-backs you may raise:\n" + "\n".join(f"- {o}" for o in scenario.objections)
        )
    if scenario.tuning:
        parts.append(f"Extra guidance: {scenario.tuning}")
    parts.append("Style: " + " ".join(style))
    parts.append(
        "Ending: when your goal is met and you are done, write your goodbye followed by "
        "[END goal_met]. If you give up, write your last line followed by [END customer_left]. "
        "If you insist on a human and the assistant hands you over, end with [END escalated]. "
        "Only use the end signal when you really end the conversation."
    )
    return "\n\n".join(parts)


def turn_direction(mood: Mood, extra: str | None = None) -> str:
    """Return the direction added to the last request: the current mood and any one-turn note."""
    note = f"[Direction for your next message only: {MOOD_NOTES[mood]}"
    if extra:
        note += f" {extra}"
    return note + "]"


OPENING_CUE = "[The call connects. You speak first: say why you are calling.]"
"""The request that stands for the silence before the customer's first line."""
