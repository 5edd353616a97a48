"""What the customer knows and what it still means to do: effective knowledge and the agenda.

Knowledge rules (the knowledge boundary, shared with the LLM simulator):

* known facts = the persona's ``knowledge.knows`` updated by the scenario's ``goal.known_info``;
  a persona fact about the case (order, amount, card...) is kept only when the scenario speaks of
  that kind of thing (``identity.scenario_uses``), so it never leaks into an unrelated scenario;
  the customer's name counts as known (a customer knows their name) unless listed unknown: the
  scenario's when it fixes one, else the conversation's drawn name (``identity.draw_name``),
  else the persona's;
* unknown items = the persona's ``knowledge.doesnt_know`` plus the scenario's
  ``goal.unknown_info``;
* conflicts: the scenario beats the persona (a scenario fact replaces a persona fact about the
  same slot, even under another key such as ``zip_code`` for ``zip``; a scenario unknown item
  removes a persona fact; a scenario fact removes a persona unknown item); at the same level
  unknown beats known, so a contradiction can only make the customer say less, never state a
  value it should not;
* asked for a known slot, the customer informs the exact value; asked for an unknown item, or for
  any slot it was not given, it says it does not know.

The agenda is the stack of acts the customer still means to perform: state its goal, raise the
scenario's objections, maybe wander off-topic, and finally thank and say goodbye. Informs are not
on the stack: they are performed when the agent asks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ActType, DialogueAct
from understudy.simulators.offline.identity import scenario_uses
from understudy.simulators.offline.rules import objection_fits
from understudy.simulators.offline.slots import SLOT_SYNONYMS, canonical_slot


@lru_cache(maxsize=4096)
def _same(item: str, key: str) -> bool:
    """True when an unknown item and a fact key name the same thing."""

    def norm(text: str) -> str:
        return re.sub(r"[_\s-]+", " ", text.strip().lower())

    a, b = canonical_slot(item), canonical_slot(key)
    return norm(item) == norm(key) or (a is not None and a == b)


@dataclass(frozen=True)
class EffectiveKnowledge:
    """The customer's knowledge for one conversation (see the module docstring).

    Attributes:
        known: slot key -> exact value the customer may state.
        unknown: items the customer does not know.
    """

    known: dict[str, str]
    unknown: tuple[str, ...]

    @classmethod
    def build(
        cls,
        persona: Persona,
        scenario: Scenario,
        name: str | None = None,
        facts: dict[str, str] | None = None,
    ) -> EffectiveKnowledge:
        """Merge persona and scenario knowledge by the rules in the module docstring.

        Args:
            persona: who the customer is.
            scenario: what the call is about.
            name: the customer's full name drawn for this conversation; replaces the persona's
                name fact (the scenario's name, when it fixes one, still wins).
            facts: the persona's facts with values drawn for this conversation
                (``identity.draw_facts``); None keeps the persona's own values.
        """
        goal = scenario.goal
        persona_facts = persona.knowledge.knows if facts is None else facts
        persona_known = {
            k: v
            for k, v in persona_facts.items()
            if not any(_same(i, k) for i in [*persona.knowledge.doesnt_know, *goal.unknown_info])
            and scenario_uses(k, scenario)
            and not (name and canonical_slot(k) == "name")
        }
        scenario_known = {
            k: v
            for k, v in goal.known_info.items()
            if not any(_same(i, k) for i in goal.unknown_info)
        }
        # A scenario fact replaces a persona fact about the same slot (``zip`` vs ``zip_code``).
        persona_known = {
            k: v for k, v in persona_known.items() if not any(_same(k, s) for s in scenario_known)
        }
        known = {**scenario_known, **persona_known}
        unknown = [i for i in goal.unknown_info]
        for item in persona.knowledge.doesnt_know:
            if not any(_same(item, k) for k in scenario_known) and item not in unknown:
                unknown.append(item)
        has_name = any(canonical_slot(k) == "name" for k in known)
        name_unknown = any(canonical_slot(i) == "name" for i in unknown)
        if (name or persona.name) and not has_name and not name_unknown:
            known["name"] = name or persona.name
        return cls(known=known, unknown=tuple(unknown))

    def keys(self) -> tuple[str, ...]:
        """Keys to listen for in agent turns: known facts, unknown items, then every other slot.

        Slots that are neither known nor listed unknown are included so that a request for them
        is recognised and answered with "I don't know".
        """
        covered = {canonical_slot(k) for k in (*self.known, *self.unknown)}
        others = tuple(s for s in SLOT_SYNONYMS if s not in covered)
        return (*self.known, *self.unknown, *others)

    def answer(self, key: str) -> DialogueAct:
        """Return ``inform(key=value)`` for a known fact, else ``dont_know(key)``."""
        if key in self.known:
            return DialogueAct(type=ActType.inform, slot=key, value=self.known[key])
        return DialogueAct(type=ActType.dont_know, slot=key)


@dataclass
class Agenda:
    """The acts the customer still means to perform.

    Args:
        scenario: gives the objections and off-topic questions.
        tendency: the persona's off-topic tendency (0-1): chance per turn of wandering off.

    Attributes:
        goal_stated: the customer has stated its goal.
        objections: objection lines not yet raised, in scenario order.
        off_topic: off-topic questions left to ask (scenario's, or None for generic ones).
        off_topic_budget: how many off-topic turns are left (1, or 2 when tendency > 0.5).
        closing: the customer has begun to close (said no to "anything else?").
        resolved: the agent has said the issue is resolved.
    """

    scenario: Scenario
    tendency: float
    goal_stated: bool = False
    objections: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)
    off_topic_budget: int = 1
    closing: bool = False
    resolved: bool = False

    def __post_init__(self) -> None:
        self.objections = list(self.scenario.objections)
        self.off_topic = list(self.scenario.off_topic_questions)
        self.off_topic_budget = 2 if self.tendency > 0.5 else 1
        if self.tendency <= 0.0:
            self.off_topic_budget = 0

    def pending(self) -> list[DialogueAct]:
        """Return the acts still on the agenda, next first (for display and debugging).

        Informs are not listed: they are performed when the agent asks.
        """
        acts: list[DialogueAct] = []
        if not self.goal_stated:
            acts.append(DialogueAct(type=ActType.state_goal))
        acts.extend(DialogueAct(type=ActType.object, value=line) for line in self.objections)
        acts.extend(DialogueAct(type=ActType.off_topic) for _ in range(self.off_topic_budget))
        if not self.closing:
            acts += [DialogueAct(type=ActType.thank), DialogueAct(type=ActType.bye)]
        return acts

    def wander(self, rng: random.Random, turn: int) -> bool:
        """Decide whether this turn goes off-topic (never on the first two turns or when closing).

        Consumes a random draw only when wandering is possible, so personas without the
        tendency keep the same random stream as before.
        """
        if self.off_topic_budget <= 0 or turn < 3 or self.closing:
            return False
        if rng.random() < self.tendency:
            self.off_topic_budget -= 1
            return True
        return False

    def off_topic_line(self, rng: random.Random) -> str | None:
        """Return the next scenario off-topic question, or None to use a generic one."""
        if not self.off_topic:
            return None
        return self.off_topic.pop(rng.randrange(len(self.off_topic)))

    def objection(self, rng: random.Random, chance: float, agent_text: str) -> str | None:
        """With ``chance``, return an objection whose trigger fits the agent's turn.

        An objection fits when it shares a content word with ``agent_text``
        (``rules.objection_fits``); each is raised once. No random draw is taken when none fits.
        """
        if self.closing:
            return None
        fitting = [line for line in self.objections if objection_fits(line, agent_text)]
        if fitting and rng.random() < chance:
            self.objections.remove(fitting[0])
            return fitting[0]
        return None
