"""The LLM user simulator: a model improvises the customer's lines, within the persona's limits.

It shares the persona, the scenario and the mood model (:mod:`understudy.simulators.mood`,
driven by :mod:`understudy.simulators.offline.understanding`) with the offline simulator; only
the wording comes from a model. Per customer turn:

1. the agent's last turn is read and moves the mood; when patience runs out, or the agent has
   re-prompted more times in a row than the persona sits through (``reprompt_limit``, the
   offline simulator's rule), the model is told to leave, and the turn ends the call with
   ``customer_left`` whatever it writes;
2. the offline simulator's reaction rules (:mod:`understudy.simulators.offline.rules`) become a
   one-turn direction: do not agree with blame, accept an offer that meets the goal and refuse
   one that does not; a line that still opens by agreeing with blame is rewritten to a "no";
   the knowledge rules are the offline simulator's too (a persona's case facts stay out of
   scenarios that do not use them, so stating one is a boundary violation);
3. with the persona's ``off_topic_tendency`` (seeded chance), the model is told to wander
   off-topic with one of the scenario's ``off_topic_questions``;
4. the model writes the line (roles reversed: see :mod:`understudy.llm.prompts`); the scenario's
   scripted ``opening_line``, when set, is used verbatim instead of a first call;
5. the knowledge boundary (:mod:`understudy.llm.boundary`) is checked: a line stating a value the
   customer does not know is regenerated (at most ``max_regenerations`` times) with a correction,
   then repaired by dropping the offending sentences; each such line counts once in
   ``boundary_repairs`` and in the run's usage (``repairs``);
6. an end signal ``[END reason]`` ends the call and is removed from the text. The customer can
   leave (``[END customer_left]``) or ask for a human (``[END escalated]``), but it cannot declare
   its own success: completion must come from the agent. So ``[END goal_met]`` (or ``done``)
   counts as ``goal_met`` only when an agent turn of the conversation has signalled a resolution
   (the offline simulator's reading of the agent, e.g. "your refund has been issued"); otherwise,
   and for a bare ``[END]`` or an unknown reason, the call ends as ``customer_left``, with a detail
   that says why. A scenario's exit conditions and the agent's own ending are unaffected;
7. the noise layer (:mod:`understudy.simulators.offline.noise`, typos by
   ``behaviour.typo_rate``) is applied last, never touching the values the line informs.

Each model call carries a seed drawn from the conversation's seeded generator, so the replay cache
(:mod:`understudy.llm.cache`) replays a batch exactly.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any

from pydantic import Field

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.domain.transcript import ActType, DialogueAct, Role, TerminationReason
from understudy.engine.seams import ConversationState, CustomerTurn, UserSimulator
from understudy.llm import require_llm
from understudy.llm.boundary import Violation, boundary_violations, repair
from understudy.llm.prompts import OPENING_CUE, customer_system_prompt, turn_direction
from understudy.registry import PluginOptions
from understudy.simulators.languages import own_line
from understudy.simulators.mood import MoodModel, MoodSignal
from understudy.simulators.offline.agenda import EffectiveKnowledge
from understudy.simulators.offline.noise import add_noise
from understudy.simulators.offline.rules import offer_fits_goal
from understudy.simulators.offline.understanding import (
    AgentReading,
    ConversationTracker,
    read_agent_turn,
    reprompt_limit,
)

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from understudy.llm.managed import ManagedModel
    from understudy.llm.run import LLMRun

_END = re.compile(r"\[\s*END(?:[\s:_-]+([A-Za-z_]+))?\s*\]", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(customer|me|user)\s*:\s*", re.IGNORECASE)
_DONT_KNOW = re.compile(
    r"\b(don'?t (know|have)|do not (know|have)|not sure|no idea|can'?t find)\b", re.IGNORECASE
)
_THANKS = re.compile(r"\b(thanks|thank you|cheers)\b", re.IGNORECASE)
_DECLINE = re.compile(r"\b(no thanks|no, thanks|not interested|no thank you)\b", re.IGNORECASE)
_REASONS = {
    "goal_met": TerminationReason.goal_met,
    "done": TerminationReason.goal_met,
    "customer_left": TerminationReason.customer_left,
    "left": TerminationReason.customer_left,
    "escalated": TerminationReason.escalated,
    "escalate": TerminationReason.escalated,
}
APOLOGY = "Sorry, I don't have that information."
_AGREEING = re.compile(
    r"^\W*(?:yes|yeah|yep|you're right|that's right|correct|exactly|true|sí|si|tiene razón|"
    r"oui|vous avez raison|ja|sie haben recht|sim|tem razão|ha ragione|klopt)(?!\w)[\s,.!]*",
    re.IGNORECASE,
)


def _squash(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text).lower()


class LLMSimulatorOptions(PluginOptions):
    """Options of the LLM user simulator (see ``LLMSimulator`` for each one)."""

    model: str | None = None
    run: Any = None
    llm_model: Any = None
    temperature: float = Field(default=0.8, ge=0.0, le=2.0)
    max_regenerations: int = Field(default=2, ge=0)
    max_tokens: int = Field(default=300, ge=1)


class LLMSimulator(UserSimulator):
    """A model-written customer for one conversation.

    Args:
        persona: who the customer is.
        scenario: what the call is about.
        rng: the conversation's seeded generator (off-topic chance, per-call seeds).
        model: ``provider:model`` string; the ``llm.model`` setting when None.
        run: the run that accounts for calls (cache, budget, usage); a new one when None.
        llm_model: a ready pydantic-ai model (e.g. ``TestModel``/``FunctionModel`` in tests).
        temperature: sampling temperature (0..2).
        max_regenerations: regenerations of a line that breaks the knowledge boundary before it
            is repaired.
        max_tokens: output tokens per line.

    Raises:
        ConfigError: the ``llm`` extra is not installed (the message has the install command).
    """

    name = "llm"
    Options = LLMSimulatorOptions
    needs_model = True

    def __init__(
        self,
        persona: Persona,
        scenario: Scenario,
        rng: random.Random,
        *,
        model: str | None = None,
        run: LLMRun | None = None,
        llm_model: Model | None = None,
        temperature: float = 0.8,
        max_regenerations: int = 2,
        max_tokens: int = 300,
    ) -> None:
        require_llm("the LLM user simulator")
        from understudy.llm.run import LLMRun

        self.persona = persona
        self.scenario = scenario
        self.rng = rng
        self.model_name = model
        self.run = run if run is not None else LLMRun()
        self.llm_model = llm_model
        self.temperature = temperature
        self.max_regenerations = max_regenerations
        self.max_tokens = max_tokens
        self.system_prompt = customer_system_prompt(persona, scenario)
        # The offline simulator's knowledge rules: a persona's case facts stay out of scenarios
        # that do not use them, so the boundary check repairs a line that states one.
        knowledge = EffectiveKnowledge.build(persona, scenario)
        self.known = dict(knowledge.known)
        self.unknown = list(knowledge.unknown)
        self.mood = MoodModel.for_persona(persona)
        self.tracker = ConversationTracker()
        self.boundary_repairs = 0
        self.off_topic_turns = 0
        self.agent_resolved = False
        self._model: ManagedModel | None = None

    # --- the turn -----------------------------------------------------------------------------

    async def respond(self, state: ConversationState) -> CustomerTurn:
        """Return the customer's next line (see the module docstring for the steps)."""
        if self._model is None:
            self._model = self.run.model(
                self.model_name, state.conversation_id, model=self.llm_model
            )
        keys = [*self.known, *self.unknown]
        last = state.last_agent_message
        leaving = False
        extra: str | None = None
        acts: list[DialogueAct] = []
        blamed = False
        if last is not None:
            reading = read_agent_turn(last.text, keys)
            blamed = reading.blame
            extra = self._rule_direction(reading, last.text)
            self.agent_resolved = self.agent_resolved or reading.resolution
            signals = self.tracker.observe_agent(reading, last.text)
            if last.fell_back and MoodSignal.fallback not in signals:
                signals.append(MoodSignal.fallback)
                self.tracker.reprompts += 0 if reading.fallback else 1
            self.mood.update(signals)
            loop = self.tracker.reprompts > reprompt_limit(self.persona.behaviour.patience)
            if self.mood.exhausted or loop:
                leaving = True
                extra = (
                    "You have run out of patience: say you are leaving, then [END customer_left]."
                )
        first_turn = not any(m.role is Role.customer for m in state.messages)
        if first_turn and self.scenario.opening_line:
            text = self.scenario.opening_line
            acts = [DialogueAct(type=ActType.greet), DialogueAct(type=ActType.state_goal)]
        else:
            if extra is None and not first_turn and self._wanders():
                question = self.rng.choice(self.scenario.off_topic_questions)
                extra = f"For this message, wander off-topic: ask {question!r}."
                acts.append(DialogueAct(type=ActType.off_topic))
                self.off_topic_turns += 1
            text = await self._line(state, turn_direction(self.mood.mood, extra))
            if first_turn:
                acts = [DialogueAct(type=ActType.state_goal), *acts]
        text, reason, claimed = self._end_signal(text)
        if blamed and _AGREEING.match(text):
            # Never agree with blame, whatever the model wrote (the offline simulator's rule).
            rest = _AGREEING.sub("", text, count=1).lstrip(" ,.!")
            text = f"{own_line('disagree', self.persona.language)} {rest}".strip()
        if leaving:
            reason = TerminationReason.customer_left
        acts.extend(self._acts(text, reason))
        informed = [a.slot for a in acts if a.type is ActType.inform and a.slot]
        self.tracker.observe_customer(informed, "?" in text, bool(_DECLINE.search(text)))
        protected = [a.value for a in acts if a.value]
        noisy = add_noise(text, self.persona.behaviour.typo_rate, self.rng, protected)
        detail = ""
        if reason is TerminationReason.customer_left and leaving:
            detail = "the customer ran out of patience and left"
        elif reason is TerminationReason.customer_left and claimed:
            detail = (
                "the customer hung up saying the goal was met, but the agent never signalled a "
                "resolution"
            )
        elif reason is TerminationReason.customer_left and not claimed:
            detail = "the customer hung up"
        elif reason is not None:
            detail = f"the customer ended the call ({reason.value})"
        return CustomerTurn(
            text=noisy,
            clean_text=text if noisy != text else None,
            acts=acts,
            mood=self.mood.mood,
            done=reason is not None,
            termination_reason=reason,
            detail=detail,
        )

    def _rule_direction(self, reading: AgentReading, text: str) -> str | None:
        """The offline simulator's reaction rules, given to the model as a one-turn direction."""
        goal = self.scenario.goal
        if reading.blame:
            return "The agent blamed you: do not agree; push back."
        if reading.offer:
            goal_text = f"{goal.reason_for_call} {(goal.intent or '').replace('_', ' ')}"
            if offer_fits_goal(text, goal_text):
                return "The agent's offer gives you what you called for: accept it."
            return "The agent's offer is not what you called for: refuse it politely."
        return None

    def _wanders(self) -> bool:
        tendency = self.persona.behaviour.off_topic_tendency
        if not self.scenario.off_topic_questions or tendency <= 0:
            return False
        if self.off_topic_turns and tendency <= 0.5:
            return False
        return self.rng.random() < tendency

    # --- generation and the knowledge boundary -------------------------------------------------

    async def _line(self, state: ConversationState, direction: str) -> str:
        from pydantic_ai.direct import model_request

        from understudy.llm.history import customer_view, response_text

        assert self._model is not None
        heard = [m.text for m in state.messages if m.role is Role.agent]
        correction: str | None = None
        text = ""
        violations: list[Violation] = []
        for _attempt in range(self.max_regenerations + 1):
            note = direction if correction is None else f"{direction}\n{correction}"
            messages = customer_view(self.system_prompt, state.messages, OPENING_CUE, note)
            settings: dict[str, Any] = {
                "temperature": self.temperature,
                "max_tokens": self.max_tokens,
                "seed": self.rng.randrange(2**31),
            }
            response = await model_request(self._model, messages, model_settings=settings)  # type: ignore[arg-type]
            text = self._clean(response_text(response))
            violations = boundary_violations(text, self.known.values(), self.unknown, heard)
            if not violations:
                break
            stated = ", ".join(repr(v.value) for v in violations)
            correction = (
                f"[Your previous draft stated {stated}, which you do not know. Write the message "
                "again without any value you were not given; say you don't have it.]"
            )
        if violations:
            text = repair(text, violations, own_line("apology", self.persona.language))
        if correction is not None:
            self.boundary_repairs += 1
            self._model.usage.repairs += 1
            self.run.usage.repairs += 1
        return text

    @staticmethod
    def _clean(text: str) -> str:
        text = _LABEL.sub("", text).strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1].strip()
        return text

    def _end_signal(self, text: str) -> tuple[str, TerminationReason | None, bool]:
        """Return ``(text without the signal, termination reason, success claimed)``.

        See step 5 of the module docstring: a claimed ``goal_met`` stands only after the agent
        signalled a resolution; anything else unclaimed is ``customer_left``.
        """
        match = _END.search(text)
        if match is None:
            return text, None, False
        word = (match.group(1) or "").lower()
        reason = _REASONS.get(word, TerminationReason.customer_left)
        claimed = reason is TerminationReason.goal_met
        if claimed and not self.agent_resolved:
            reason = TerminationReason.customer_left
        stripped = _END.sub("", text).strip()
        return stripped or "Goodbye.", reason, claimed

    def _acts(self, text: str, reason: TerminationReason | None) -> list[DialogueAct]:
        squashed = _squash(text)
        acts = [
            DialogueAct(type=ActType.inform, slot=key, value=value)
            for key, value in self.known.items()
            if value and _squash(value) in squashed
        ]
        if _DONT_KNOW.search(text):
            acts.append(DialogueAct(type=ActType.dont_know))
        if _THANKS.search(text):
            acts.append(DialogueAct(type=ActType.thank))
        if reason is TerminationReason.escalated:
            acts.append(DialogueAct(type=ActType.escalate))
        elif reason is TerminationReason.customer_left:
            acts.append(DialogueAct(type=ActType.leave))
        elif reason is not None:
            acts.append(DialogueAct(type=ActType.bye))
        return acts
