"""Cue patterns for reading an agent's turn (see ``understanding``).

Hand-written from the patterns of task-oriented support dialogue (the ABCD and Harper Valley agent
turns in ``../shared/data`` were the reference); they favour precision, since a missed cue only
makes the customer restate its goal. All are case-insensitive and precompiled.
"""

from __future__ import annotations

import re


def cue(*patterns: str) -> re.Pattern[str]:
    """Compile alternatives into one case-insensitive pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


SENTENCES = re.compile(r"[^.?!\n]+[.?!]*")
CLAUSE_START = re.compile(
    r"\s+(?=(?:what|which|where|when|how|can you|could you|may i|do you|did you|is there|"
    r"is that|are you|i(?:'ll| will)? need|please|let me|okay|alright|thank you for calling)\b)",
    re.IGNORECASE,
)
"""Where a new clause may start in speech without punctuation ("okay what is the amount")."""
DISCOURSE = re.compile(
    r"^\W*(?:(?:and|so|okay|alright|now|uh|um|uhm|oh|please|sure|like)\W*)+$", re.I
)
"""A fragment made only of discourse words: it belongs to the clause after it."""
ASKING = cue(
    r"\?",
    # Imperatives: "Please give me...", "Provide your...", "Let me know..." at a sentence start.
    r"^\W*(?:(?:please|kindly|now|so|and|also|lastly|first|next|then|finally|ok(?:ay)?|great|"
    r"thanks?|thank you|sure|alright)\W+)*(?:please\W+)?(?:provide|give|enter|share|tell|type|"
    r"send|spell|confirm|say|read|repeat|let me know)\b",
    r"\bplease (provide|give|enter|share|tell|confirm|type|send|spell|repeat|let me know)\b",
    r"\b(could|can|would|will) you (please )?(provide|give|tell|share|enter|type|send|spell|"
    r"confirm|let me know|repeat|verify|read)\b",
    r"\b(can|may|could) i (get|have|ask for)\b",
    r"\b(i|we)( will|'ll)? need (your|the|to have your|to know your)\b",
    r"\bneed your\b",
    r"\b(need|want) you to (provide|give|tell|share|enter|type|send|spell|confirm)\b",
    r"^\W*(?:(?:and|so|okay|alright|now|uh|um|like|sure)\W+)*(what|which|when|where)('s|\b)"
    r"(?! (?:can|could|may) (?:i|we) (?:do|help))",
    r"^\W*(?:(?:and|so|okay|alright|uh|um)\W+)*(?:do|did|can|could|would|will) you (?:have|know|"
    r"remember|want|need|like)\b",
)
"""A sentence that asks something: a question, or an imperative or request for information.

A statement that merely mentions a slot ("you'll be refunded to your original payment method")
does not ask, so it is never read as a request for that slot.
"""
YES_NO = re.compile(
    r"^\W*(?:(?:and|so|okay|alright|uh|um)\W+)*"
    r"(is|are|do|does|did|can|could|would|will|shall|should|have|has|was|were|may|am)\b|"
    r"\b(right|correct|ok|okay)\s*\?\s*$|is that (right|correct)|\bshall i\b",
    re.IGNORECASE,
)
FACT_REQUEST = re.compile(
    r"\b(provide|give|tell|share|enter|type|spell|send|need|what|which|have your|repeat|"
    r"(can|may|could) i (have|get)|(do|did) you (know|have|remember))\b|^\W*how\b",
    re.IGNORECASE,
)
OPEN_REQUEST = re.compile(
    r"^\W*(?:(?:and|so|okay|alright|now|uh|um|like|sure)\W+)*(?:what|which)\b"
    r"(?!.*\b(?:help|do for you|else|problem|issue|wrong|happened|mean)\b)",
    re.IGNORECASE,
)
"""A what/which question about something ("which one would you like to check") that names no
known slot: the customer answers it with the fact it fits best."""
WH_START = re.compile(
    r"^\W*(?:(?:and|so|okay|alright|now|uh|um|like|sure)\W+)*(what|which|where|when|who|how|why)\b",
    re.IGNORECASE,
)
REPEAT = re.compile(
    r"\b(repeat|say (that|it) again|one more time|come again)\b|^\W*(sorry|pardon)\W*$", re.I
)
"""The agent asks the customer to say something again ("can you repeat that please")."""
FALLBACK = cue(
    r"\b(didn'?t|did not|couldn'?t|could not|don'?t|do not) (quite )?(get|understand|catch|follow)",
    r"\b(re-?phrase|say (that|it) again|say it another way|put (that|it) differently)\b",
    r"\bnot sure (what you mean|i understand|i follow)\b",
    r"\b(i'?m|i am) (not sure|afraid) i (can'?t|cannot|don'?t) (help|understand)",
    r"\bsorry,? (what|come again)\b",
)
EMPATHY = cue(
    r"\b(i'?m|i am|we'?re|we are) (so |very |really |truly )?sorry (to hear|for|about|that)",
    r"\bi (completely |totally |fully )?understand\b",
    r"\b(i|we) apologi[sz]e\b",
    r"\bapologies\b",
    r"\bthat must be\b",
    r"\bi can (see|imagine) (why|how)\b",
    r"\bfrustrating\b",
    r"\bi hear you\b",
)
PROGRESS = cue(
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
RESOLUTION = cue(
    r"\b(has|have) been (refunded|processed|cancell?ed|issued|resolved|fixed|updated|sent|reset|"
    r"credited|reversed|replaced|scheduled|approved|removed|changed|submitted)",
    r"\b(is|are) now (refunded|processed|cancell?ed|resolved|fixed|updated|active|reset)",
    r"\b(you'?re|you are) all set\b",
    r"\ball (done|set)\b",
    r"\btaken care of\b",
    r"\b(refund|replacement|credit) (is|will be) on (its|the) way\b",
)
ANYTHING_ELSE = cue(
    r"\banything else\b",
    r"\bsomething else\b",
    r"\bany other (question|thing|issue|concern)",
    r"\bis there (anything|something) (more|further)",
)
CLOSING = cue(
    r"\b(good ?bye|bye)\b",
    r"\bhave an? (great|nice|good|wonderful|lovely) (day|evening|weekend|one|night)\b",
    r"\bthanks?( you)? for (contacting|calling|reaching out|chatting|your patience|choosing)\b",
    r"\btake care\b",
)
HANDOVER = cue(
    r"\b(transfer|transferring|connect|connecting|put|putting) you (through )?(to|with)\b",
    r"\b(human|live|real) (agent|person|representative)\b",
    r"\b(a|my) (colleague|specialist|supervisor|manager|representative)\b",
    r"\bhand(ing)? (you )?over\b",
    r"\bescalat(e|ing) (this|your)",
)
GREETING = cue(
    r"\bhow (can|may|could) (i|we) (help|assist)",
    r"\bwhat can (i|we) do for you\b",
    r"\bhow can (i|we) be of\b",
    r"\bwhat brings you\b",
    r"\bwhat (can i|would you like to|do you need) help\b",
)
OFFER = cue(
    r"\bwould you (like|be interested|want) (to (add|upgrade|try|buy|hear|get)|our|a|an)\b",
    r"\b(special|exclusive|limited)[- ](offer|deal|discount|time)\b",
    r"\b(upgrade|add-on|premium plan|bundle|extended warranty)\b",
    r"\bcan i (offer|interest) you\b",
    r"\b(i|we) (can|could) (offer|give) you\b",
    r"\bhow about (a|an|some|store|getting)\b",
)
RUDE = cue(
    r"\bcalm down\b",
    r"\bchill out\b",
    r"\byou (should|could) have (read|checked|looked|known|listened|asked|thought|called|paid)",
    r"\bif you had (read|checked|looked|listened|paid attention)",
    r"\b(that'?s|that is|it'?s|it is|this is|not) (not )?my (problem|fault|job|concern)\b",
    r"\b(as|like) i (already |just )?(said|told you)\b",
    r"\bas i already (explained|mentioned|stated)\b",
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
PUSHY = cue(
    r"\b(are you sure|last chance|don'?t miss|only today|act now|before it'?s gone)\b",
    r"\byou (really )?(should|must|need to) (buy|upgrade|add|take)",
)
