"""Read an agent's turn from its text alone, the way a customer would.

A black-box bot gives nothing but text, so every user simulator reads the same thing: which facts
the agent asks for (slot requests, through slot-name synonyms such as "order number" for
``order_id``), whether it asks a yes/no question, falls back ("sorry, I didn't get that"), shows
empathy, reports progress or a resolution, asks "anything else?", closes, hands over to a human, or
pushes an offer. ``read_agent_turn`` does this with precompiled regular expressions (cheap enough
for thousands of conversations a second); ``ConversationTracker`` adds what needs the history (a
question asked again, a customer question ignored, slow progress) and turns both into mood signals.

The cue patterns live in ``cues``. Where a dialogue-act model trained on real bank calls
(``agent_acts``) beat the cues on held-apart calls, its acts are added to theirs: a clause the
model hears as a request for information, with no slot the customer knows named in it, is an
open request the customer answers with the fact that fits best; a heard goodbye is a closing, a
heard "bear with me" is progress. A sentence is a request for a slot only when it asks: a
question, or an imperative or request ("please give me", "can you tell me", "what is", "may I
have", "I need your"); a statement that merely names a slot is not a request for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from understudy.simulators.mood import MoodSignal
from understudy.simulators.offline import cues
from understudy.simulators.offline.agent_acts import AgentActModel, agent_act_model
from understudy.simulators.offline.rules import blames
from understudy.simulators.offline.slots import (
    SLOT_SYNONYMS,
    SlotMatcher,
    canonical_slot,
    slot_label,
    slot_matcher,
    slot_phrases,
)

__all__ = [
    "SLOT_SYNONYMS",
    "AgentReading",
    "ConversationTracker",
    "SlotMatcher",
    "canonical_slot",
    "cue_acts",
    "read_agent_turn",
    "reprompt_limit",
    "slot_label",
    "slot_matcher",
    "slot_phrases",
]


@dataclass(frozen=True)
class AgentReading:
    """What a customer understands from one agent turn.

    Attributes:
        requested: keys (known slots or unknown items) the agent asks the customer for.
        mentioned: every key the turn mentions (also in statements or yes/no questions).
        question: the turn asks something.
        confirmation: the turn asks a yes/no question (not a request for a fact).
        fallback: the agent did not understand ("sorry, I didn't get that").
        empathy: the agent acknowledges the customer's feelings.
        progress: the agent is acting on the request ("let me check", "I found your order").
        resolution: the agent says the issue is resolved ("your refund has been issued").
        anything_else: the agent asks whether there is anything else.
        closing: the agent says goodbye.
        handover: the agent mentions handing over to a human.
        greeting: the agent opens with "how can I help?".
        offer: the agent offers something extra (cross-sell, upgrade).
        pushy: the offer is pressing ("last chance", "are you sure").
        rude: the agent is rude or dismissive ("calm down", "that's not my problem", "you
            should have read the reviews", "as I already said").
        confirming: keys mentioned in the turn's yes/no questions ("Is your order number
            ORD-1?"); a slot mentioned only in a statement is not among them.
        blame: the agent puts the fault on the customer (``rules.blames``); also ``rude``.
        open_request: a what/which question that names no slot ("which one would you like to
            check"); the customer answers it with the fact that fits best.
        repeat: the agent asks the customer to say again what it said ("can you repeat that
            please"), naming no slot.
    """

    requested: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()
    question: bool = False
    confirmation: bool = False
    fallback: bool = False
    empathy: bool = False
    progress: bool = False
    resolution: bool = False
    anything_else: bool = False
    closing: bool = False
    handover: bool = False
    greeting: bool = False
    offer: bool = False
    pushy: bool = False
    rude: bool = False
    confirming: tuple[str, ...] = ()
    open_request: bool = False
    blame: bool = False
    repeat: bool = False

    def signals(self) -> list[MoodSignal]:
        """Mood signals this turn gives on its own (see ``ConversationTracker`` for history)."""
        out: list[MoodSignal] = []
        if self.fallback:
            out.append(MoodSignal.fallback)
        if self.pushy:
            out.append(MoodSignal.pushy)
        if self.rude:
            out.append(MoodSignal.rude)
        if self.empathy:
            out.append(MoodSignal.empathy)
        if self.resolution:
            out.append(MoodSignal.resolution)
        elif self.progress:
            out.append(MoodSignal.progress)
        return out


def read_agent_turn(
    text: str,
    keys: Sequence[str] = (),
    use_model: bool = True,
    model: AgentActModel | None = None,
) -> AgentReading:
    """Classify an agent turn from its text (cached: bots repeat their lines across a batch).

    Args:
        text: the agent's message.
        keys: slot keys and unknown items the customer cares about (known facts first); the
            reading reports which of them the agent asks for.
        use_model: add the acts of the trained recogniser (``agent_acts``) where it is used;
            False gives the hand-written cues alone (to measure them).
        model: a recogniser to use instead of the shipped one (training and its tests).

    Returns:
        The reading. A sentence is a request for a slot when it mentions the slot and asks
        (question mark, "what", "could you", "please provide"...), unless it is a yes/no
        question that already carries a value ("Is your order number ORD-1?").
    """
    if not use_model:
        return _read(text, tuple(keys), None)
    return _read(text, tuple(keys), model or agent_act_model())


def cue_acts(reading: AgentReading) -> frozenset[str]:
    """The reading in the act names of ``agent_acts.ACTS`` (Harper Valley's labels).

    ``data_question``: a slot or an open request is asked for; ``confirm_data``: a yes/no
    question; ``open_question``: "how can I help" or "anything else"; ``closing``;
    ``bear_with_me``: progress.
    """
    acts = {
        "data_question": bool(reading.requested) or reading.open_request,
        "confirm_data": reading.confirmation,
        "open_question": reading.anything_else or reading.greeting,
        "closing": reading.closing,
        "bear_with_me": reading.progress,
    }
    return frozenset(act for act, heard in acts.items() if heard)


@lru_cache(maxsize=4096)
def _read(text: str, keys: tuple[str, ...], model: AgentActModel | None) -> AgentReading:
    matcher = slot_matcher(keys)
    requested: list[str] = []
    mentioned: list[str] = []
    confirming: list[str] = []
    confirmation = question = open_request = False
    heard: set[str] = set()
    for sentence in clauses(text):
        found = matcher.find(sentence)
        model_acts = model.acts_heard(sentence) if model else frozenset()
        heard.update(model_acts)
        if not found and cues.OPEN_REQUEST.search(sentence):
            open_request = True
        mentioned.extend(k for k in found if k not in mentioned)
        asks = bool(cues.ASKING.search(sentence.strip())) or asks_spoken(sentence)
        question = question or asks
        # The model hears a question asking for information that names no slot the customer
        # knows ("why is the transfer amount", "can you repeat that please"): an open request.
        # A clause that reports progress or a resolution is never one. (Taking unpunctuated
        # statements the model hears as requests, "alright and your phone number", did worse
        # than the cues in cross-validation: see scripts/train_agent_acts.py.)
        statement = cues.PROGRESS.search(sentence) or cues.RESOLUTION.search(sentence)
        asked_for = "data_question" in model_acts and asks and not statement
        spoken_yes_no = not _PUNCTUATED.search(text) and asks_spoken(sentence)
        yes_no = (sentence.rstrip().endswith("?") or spoken_yes_no) and bool(
            cues.YES_NO.search(sentence)
        )
        yes_no = yes_no and not cues.WH_START.search(sentence)
        fact_request = cues.FACT_REQUEST.search(sentence)
        if found and asks and (fact_request or not yes_no):
            requested.extend(k for k in found if k not in requested)
        elif asked_for and not found and (not yes_no or cues.REPEAT.search(sentence)):
            open_request = True
        elif yes_no:
            confirmation = True
            confirming.extend(k for k in found if k not in confirming)
    offer = bool(cues.OFFER.search(text))
    blame = blames(text)
    return AgentReading(
        requested=tuple(requested),
        mentioned=tuple(mentioned),
        question=question,
        confirmation=confirmation and not requested,
        fallback=bool(cues.FALLBACK.search(text)),
        empathy=bool(cues.EMPATHY.search(text)),
        progress=bool(cues.PROGRESS.search(text)) or "bear_with_me" in heard,
        repeat=bool(cues.REPEAT.search(text)) and not requested,
        resolution=bool(cues.RESOLUTION.search(text)),
        anything_else=bool(cues.ANYTHING_ELSE.search(text)),
        # "Thank you for calling, how can I help?" opens a call; it closes one only with a bye.
        closing=bool(cues.CLOSING.search(text))
        and not (cues.GREETING.search(text) and not _BYE.search(text)),
        handover=bool(cues.HANDOVER.search(text)),
        greeting=bool(cues.GREETING.search(text)),
        offer=offer,
        pushy=bool(cues.PUSHY.search(text)),
        rude=blame or any(cues.RUDE.search(sentence.strip()) for sentence in clauses(text)),
        confirming=tuple(confirming),
        open_request=open_request and not requested,
        blame=blame,
    )


_PUNCTUATED = re.compile(r"[.?!]")
_BYE = re.compile(
    r"\b(good ?bye|bye|have an? \w+ (day|evening|weekend|one|night)|take care)\b", re.I
)
_SPOKEN_YES_NO = re.compile(
    r"^\W*(?:(?:and|so|okay|alright|uh|um)\W+)*(?:is|are|do|does|did|can|could|would|will|"
    r"should|have|has|was|were|may)\s+(?:you|i|it|that|this|there|we|your)\b",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    """Split an agent turn into clauses: at punctuation, and where speech starts a new one.

    Transcribed speech has no punctuation ("okay what is the transfer amount is there anything
    else"), so in a turn without any, a clause also starts before a question word or a request
    opener (``cues.CLAUSE_START``). A punctuated turn is split at its punctuation only.
    """
    if _PUNCTUATED.search(text):
        return list(cues.SENTENCES.findall(text))
    out: list[str] = []
    for sentence in cues.SENTENCES.findall(text):
        carry = ""
        for part in cues.CLAUSE_START.split(sentence):
            if not part.strip():
                continue
            if cues.DISCOURSE.match(part):
                carry = f"{carry} {part}".strip()
                continue
            out.append(f"{carry} {part}".strip() if carry else part)
            carry = ""
        if carry:
            if out:
                out[-1] = f"{out[-1]} {carry}"
            else:
                out.append(carry)
    return out


def asks_spoken(clause: str) -> bool:
    """True when an unpunctuated clause opens like a yes/no question ("is that correct")."""
    return bool(_SPOKEN_YES_NO.search(clause)) and not clause.rstrip().endswith(".")


@dataclass
class ConversationTracker:
    """History-aware reading: turns readings into the mood signals of a whole turn.

    Call ``observe_agent`` for every agent turn and ``observe_customer`` for every customer turn
    (with what it informed and whether it asked something). Adds these signals to a reading's own:

    * ``repeated_question``: the agent asks again for a slot the customer already gave;
    * ``ignored``: the customer asked something (or for a human, or to repeat) and the agent's
      reply shows neither empathy, progress, resolution nor a handover;
    * ``slow_progress``: the third agent turn in a row with no progress, request or resolution
      (fallbacks are already counted on their own);
    * ``pushy``: a second offer after the customer declined one;
    * ``fallback``: the agent says word for word what it said on its previous turn (a re-prompt
      without an apology is a fallback to the customer too).

    It also counts ``reprompts``: agent turns in a row that fall back or repeat themselves. A
    customer gives up on such a loop after a few turns whatever its mood (see
    ``reprompt_limit``), so a bot whose fallback never hands over shows it as abandonment.

    Attributes:
        informed: slot keys the customer has already given.
        customer_asked: the last customer turn asked something or asked for a human.
        stalled: agent turns in a row without progress.
        offers: offers made so far.
        declined: the customer has declined an offer.
        reprompts: agent turns in a row that fell back or repeated the previous agent turn.
        last_text: the previous agent turn, normalised.
    """

    informed: set[str] = field(default_factory=set)
    customer_asked: bool = False
    stalled: int = 0
    offers: int = 0
    declined: bool = False
    reprompts: int = 0
    last_text: str = ""

    def observe_agent(self, reading: AgentReading, text: str = "") -> list[MoodSignal]:
        """Return every mood signal of this agent turn, own and history-based.

        Args:
            reading: the turn's reading.
            text: the turn's text, to notice a bot repeating itself word for word.
        """
        signals = reading.signals()
        said = " ".join(text.lower().split())
        repeated = bool(said) and said == self.last_text
        self.last_text = said
        if repeated and MoodSignal.fallback not in signals:
            signals.append(MoodSignal.fallback)
        self.reprompts = self.reprompts + 1 if reading.fallback or repeated else 0
        if any(key in self.informed for key in reading.requested):
            signals.append(MoodSignal.repeated_question)
        moving = reading.progress or reading.resolution or bool(reading.requested)
        moving = moving and not repeated
        addressed = moving or reading.empathy or reading.handover
        if self.customer_asked and not addressed and not reading.fallback:
            signals.append(MoodSignal.ignored)
        self.stalled = 0 if moving else self.stalled + 1
        if (
            self.stalled >= 3
            and MoodSignal.fallback not in signals
            and MoodSignal.ignored not in signals
        ):
            signals.append(MoodSignal.slow_progress)
        if reading.offer:
            self.offers += 1
            if self.declined and MoodSignal.pushy not in signals:
                signals.append(MoodSignal.pushy)
        return signals

    def observe_customer(
        self, informed: Iterable[str], asked: bool, declined_offer: bool = False
    ) -> None:
        """Record the customer's turn: slots it gave, whether it asked, whether it said no."""
        self.informed.update(informed)
        self.customer_asked = asked
        self.declined = self.declined or declined_offer


def reprompt_limit(patience: float) -> int:
    """Agent re-prompts in a row a customer sits through before it gives up on the call.

    ``2 + round(4 * patience)``: 3 for an impatient persona (patience 0.15), 5 for a calm one
    (0.85), never fewer than 2. A design choice in line with the common practice of voice
    menus, which hand a caller over after three failed re-prompts because callers drop off
    after that; the most patient customer sits through six.

    Args:
        patience: the persona's ``behaviour.patience``, 0-1.
    """
    return 2 + round(4 * patience)
