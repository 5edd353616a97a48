"""Replies of the offline simulator that depend on what it said before: rephrasing after a
fallback, and answering a yes/no question about a slot.

``RepliesMixin`` is mixed into ``OfflineSimulator``; it reads the simulator's state (declared
below) and adds acts and sentences to the turn being planned.
"""

from __future__ import annotations

import random
import re

from understudy.domain.transcript import ActType, DialogueAct
from understudy.simulators.offline.agenda import Agenda, EffectiveKnowledge
from understudy.simulators.offline.plan import VALUEISH, OfflineOptions, TurnPlan
from understudy.simulators.offline.rules import offer_fits_goal, remedies
from understudy.simulators.offline.understanding import AgentReading, ConversationTracker
from understudy.simulators.offline.wording import Wording

_REASON = re.compile(r"\b(reason|why (you are|you're) calling|what you (need|want))\b", re.I)
"""An agent asking to repeat the reason for the call wants the goal, not the last facts."""


class RepliesMixin:
    """Rephrasing and confirmation replies (see the module docstring)."""

    wording: Wording
    knowledge: EffectiveKnowledge
    agenda: Agenda
    options: OfflineOptions
    tracker: ConversationTracker
    rng: random.Random
    last_acts: list[DialogueAct]
    _agent_text: str
    _answered: bool
    """The customer's last turn answered a request of the agent's (for a request to repeat)."""

    def _rephrase(self, plan: TurnPlan, reading: AgentReading) -> None:
        """After a fallback or a request to repeat, say the last turn's main act in other words.

        The goal is restated when the agent asks its opening question again ("What can I help
        you with?") or when the last turn stated the goal; facts are given again when the last
        turn gave facts. Asked to repeat ("can you repeat that please"), the customer says again
        the facts it gave in answer to a request, or else its goal (always its goal when the
        agent asks for the reason of the call); a yes or a no is repeated; anything else restates
        the goal.
        """
        wording, last = self.wording, {a.type for a in self.last_acts}
        informed = [a for a in self.last_acts if a.type is ActType.inform and a.slot]
        goal = reading.greeting or last & {ActType.state_goal, ActType.off_topic} or not last
        if reading.repeat:  # the facts the agent had asked for, unless it asks for the reason
            goal = bool(_REASON.search(self._agent_text)) or (goal and not self._answered)
        if goal:
            self._restate_goal(plan)
        elif informed:
            for act in informed:
                plan.acts.append(act)
                wording.inform(plan.utt, act.slot or "", act.value or "")
        elif last & {ActType.dont_know}:
            for act in self.last_acts:
                if act.type is ActType.dont_know:
                    plan.acts.append(act)
                    wording.dont_know(plan.utt, act.slot or "")
        elif last & {ActType.affirm, ActType.negate}:
            kind = ActType.affirm if ActType.affirm in last else ActType.negate
            plan.act(kind)
            wording.line(plan.utt, wording.pick(kind.value))
        else:
            self._restate_goal(plan)

    def _restate_goal(self, plan: TurnPlan) -> None:
        """Restate the goal, in other words than before when the bank allows."""
        plan.act(ActType.state_goal)
        self.wording.goal(plan.utt, opening=False, restate=True, fresh=True)

    def _offer(self, plan: TurnPlan) -> None:
        """Accept an offer that meets the goal, refuse one that does not (``rules``)."""
        wording, goal = self.wording, self.agenda.scenario.goal
        goal_text = f"{goal.reason_for_call} {(goal.intent or '').replace('_', ' ')}"
        if offer_fits_goal(self._agent_text, goal_text):
            plan.act(ActType.affirm)
            wording.line(plan.utt, wording.pick("accept"))
            return
        plan.act(ActType.negate)
        plan.declined = True
        wording.line(plan.utt, wording.pick("decline"))
        objection = self.agenda.objection(self.rng, self.options.objection_chance, self._agent_text)
        if objection:
            plan.act(ActType.object)
            wording.line(plan.utt, objection)
        elif remedies(goal_text):
            plan.act(ActType.state_goal)
            wording.goal(plan.utt, opening=False, restate=True)

    def _confirm(self, plan: TurnPlan, reading: AgentReading) -> None:
        wording = self.wording
        text_values = set(VALUEISH.findall(self._agent_text))
        if reading.offer:
            plan.act(ActType.negate)
            plan.declined = True
            wording.line(plan.utt, wording.pick("decline"))
            objection = self.agenda.objection(
                self.rng, self.options.objection_chance, self._agent_text
            )
            if objection:
                plan.act(ActType.object)
                wording.line(plan.utt, objection)
            return
        for key in reading.confirming:  # a slot only mentioned in a statement is not asked
            act = self.knowledge.answer(key)
            if act.type is ActType.dont_know:
                plan.acts.append(act)
                wording.dont_know(plan.utt, key)
                return
            value = act.value or ""
            wrong = [v for v in text_values if v not in value]
            if wrong and value not in self._agent_text:
                plan.act(ActType.negate)
                wording.line(plan.utt, wording.pick("negate"))
                plan.acts.append(act)
                wording.inform(plan.utt, key, value, after_negate=True)
                return
            plan.act(ActType.affirm)
            wording.line(plan.utt, wording.pick("affirm"))
            if value not in self._agent_text and key not in self.tracker.informed:
                plan.acts.append(act)
                wording.inform(plan.utt, key, value)
            return
        objection = self.agenda.objection(self.rng, self.options.objection_chance, self._agent_text)
        if objection:
            plan.act(ActType.object)
            wording.line(plan.utt, objection)
        else:
            plan.act(ActType.affirm)
            wording.line(plan.utt, wording.pick("affirm"))
