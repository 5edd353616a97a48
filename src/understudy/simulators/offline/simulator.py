"""The offline user simulator: an agenda-based customer with no LLM and no network.

Per turn it reads the agent's last message (``understanding``), moves its mood (``mood``),
decides its dialogue acts (this module), words them in the persona's voice (``wording``) and, for
typo-prone personas, adds typing noise (``noise``). The only source of chance is the injected
``random.Random``, so the same persona, scenario, agent and seed give the same conversation,
character for character.

It opens with the scenario's ``opening_line`` word for word when one is set (typing noise still
applies for typo-prone personas), otherwise with a generated statement of its goal. After a
fallback it says its last act again in other words (the goal when the agent asks its opening
question again or the last turn stated the goal; the same facts when it gave facts).

How it ends, as the customer:

* patience runs out, or the agent re-prompts more times in a row than the persona sits through
  (``reprompt_limit``: 3 impatient, 5 calm) -> a ``leave`` act, done with ``customer_left``;
* it asked for a human (when angry) and the agent hands over -> done with ``escalated``;
* the scenario's scripted beats ("At the end, ask whether...") are said at their moment
  (``beats``): before answering "anything else?" or a goodbye, or, for untimed ones, on the
  first turn in which the agent asks for nothing;
* blame is never agreed with (``rules.blames``): the customer pushes back; an offer is
  accepted when it meets the goal and refused when it does not (``rules.offer_fits_goal``);
  an objection is raised only when the agent's turn touches it (``rules.objection_fits``);
* the agent has said the issue is resolved and then closes ("goodbye", "have a nice day") and the
  scenario has no exit conditions -> thanks and goodbye, done with ``goal_met``. With exit
  conditions the customer leaves the verdict to them (and keeps talking).

Its own story (``backstory``): the backstory's sentences about the case and about earlier
contacts are told in the first person, in the opening (with a chance), when the agent asks what
happened, and on a complaint. Personality words (``temperament``) fill the behaviour numbers the
persona leaves unset; an impatient customer's asides are terse, a sceptical one asks for proof of
a resolution once.

Otherwise it never ends the call itself: on "anything else?" it answers "no, thanks" with
``negate``, ``thank`` and ``bye`` acts and lets the agent (or the engine's limits) end it, since
in a stress test it is the agent's flow that reports completion.
"""

from __future__ import annotations

import random
import re
from typing import Any

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ActType, DialogueAct, Role, TerminationReason
from understudy.engine.seams import ConversationState, CustomerTurn, UserSimulator
from understudy.simulators.languages import primary, require_language
from understudy.simulators.mood import MoodModel
from understudy.simulators.offline.agenda import Agenda, EffectiveKnowledge
from understudy.simulators.offline.backstory import (
    ASKS_STORY,
    StoryLine,
    StoryTeller,
    story_lines,
)
from understudy.simulators.offline.beats import scenario_beats
from understudy.simulators.offline.identity import conversation_identity
from understudy.simulators.offline.noise import add_noise
from understudy.simulators.offline.plan import (
    ASKING_ACTS,
    EITHER,
    ENDING_ACTS,
    SOCIAL_ACTS,
    OfflineOptions,
    TurnPlan,
)
from understudy.simulators.offline.replies import RepliesMixin
from understudy.simulators.offline.rules import content_words as _content_words
from understudy.simulators.offline.slots import canonical_slot
from understudy.simulators.offline.temperament import Temperament
from understudy.simulators.offline.understanding import (
    AgentReading,
    ConversationTracker,
    read_agent_turn,
    reprompt_limit,
)
from understudy.simulators.offline.wording import Wording

_GREETING_START = re.compile(
    r"^\W*(hi|hello|hey|hiya|good (morning|afternoon|evening|day)|greetings)\b", re.IGNORECASE
)


STORY_OPENING_CHAT = 0.6
"""Chance that a chat opening also tells the backstory's case ("my card was charged $42.99
twice"); otherwise it comes when the agent asks what happened."""
STORY_OPENING_VOICE = 0.3
"""The same in a voice call, where callers state the goal first and the details when asked."""


class OfflineSimulator(RepliesMixin, UserSimulator):
    """Plays the customer with an agenda, a mood model and a phrasing bank.

    Args:
        persona: who the customer is.
        scenario: what the call is about.
        rng: the conversation's seeded random generator, the only source of chance.
        **options: ``OfflineOptions`` fields.

    Raises:
        pydantic.ValidationError: an unknown or invalid option.
        ConfigError: the persona's language is not English (``simulators.languages``).
    """

    name = "offline"
    Options = OfflineOptions
    simulated_time = True
    languages = ("en",)  # every phrase list is English: other languages are refused

    @classmethod
    def prepare_batch(cls, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Take the phrasing bank once for a batch (built-in plus installed banks).

        Returns:
            The options with ``bank`` added (unless given), and what the run records:
            ``{"phrasing_banks": [...], "phrasing_hash": ...}`` (None when a bank was given).
        """
        if "bank" in options:
            return options, None
        from understudy.simulators.offline.bank import phrasing_snapshot

        bank, info = phrasing_snapshot()
        return {**options, "bank": bank}, info

    def __init__(
        self, persona: Persona, scenario: Scenario, rng: random.Random, **options: Any
    ) -> None:
        if primary(persona.language) not in self.languages:  # never play it in English
            require_language(self.name, persona)
        self.options = OfflineOptions(**options)
        # Personality words fill the behaviour numbers the persona leaves unset (``temperament``).
        self.temperament = Temperament.of(persona)
        persona = self.temperament.persona
        self.persona = persona
        self.scenario = scenario
        self.rng = rng
        # Who this caller is, from a generator seeded by the conversation's (without drawing from
        # it: the rest of the conversation's stream stays as it was).
        self.identity = conversation_identity(persona, rng)
        self.customer_name = self.identity.name
        self.knowledge = EffectiveKnowledge.build(
            persona, scenario, self.customer_name, self.identity.facts
        )
        self.keys = self.knowledge.keys()
        self.mood = MoodModel.for_persona(persona)
        self.tracker = ConversationTracker()
        self.agenda = Agenda(scenario, persona.behaviour.off_topic_tendency)
        self.beats = scenario_beats(scenario)
        self.wording = Wording(persona, scenario, rng, self.knowledge.known, bank=self.options.bank)
        terse = self.wording.style.key == "terse"
        self.story = StoryTeller(story_lines(persona, self.knowledge.known, scenario, terse=terse))
        self.turn = 0
        self.asked_human = False
        self.asked_proof = False
        self.last_acts: list[DialogueAct] = []
        self.pending_return = False
        self._agent_text = ""
        self._heard = ""
        self._answered = False

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Return the customer's next turn (see the module docstring)."""
        return self.step(state)

    def step(self, state: ConversationState) -> CustomerTurn:
        """Synchronous body of ``respond`` (pure computation, no I/O)."""
        self.turn += 1
        agent = None
        if state.messages and state.messages[-1].role is Role.agent:
            agent = state.messages[-1].text
        self._agent_text = agent or ""
        self._heard = f"{self._heard} {self._agent_text}"
        plan = TurnPlan()
        if agent is None:
            self._open(plan)
        else:
            reading = read_agent_turn(agent, self.keys)
            self.mood.update(self.tracker.observe_agent(reading, agent))
            self._react(plan, reading, agent)
            self._answered = bool(reading.requested or reading.open_request) and not reading.repeat
        return self._finish(plan)

    # -- deciding ------------------------------------------------------------------------------

    def _open(self, plan: TurnPlan) -> None:
        line = self.scenario.opening_line.strip()
        if line:
            # The scenario's scripted line, word for word (typing noise still applies).
            plan.utt.verbatim = line
            if _GREETING_START.match(line):
                plan.act(ActType.greet)
            plan.act(ActType.state_goal)
            for key, value in self.knowledge.known.items():
                if value and value in line:
                    plan.act(ActType.inform, key, value)
        else:
            greeted = self.wording.goal(plan.utt, opening=True)
            if greeted:
                plan.act(ActType.greet)
            plan.act(ActType.state_goal)
            chance = STORY_OPENING_VOICE if self.wording.voice else STORY_OPENING_CHAT
            self._tell(plan, self.story.opening(self.rng, chance))
        self.agenda.goal_stated = True

    def _tell(self, plan: TurnPlan, line: StoryLine | None) -> bool:
        """Say a line of the backstory (``backstory``); False when there is none."""
        if line is None:
            return False
        if line.history:
            plan.act(ActType.complain)
        facts = {k: self.knowledge.known[k] for k in line.keys}
        self.wording.told(plan.utt, line.text, facts)
        return True

    def _react(self, plan: TurnPlan, reading: AgentReading, text: str) -> None:
        loop = self.tracker.reprompts > reprompt_limit(self.persona.behaviour.patience)
        if self.mood.exhausted or loop:
            plan.act(ActType.leave)
            self.wording.line(plan.utt, self.wording.pick("leave"))
            why = (
                f"the agent re-prompted {self.tracker.reprompts} times in a row"
                if loop
                else f"the customer's patience ran out after {self.turn - 1} agent turns"
            )
            plan.end(TerminationReason.customer_left, f"{why} (mood {self.mood.mood.value})")
            return
        if reading.handover and self._handover(plan, reading):
            return
        if reading.resolution:
            self.agenda.resolved = True
        ending = reading.anything_else or (reading.closing and not reading.question)
        if ending and self._beats(plan, "end"):
            return
        if reading.closing and not reading.question:
            self._closing(plan)
            return
        if reading.anything_else:
            self._no_more(plan)
            return
        if not self.agenda.goal_stated:
            self._open(plan)
            self._answer_requests(plan, reading)
            return
        if reading.blame:
            self._push_back(plan, reading)
            return
        asked = bool(reading.requested or reading.open_request)  # a question gets its answer
        if self.mood.angry and not asked and self.rng.random() < self.options.escalate_chance:
            plan.act(ActType.escalate)
            self.wording.line(plan.utt, self.wording.pick("escalate"))
            self.asked_human = True
            return
        if not reading.repeat and self.agenda.wander(self.rng, self.turn):
            plan.act(ActType.off_topic)
            if self.temperament.impatient:  # tersely, and straight back to the point
                self.wording.line(plan.utt, self.wording.pick_terse("off_topic"))
                self.wording.goal(plan.utt, opening=False, restate=True)
                plan.act(ActType.return_to_goal)
                return
            line = self.agenda.off_topic_line(self.rng) or self.wording.pick("off_topic")
            self.wording.line(plan.utt, line)
            self.pending_return = True
            return
        if self._ask_repeat(plan, reading, text):
            return
        if self.pending_return:
            plan.act(ActType.return_to_goal)
            self.wording.line(plan.utt, self.wording.pick("return_to_goal"))
            self.pending_return = False
        self._content(plan, reading)

    def _beats(self, plan: TurnPlan, moment: str) -> bool:
        """Perform the scenario's scripted beats due now (``beats``); True when one was said.

        ``soon`` beats are due on the first turn in which the agent asks for nothing; at the
        ``end`` moment (anything else?, a goodbye) every beat left is said. A beat whose
        subject the agent already brought up (two of its content words heard) is not said.
        """
        # A beat the agent has already answered unasked (two of its words heard) is dropped.
        heard = _content_words(self._heard)
        self.beats = [b for b in self.beats if len(_content_words(b.source) & heard) < 2]
        due = [b for b in self.beats if b.moment == moment or moment == "end"]
        if not due:
            return False
        for beat in due:
            self.beats.remove(beat)
            plan.act(ActType.request, value=beat.line)
            self.wording.line(plan.utt, beat.line)
        return True

    def _push_back(self, plan: TurnPlan, reading: AgentReading) -> None:
        """Never agree with blame: push back, sharply when frustrated or angry."""
        upset = self.mood.mood.value in ("frustrated", "angry")
        plan.act(ActType.negate)
        plan.act(ActType.complain)
        self.wording.line(plan.utt, self.wording.pick("push_back_upset" if upset else "push_back"))
        if upset:  # "I've already called twice"
            self._tell(plan, self.story.next(history=True))
        if reading.requested:
            self._answer_requests(plan, reading)

    def _handover(self, plan: TurnPlan, reading: AgentReading) -> bool:
        wants = self.asked_human or self.mood.angry
        if reading.question and not wants:
            plan.act(ActType.negate)
            plan.declined = True
            self.wording.line(plan.utt, self.wording.pick("decline"))
            self.wording.goal(plan.utt, opening=False, restate=True)
            plan.act(ActType.state_goal)
            return True
        if reading.question:
            plan.act(ActType.affirm)
            self.wording.line(plan.utt, self.wording.pick("affirm"))
        else:
            plan.act(ActType.thank)
            self.wording.thank(plan.utt)
        plan.end(TerminationReason.escalated, "the agent handed the customer over to a human")
        return True

    def _closing(self, plan: TurnPlan) -> None:
        plan.act(ActType.thank)
        plan.act(ActType.bye)
        if not self.wording.voice:  # a caller answers "have a great day" with "you too bye"
            self.wording.thank(plan.utt)
        self.wording.line(plan.utt, self.wording.pick("bye"))
        self.agenda.closing = True
        if self.agenda.resolved and not self.scenario.exit_conditions:
            plan.end(
                TerminationReason.goal_met,
                "the agent resolved the request and closed the conversation",
            )

    def _no_more(self, plan: TurnPlan) -> None:
        plan.act(ActType.negate)
        plan.act(ActType.thank)
        plan.act(ActType.bye)
        self.wording.no_more(plan.utt)
        self.agenda.closing = True
        if self.wording.voice:  # "no thank you"; the goodbye comes after the agent's
            return
        if not plan.utt.sentences[-1].lower().count("thank"):
            self.wording.thank(plan.utt)
        self.wording.line(plan.utt, self.wording.pick("bye"))

    def _ask_repeat(self, plan: TurnPlan, reading: AgentReading, text: str) -> bool:
        level = self.persona.behaviour.non_native_level
        # A caller hears short spoken questions; Harper Valley callers ask to repeat on about
        # one data question in a hundred, so in voice only long turns (12 words or more) are.
        shortest = 12 if self.wording.voice else 6
        if level <= 0 or not reading.question or len(text.split()) < shortest:
            return False
        if self.wording.voice and any(k in self.knowledge.known for k in reading.requested):
            # On the phone the word of a fact it knows ("...what is the transfer amount") is
            # caught even in a long turn: it answers, and asks again only when it heard none.
            return False
        if any(a.type is ActType.ask_repeat for a in self.last_acts):
            return False
        if self.rng.random() >= level * self.options.ask_repeat_scale:
            return False
        plan.act(ActType.ask_repeat)
        self.wording.line(plan.utt, self.wording.pick("ask_repeat"))
        return True

    def _answer_requests(self, plan: TurnPlan, reading: AgentReading) -> None:
        answers = [self.knowledge.answer(key) for key in reading.requested]
        if EITHER.search(self._agent_text) and any(a.type is ActType.inform for a in answers):
            # "your name or account ID?": one known alternative is enough.
            answers = [a for a in answers if a.type is ActType.inform]
        for act in answers:
            key = act.slot or ""
            plan.acts.append(act)
            if act.type is ActType.inform and act.value is not None:
                self.wording.inform(plan.utt, key, act.value)
            else:
                self.wording.dont_know(plan.utt, key)

    def _answer_open(self, plan: TurnPlan) -> bool:
        """Answer a what/which question that names no slot with the fact that fits it best.

        The best fact is one not given yet whose slot words occur in the agent's turn, else the
        first not given yet in the scenario's order (never the name, which a caller gives when
        asked for it). Returns False when there is none left.
        """
        words = set(re.findall(r"[a-z]+", self._agent_text.lower()))
        left = [
            k
            for k in self.scenario.goal.known_info
            if k in self.knowledge.known
            and k not in self.tracker.informed
            and canonical_slot(k) != "name"
        ]
        if not left:
            return False
        fits = [k for k in left if set(re.findall(r"[a-z]+", k.lower())) & words]
        key = (fits or left)[0]
        plan.act(ActType.inform, key, self.knowledge.known[key])
        self.wording.inform(plan.utt, key, self.knowledge.known[key])
        return True

    def _content(self, plan: TurnPlan, reading: AgentReading) -> None:
        wording = self.wording
        if reading.fallback:
            if self.mood.mood.value in ("frustrated", "angry") and self.rng.random() < 0.5:
                plan.act(ActType.complain)
                wording.line(plan.utt, wording.pick("complain"))
                self._tell(plan, self.story.next(history=True))
            if reading.requested:  # "Sorry, I didn't catch that. What is your zip code?"
                self._answer_requests(plan, reading)
                return
            self._rephrase(plan, reading)
            return
        if reading.offer and not reading.requested:
            self._offer(plan)
            return
        if reading.requested:
            self._answer_requests(plan, reading)
            return
        if reading.repeat:  # "can you repeat that please": the last turn again, in other words
            self._rephrase(plan, reading)
            return
        if ASKS_STORY.search(self._agent_text) and self._tell(plan, self.story.next()):
            return  # "can you tell me what happened?": the next part of its own story
        if reading.open_request and self._answer_open(plan):
            return
        if reading.confirmation:
            self._confirm(plan, reading)
            return
        if reading.greeting:
            plan.act(ActType.state_goal)
            wording.goal(plan.utt, opening=False, restate=self.turn > 2)
            self._tell(plan, self.story.next(history=False))
            return
        told = [k for k in reading.mentioned if k in self.scenario.goal.unknown_info]
        if told and not reading.question:  # "the branch hours are nine thirty to five"
            plan.act(ActType.thank)
            wording.thank(plan.utt)
            return
        if (reading.resolution or reading.progress or reading.empathy) and self._beats(
            plan, "soon"
        ):
            return
        if reading.resolution or reading.progress or reading.empathy:
            objection = self.agenda.objection(
                self.rng, self.options.objection_chance, self._agent_text
            )
            if objection and not reading.resolution:
                plan.act(ActType.object)
                wording.line(plan.utt, objection)
            elif reading.resolution and self.temperament.sceptical and not self.asked_proof:
                self.asked_proof = True  # "can you send me a confirmation of that?"
                plan.act(ActType.request)
                wording.line(plan.utt, wording.pick("ask_proof"))
            elif reading.resolution:
                plan.act(ActType.thank)
                wording.thank(plan.utt)
            else:
                plan.act(ActType.other)
                wording.line(plan.utt, wording.pick("other"))
            if self.rng.random() < self.persona.behaviour.reassurance_seeking:
                plan.act(ActType.reassurance)
                wording.line(plan.utt, wording.pick("reassurance"))
            return
        objection = self.agenda.objection(self.rng, self.options.objection_chance, self._agent_text)
        if objection:
            plan.act(ActType.object)
            wording.line(plan.utt, objection)
            return
        if wording.voice and not reading.question and self.tracker.stalled < 3:
            # A caller told something acknowledges it ("okay", "alright thank you").
            plan.act(ActType.other)
            wording.line(plan.utt, wording.pick("other"))
            return
        plan.act(ActType.return_to_goal)
        if self.rng.random() < 0.5:
            wording.line(plan.utt, wording.pick("urge"))
        else:
            wording.goal(plan.utt, opening=False, restate=True)

    # -- wording -------------------------------------------------------------------------------

    def _finish(self, plan: TurnPlan) -> CustomerTurn:
        for key, value in zip(plan.utt.keys, plan.utt.values, strict=True):
            if not any(a.type is ActType.inform and a.slot == key for a in plan.acts):
                plan.act(ActType.inform, key, value)
        kinds = {a.type for a in plan.acts}
        endings = bool(kinds & ENDING_ACTS) and not kinds & SOCIAL_ACTS
        chatty = not plan.done and ActType.bye not in kinds  # no asides in a goodbye
        clean = self.wording.finish(plan.utt, extras=chatty, endings=endings)
        rate = 0.0 if self.wording.voice else self.persona.behaviour.typo_rate  # nothing typed
        protected = [*plan.utt.values, *(a.value for a in plan.acts if a.value)]
        text = add_noise(clean, rate, self.rng, protected) if rate > 0 else clean
        if not text.strip():
            text = clean = "..."
        informed = [a.slot for a in plan.acts if a.type is ActType.inform and a.slot]
        asked = any(a.type in ASKING_ACTS for a in plan.acts)
        self.tracker.observe_customer(informed, asked, plan.declined)
        self.last_acts = plan.acts
        return CustomerTurn(
            text=text,
            clean_text=clean,
            acts=plan.acts,
            mood=self.mood.mood,
            done=plan.done,
            termination_reason=plan.reason,
            detail=plan.detail,
        )
