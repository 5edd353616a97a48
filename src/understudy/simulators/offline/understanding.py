"""Read an agent's turn from its text alone, the way a customer would.

A black-box bot gives nothing but text, so every user simulator reads the same thing: which facts
the agent asks for (slot requests, through slot-name synonyms such as "order number" for
``order_id``), whether it asks a yes/no question, falls back ("sorry, I didn't get that"), shows
empathy, reports progress or a resolution, asks "anything else?", closes, hands over to a human, or
pushes an offer. ``read_agent_turn`` does this with precompiled regular expressions (cheap enough
for thousands of conversations a second); ``ConversationTracker`` adds what needs the history (a
question asked again, a customer question ignored, slow progress) and turns both into mood signals.

The cue lists are hand-written from the patterns of task-oriented support dialogue (the ABCD and
Harper Valley agent turns in ``../shared/data`` were the reference); they favour precision, since
a missed cue only makes the customer restate its goal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from understudy.simulators.mood import MoodSignal
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
    "read_agent_turn",
    "slot_label",
    "slot_matcher",
    "slot_phrases",
]


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_SENTENCES = re.compile(r"[^.?!\n]+[.?!]*")
_ASKING = _cue(
    r"\?",
    # Imperatives: "Please give me...", "Provide your...", "Let me know..." at a sentence start.
    r"^\W*(?:(?:please|kindly|now|so|and|also|lastly|first|next|then|finally|ok(?:ay)?|great|"
    r"thanks?|thank you|sure|alright)\W+)*(?:please\W+)?(?:provide|give|enter|share|tell|type|"
    r"send|spell|confirm|say|read|let me know)\b",
    r"\bplease (provide|give|enter|share|tell|confirm|type|send|spell|let me know)\b",
    r"\b(could|can|would|will) you (please )?(provide|give|tell|share|enter|type|send|spell|"
    r"confirm|let me know)\b",
    r"\b(can|may|could) i (get|have|ask for)\b",
    r"\b(i|we)( will|'ll)? need (your|the|to have your|to know your)\b",
    r"\bneed your\b",
    r"\b(need|want) you to (provide|give|tell|share|enter|type|send|spell|confirm)\b",
    r"^\W*(what|which)('s|\b)",
)
"""A sentence that asks something: a question, or an imperative or request for information.

A statement that merely mentions a slot ("you'll be refunded to your original payment method")
does not ask, so it is never read as a request for that slot.
"""
_YES_NO = re.compile(
    r"^\s*(is|are|do|does|did|can|could|would|will|shall|should|have|has|was|were|may|am)\b|"
    r"\b(right|correct|ok|okay)\s*\?\s*$|is that (right|correct)|\bshall i\b",
    re.IGNORECASE,
)
_FACT_REQUEST = re.compile(
    r"\b(provide|give|tell|share|enter|type|spell|send|need|what|which|have your|"
    r"(can|may|could) i (have|get)|(do|did) you (know|have|remember))\b|^\W*how\b",
    re.IGNORECASE,
)
_WH_START = re.compile(r"^\s*(what|which|where|when|who|how|why)\b", re.IGNORECASE)
_FALLBACK = _cue(
    r"\b(didn'?t|did not|couldn'?t|could not|don'?t|do not) (quite )?(get|understand|catch|follow)",
    r"\b(re-?phrase|say (that|it) again|say it another way|put (that|it) differently)\b",
    r"\bnot sure (what you mean|i understand|i follow)\b",
    r"\b(i'?m|i am) (not sure|afraid) i (can'?t|cannot|don'?t) (help|understand)",
    r"\bsorry,? (what|come again)\b",
)
_EMPATHY = _cue(
    r"\b(i'?m|i am|we'?re|we are) (so |very |really |truly )?sorry (to hear|for|about|that)",
    r"\bi (completely |totally |fully )?understand\b",
    r"\b(i|we) apologi[sz]e\b",
    r"\bapologies\b",
    r"\bthat must be\b",
    r"\bi can (see|imagine) (why|how)\b",
    r"\bfrustrating\b",
    r"\bi hear you\b",
)
_PROGRESS = _cue(
    r"\blet me (check|look|see|pull|find|verify|take a look)",
    r"\b(i'?ve|i have|we'?ve|we have) (found|located|pulled up|verified|started|opened|noted)",
    r"\bi can see (your|the|that)\b",
    r"\b(i'?ll|i will|we'?ll|we will) (process|issue|refund|send|cancel|update|fix|reverse|"
    r"credit|replace|reset|arrange|look into|get)",
    r"\b(one moment|bear with me|just a (moment|second|sec))\b",
    r"\bthanks?( you)? for (the|that|confirming|providing|your)\b",
    r"\b(got it|found it|found your|i'?m (checking|looking))\b",
    r"\b(is|are|has been|have been) (validated|verified|confirmed|located)\b",
    r"\bi (have|see) your (account|order|details|booking|purchase)\b",
)
_RESOLUTION = _cue(
    r"\b(has|have) been (refunded|processed|cancell?ed|issued|resolved|fixed|updated|sent|reset|"
    r"credited|reversed|replaced|scheduled|approved|removed|changed|submitted)",
    r"\b(is|are) now (refunded|processed|cancell?ed|resolved|fixed|updated|active|reset)",
    r"\b(you'?re|you are) all set\b",
    r"\ball (done|set)\b",
    r"\btaken care of\b",
    r"\b(refund|replacement|credit) (is|will be) on (its|the) way\b",
)
_ANYTHING_ELSE = _cue(
    r"\banything else\b",
    r"\bsomething else\b",
    r"\bany other (question|thing|issue|concern)",
    r"\bis there (anything|something) (more|further)",
)
_CLOSING = _cue(
    r"\b(good ?bye|bye)\b",
    r"\bhave an? (great|nice|good|wonderful|lovely) (day|evening|weekend|one|night)\b",
    r"\bthanks?( you)? for (contacting|calling|reaching out|chatting|your patience|choosing)\b",
    r"\btake care\b",
)
_HANDOVER = _cue(
    r"\b(transfer|transferring|connect|connecting|put|putting) you (through )?(to|with)\b",
    r"\b(human|live|real) (agent|person|representative)\b",
    r"\b(a|my) (colleague|specialist|supervisor|manager|representative)\b",
    r"\bhand(ing)? (you )?over\b",
    r"\bescalat(e|ing) (this|your)",
)
_GREETING = _cue(
    r"\bhow (can|may|could) (i|we) (help|assist)",
    r"\bwhat can (i|we) do for you\b",
    r"\bhow can (i|we) be of\b",
    r"\bwhat brings you\b",
    r"\bwhat (can i|would you like to|do you need) help\b",
)
_OFFER = _cue(
    r"\bwould you (like|be interested|want) (to (add|upgrade|try|buy|hear|get)|our|a|an)\b",
    r"\b(special|exclusive|limited)[- ](offer|deal|discount|time)\b",
    r"\b(upgrade|add-on|premium plan|bundle|extended warranty)\b",
    r"\bcan i (offer|interest) you\b",
)
_RUDE = _cue(
    r"\bcalm down\b",
    r"\b(relax|chill out)\b",
    r"\byou (should|could) have (read|checked|looked|known|listened|asked|thought|called|paid)",
    r"\bif you had (read|checked|looked|listened|paid attention)",
    r"\b(that'?s|that is|it'?s|it is|this is|not) (not )?my (problem|fault|job|concern)\b",
    r"\b(as|like) i (already |just )?(said|told you|explained|mentioned|stated)\b",
    r"\bi (already|just) (said|told you|explained)\b",
    r"\bhow many times\b",
    r"\b(are you|you're|you are) (even |not )?(listening|paying attention)\b",
    r"\b(your|the customer'?s) (own )?fault\b",
    r"\bread the (manual|instructions|reviews|description|terms|fine print|faq)\b",
    r"\b(stop|quit) (complaining|shouting|yelling|whining)\b",
    r"\b(deal|live) with it\b",
    r"\bnothing (i|we) can do\b",
    r"^\W*what do you want\W*$",
    r"\bi don'?t have (all day|time for this)\b",
)
"""Rude or dismissive agent wording: blaming, lecturing, impatience with the customer."""
_PUSHY = _cue(
    r"\b(are you sure|last chance|don'?t miss|only today|act now|before it'?s gone)\b",
    r"\byou (really )?(should|must|need to) (buy|upgrade|add|take)",
)


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


def read_agent_turn(text: str, keys: Sequence[str] = ()) -> AgentReading:
    """Classify an agent turn from its text (cached: bots repeat their lines across a batch).

    Args:
        text: the agent's message.
        keys: slot keys and unknown items the customer cares about (known facts first); the
            reading reports which of them the agent asks for.

    Returns:
        The reading. A sentence is a request for a slot when it mentions the slot and asks
        (question mark, "what", "could you", "please provide"...), unless it is a yes/no
        question that already carries a value ("Is your order number ORD-1?").
    """
    return _read(text, tuple(keys))


@lru_cache(maxsize=4096)
def _read(text: str, keys: tuple[str, ...]) -> AgentReading:
    matcher = slot_matcher(keys)
    requested: list[str] = []
    mentioned: list[str] = []
    confirming: list[str] = []
    confirmation = question = False
    for sentence in _SENTENCES.findall(text):
        found = matcher.find(sentence)
        mentioned.extend(k for k in found if k not in mentioned)
        asks = bool(_ASKING.search(sentence.strip()))
        question = question or asks
        yes_no = sentence.rstrip().endswith("?") and bool(_YES_NO.search(sentence))
        yes_no = yes_no and not _WH_START.search(sentence)
        fact_request = _FACT_REQUEST.search(sentence)
        if found and asks and (fact_request or not yes_no):
            requested.extend(k for k in found if k not in requested)
        elif yes_no:
            confirmation = True
            confirming.extend(k for k in found if k not in confirming)
    offer = bool(_OFFER.search(text))
    return AgentReading(
        requested=tuple(requested),
        mentioned=tuple(mentioned),
        question=question,
        confirmation=confirmation and not requested,
        fallback=bool(_FALLBACK.search(text)),
        empathy=bool(_EMPATHY.search(text)),
        progress=bool(_PROGRESS.search(text)),
        resolution=bool(_RESOLUTION.search(text)),
        anything_else=bool(_ANYTHING_ELSE.search(text)),
        closing=bool(_CLOSING.search(text)),
        handover=bool(_HANDOVER.search(text)),
        greeting=bool(_GREETING.search(text)),
        offer=offer,
        pushy=bool(_PUSHY.search(text)),
        rude=any(_RUDE.search(sentence.strip()) for sentence in _SENTENCES.findall(text)),
        confirming=tuple(confirming),
    )


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
    * ``pushy``: a second offer after the customer declined one.

    Attributes:
        informed: slot keys the customer has already given.
        customer_asked: the last customer turn asked something or asked for a human.
        stalled: agent turns in a row without progress.
        offers: offers made so far.
        declined: the customer has declined an offer.
    """

    informed: set[str] = field(default_factory=set)
    customer_asked: bool = False
    stalled: int = 0
    offers: int = 0
    declined: bool = False

    def observe_agent(self, reading: AgentReading) -> list[MoodSignal]:
        """Return every mood signal of this agent turn, own and history-based."""
        signals = reading.signals()
        if any(key in self.informed for key in reading.requested):
            signals.append(MoodSignal.repeated_question)
        moving = reading.progress or reading.resolution or bool(reading.requested)
        addressed = moving or reading.empathy or reading.handover
        if self.customer_asked and not addressed and not reading.fallback:
            signals.append(MoodSignal.ignored)
        self.stalled = 0 if moving else self.stalled + 1
        if self.stalled >= 3 and not reading.fallback and MoodSignal.ignored not in signals:
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
