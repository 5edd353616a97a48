"""What a sales rep's sentence does on a discovery call, recognised from its meaning.

The sales checks (``understudy.graders.sales_checks``) read a call sentence by sentence, as the
support checks do (``understudy.graders.acts``): greets and builds rapport, asks an open
discovery question (not a yes/no question, a single fact, a leading question or small talk),
plays the prospect's needs back, proposes a concrete next step (what and when), presses for a
decision. Each recogniser is a family of paraphrases over the lower-cased sentence, written from
the sales labelling guide (``docs/grader-labelling.md``) and tuned on the calibration part of the
independent sales set (``examples/grading/independent-sales-calibration.yaml``).
"""

from __future__ import annotations

import re

from understudy.graders.acts import GREETING, Sentence, _any, recognise

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

RAPPORT = _any(
    [
        r"\bthanks? (?:you )?(?:so much |very much )?for (?:making|taking|finding|fitting|"
        r"picking|giving|the|your) ?(?:the |some )?(?:time|call|me in|up|my call|a few minutes)",
        r"\bthanks? (?:you )?(?:so much )?for your time\b",
        r"\bthanks? (?:you )?(?:so much |very much )?for (?:making|taking|finding|fitting|"
        r"squeezing|giving) (?:me|a|some|the|this|your)\b",
        r"\b(?:is )?(?:everything|all) (?:okay|ok|good|alright|well)\b.*\?",
        r"\bhow(?:'s| is| are| has| have)(?: things| it| you| your| the| business| life)\b.*"
        r"\b(?:going|been|doing|treating|today|week|day|morning|afternoon|weekend|keeping)\b",
        r"\bhow are (?:you|things)\b(?: doing| today)?[?.!]*$",
        r"\bhow(?:'s| is) business\b",
        r"\bi hope (?:the|your|it|you|things)\b",
        r"\b(?:lovely|nice|good|great|glad) to (?:speak|talk|meet|finally|hear|catch|get you)\b",
        r"\bi know (?:you're|you are|mornings|how|it's|that)\b",
        r"\b(?:no joke|must be (?:busy|hectic))\b",
        r"\bhope (?:you|your|the|things|it's)\b",
        r"\b(?:has|have|is|are|did) (?:the|your) (?:morning|lunch|rush|day|week|weekend|"
        r"cafés?|cafes?|shops?|team|business)\b",
        r"\byou sound (?:busy|well|cheerful|rushed|happy|like)\b",
    ]
)
"""Making room before business: thanks for the time, how are you, something about her day."""

SMALL_TALK = _any(
    [
        r"\bhow(?:'s| is| are) (?:everything|life|the (?:cafés?|cafes?|shops?|family|team)|"
        r"the day|your day|the week|your week)\b",
        r"\b(?:is )?(?:everything|all) (?:okay|ok|good|alright|well)\b",
        r"\bhow(?:'s| is| are| has| have)(?: things| it| you| your| the| business| life)\b.*"
        r"\b(?:going|been|doing|treating|today|week|day|morning|afternoon|weekend|keeping)\b",
        r"\bhow are (?:you|things)\b(?: doing| today)?[?.!]*$",
        r"\bhow(?:'s| is) business\b",
    ]
)

_WH = re.compile(r"\b(?:how|what|what's|why|where|which|who|when)\b")
OPEN_PROMPT = _any(
    [
        r"\b(?:tell|talk) me (?:a (?:bit|little) )?(?:about|more|how|what|why)\b",
        r"\b(?:walk|talk|take) me through\b",
        r"\b(?:i'm|i am|i'd be) (?:really )?(?:curious|interested|keen) "
        r"(?:to (?:hear|know|learn) )?(?:about|how|what|why|whether|where)\b",
        r"\bi'd (?:love|like) to (?:hear|know|understand|learn) (?:about|how|what|why|more)\b",
        r"\bi wonder(?:ed)? (?:how|what|why)\b",
        r"\bpaint (?:me )?a picture\b",
        r"\b(?:describe|explain) (?:how|what|your)\b",
        r"\bhelp me understand\b",
    ]
)
"""Open prompts without a question word ("walk me through a week's rota")."""

NOT_OPEN = _any(
    [
        r"\bhow (?:many|much|often|long|big|old)\b",
        r"\b(?:what|which) (?:time|day|date|size|price)\b",
        r"\bwhen (?:would|could|does|is|will) (?:suit|work|be)\b",
        r"\bwhat if (?:i|we)\b",
        r"\bwhat about (?:" + _WEEKDAY + r"|tomorrow|next)\b",
        r"\b(?:wouldn't|won't|isn't|doesn't) (?:it|that|this)\b",
        r"\byou'd agree\b",
        r"\bdon't you (?:think|agree)\b",
        r"\b(?:right|correct|yeah|fair)\?$",
        r"\bwhat(?:'s| is| are) (?:the|your) (?:name|email|number|budget|address|role|title|"
        r"phone|website)\b",
        r"\bwhat(?:'s| is| are) (?:the|your) (?:best|top|favourite|favorite|most popular)\b",
        r"\bwho (?:else )?(?:has a say|decides|signs(?: it)? off|makes the (?:call|decision))\b",
    ]
)
"""Questions that are not discovery: a single fact, scheduling, leading or a proposal."""


def asks(sentence: Sentence) -> bool:
    """True when the sentence asks something (a question mark, an asking form, or the model)."""
    return sentence.question or recognise("data_question", sentence)


def open_question(sentence: Sentence) -> bool:
    """True when the sentence is an open discovery question (see the module docstring)."""
    low = sentence.low
    if SMALL_TALK.search(low) or NOT_OPEN.search(low):
        return False
    if OPEN_PROMPT.search(low):
        return True
    if PLAYBACK_CUE.search(low) and not sentence.question:
        return False  # "So what you need is templates..." plays back (or pitches), asks nothing
    return bool(_WH.search(low)) and (
        asks(sentence)
        or (
            not low.endswith(".")
            and bool(re.match(r"^(?:\w+,? ){0,3}(?:how|what|what's|why|where|which|who)\b", low))
        )
    )


OPENING = _any(
    [
        r"^(?:\w+,? )?(?:morning|afternoon|evening)\b",
        r"\b(?:good|nice|great|lovely|glad) to (?:speak|talk|meet|finally|hear|catch|get you|"
        r"have you)\b",
        r"\bthanks? (?:you )?(?:so much )?for (?:taking|making|picking up|finding|fitting|"
        r"giving me)\b",
        r"\b(?:it's|this is|my name is|i'm) \w+ (?:from|at|with|over at)\b",
        r"^(?:\w+,? )?\w+ (?:from|at) \w+ here\b",
        r"^(?:(?:oh|um|uh|er|ah|yes|yeah|well|right|so|okay|ok|sorry|that's (?:right|us)),? )+"
        r"(?:hi|hello|hey|hiya)\b",
    ]
)
"""Openings that greet without a greeting word: "Renata, good to finally get you on the phone",
"Morning Renata", "it's Sam from Crewplan"."""


def greets(sentence: Sentence) -> bool:
    """True for a greeting word, an opening that greets in other words (``OPENING``), or an
    opening the act model hears as a greeting."""
    return bool(GREETING.search(sentence.low) or OPENING.search(sentence.low)) or recognise(
        "greeting", sentence
    )


PLAYBACK_CUE = _any(
    [
        r"\bwhat i'm hearing\b",
        r"\bif i (?:understand|understood|heard)\b",
        r"\bto sum(?:marise|marize| up)\b",
        r"\b(?:it|that) sounds like\b",
        r"\blet me (?:play|read|sum|check|make sure)\b",
        r"\bmake sure i(?:'ve| have) got\b",
        r"\b(?:just )?so i(?:'ve| have) got (?:it|that|this)\b",
        r"\bwould it be fair to say\b",
        r"\bif i've got (?:it|that|this) right\b",
        r"\bso you(?:'ve| have) got\b",
        r"\bso you need\b",
        r"^(?:(?:okay|ok|right|alright|great|got it|sure|cool|um|uh|oh no|and),? )*so,? "
        r"(?:um,? |uh,? )?(?!(?:how|what's|why|where|which|who|when|do|does|did|is|are|can|could|"
        r"would|shall|should|will|let's|tell|talk|walk|if|look|anyway|what if|we|we're|we'll|we've|"
        r"our|us|with|i|i'll|i'm|i've|i'd|then|here|there)\b)[a-z]",
        r"\bif i'm hearing (?:you|that) right\b",
    ]
)
"""A playback's opening: "so what I'm hearing is", "would it be fair to say", "okay, so..."."""

META_CUE = re.compile(
    r"\b(?:let me (?:play|read|sum|check|make sure)|make sure i(?:'ve| have) got)"
)

STEP = _any(
    [
        r"\b(?:demo|demonstration|meeting|walkthrough|walk-through|proposal|invite|invitation|"
        r"follow[- ]?up|trial|session|catch[- ]up)s?\b",
        r"\b(?:show|walk) (?:you|both of you|you both|the two of you)\b",
        r"\b(?:give you a (?:ring|call|bell|buzz)|ring you|phone you)\b",
        r"\b(?:send|email|e-mail) (?:you )?(?:some |over )?(?:info|information|pricing|prices|"
        r"details|a brochure|the deck|some stuff|stuff)\b",
        r"\b(?:email|e-mail) you\b",
        r"\b(?:chat|talk|speak|catch up) (?:again|soon|later|next)\b",
        r"\bpick (?:it|this|things) up (?:again|after|later|next)\b",
        r"\b(?:a|another|quick|short|follow-up|phone|video|zoom|teams) call\b",
        r"\bcall (?:you|her|him|them) (?:back|on|next|tomorrow)\b",
        r"\b(?:book|set up|pencil in|find|grab|get) (?:in )?(?:a time|some time|a slot|"
        r"(?:\w+[- ])?minutes|half an hour|an hour)\b",
        r"\bin (?:the|your) (?:diary|calendar)\b",
    ]
)
"""A next step: a demo, a meeting, a proposal, a follow-up call, information sent and a talk
again."""

PROPOSAL = _any(
    [
        r"\?",
        r"\b(?:what if (?:i|we)|how does (?:that|this|\w+ at \w+) sound|does (?:that|\w+) work)\b",
        r"\b(?:let's|let us|how about|what about|shall we|should we|could we|can we|would you|"
        r"could i|can i|may i|i'll|i will|we'll|we will|i can|i could|we could|why don't we|"
        r"i'd (?:like|love) to|is (?:it|that) okay if)\b",
        r"^(?:(?:great|okay|ok|right|sure|cool|perfect|lovely),? )*(?:book|send|pencil|put)\b",
    ]
)
"""The rep proposing or committing to a step (a question, "let's", "I'll"); a product fact such
as "there's a thirty-day trial" proposes nothing."""

WHEN = _any(
    [
        r"\b" + _WEEKDAY + r"\b",
        r"\btomorrow\b",
        r"\bat (?:\d{1,2}(?::\d{2})?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
        r"twelve|noon|midday)\b",
        r"\b\d{1,2}(?::\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)",
        r"\bnext (?:week|month)\b.*\b(?:at|on)\b",
        r"\bthis (?:afternoon|evening|week)\b.*\b(?:at|on)\b",
    ]
)
"""A set time: a weekday, tomorrow, a clock time."""

PRESSURE = _any(
    [
        r"\b(?:sign|buy|commit|decide|start|get (?:you |going |started)|lock (?:it|this) in)\b.*"
        r"\b(?:today|now|tonight|right now|on this call|before we hang up|end of (?:the )?day)\b",
        r"\b(?:offer|discount|price|deal|rate)\b.*\b(?:expires?|ends?|only (?:today|this week)|"
        r"won't last)\b",
        r"\b(?:offer|discount|price|pricing|deal|rate)\b.*\b(?:(?:only|just) (?:good|valid|"
        r"available|on|running|open)|(?:good|valid|available|open) (?:until|till|through)|"
        r"runs out)\b",
        r"\b(?:paperwork|contract|agreement|sign-up|order) (?:started|signed|going|in)\b",
        r"\b(?:most|all|lots of|plenty of|half of|every) (?:\w+ ){0,4}(?:have|has|are|'ve) "
        r"(?:already )?(?:moved|switched|signed|gone|changed|made the (?:switch|move))\b",
        r"\b(?:don't|do not) want to be the (?:last|only)\b",
        r"\b(?:left behind|missing out|fall behind)\b",
        r"\bsurely you can\b.*\b(?:decide|call|sign|yourself)\b",
        r"\btrust me\b",
        r"\beveryone(?:'s| is) (?:switching|buying|moving|signing|going)\b",
        r"\b(?:slots?|spaces?|places?|spots?) (?:are|is) (?:almost|nearly|going|filling)\b",
        r"\b(?:limited time|last chance|won't last|while (?:it|they) lasts?)\b",
        r"\bif you sign\b",
        r"\byou (?:need|have|'ve got) to (?:decide|sign|commit|act)\b",
        r"\b(?:show|tell|loop in|run it by|run it past) (?:\w+ ){1,2}(?:after|later|afterwards)\b",
        r"\b(?:get|getting) (?:you )?started (?:yourself|on your own|without)\b",
        r"\b(?:don't|no need to|needn't) (?:wait for|involve|ask|bother) "
        r"(?:him|her|them|the owner)\b",
        r"\bwithout (?:him|her|them|the owner|waiting)\b",
        r"\bdo you want to get started\b",
    ]
)
"""Pressing for a decision or signature on the call, invented urgency or scarcity."""

NUDGE = _any(
    [
        r"\b(?:get|give) (?:me|us) (?:a|an) (?:yes|decision|answer|go-ahead)\b",
        r"\bdecide (?:by|before|within|sooner)\b",
        r"\b(?:any chance|is there any (?:way|chance)) (?:you|we|you and \w+) (?:\w+ ){0,2}"
        r"(?:decide|sign|commit)\b",
        r"\bsooner rather than later\b",
        r"\b(?:can|could) we (?:aim|get) (?:for )?(?:a decision|a yes|sign-off)\b",
    ]
)
"""One push to decide sooner than the prospect wants (0.5 when dropped at her no)."""

NO_PRESSURE = _any(
    [
        r"\bnothing to (?:decide|sign)\b",
        r"\bno (?:need|pressure|rush)\b",
        r"\b(?:don't|do not) (?:have|need) to (?:decide|sign|commit)\b",
        r"\bnot asking you to\b",
        r"\bno decision (?:today|now)\b",
    ]
)
"""Sentences that rule pressure out ("there's nothing to decide today")."""


def presses(sentence: Sentence) -> str | None:
    """``pressure`` or ``nudge`` when the sentence presses for a decision, else None."""
    if NO_PRESSURE.search(sentence.low):
        return None
    if PRESSURE.search(sentence.low):
        return "pressure"
    if NUDGE.search(sentence.low):
        return "nudge"
    return None


STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """a an the and or but so if then than that this these those it its it's i i'm i've i'd
    me my we we're our us you you're you've your yours he she they them their his her him is are was
    were be been being am do does did doing have has had having to of in on at by for with from
    about as into over after before up down out off again just only also very really too yeah
    yes no not okay ok oh um uh well right got get gets getting go goes going gone can could
    would should will shall may might must what which who whom when where why how all any both
    each few more most other some such own same there here now then once is isn't don't doesn't
    didn't can't won't thing things lot bit something anything everything one two like know
    think say said tell told make made want need needs way kind sort basically actually honestly
    pretty much mean thanks thank hello hi sure fine good great lovely sounds let me us mm hmm
    mkay anyway still even ever every back""",
    )
)


def content_words(text: str) -> set[str]:
    """Content words of ``text`` (lower case, stop words out, a plural's ``s`` dropped)."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    out = set()
    for word in words:
        word = word.strip("'")
        if len(word) < 3 or word in STOPWORDS:
            continue
        out.add(_stem(word))
    return out


def _stem(word: str) -> str:
    """A crude stem, so "texting", "texted" and "texts" meet "text"."""
    for suffix, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep - 1:
            return word[: -len(suffix)]
    return word


ADDS_NEED = re.compile(r"\byou (?:need|want|'d like|would like|'re looking for|have to)\b")
"""A clause of a playback that states a need (it adds one when she never said it)."""
