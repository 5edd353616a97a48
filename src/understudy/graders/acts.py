"""What an agent sentence does, recognised from its meaning rather than a fixed phrase.

The offline grader reads a transcript sentence by sentence and asks what each sentence *does*:
greets, offers help, asks for identity (and which fields), discloses something from the
customer's account, shows empathy, blames or talks down, promises or reports an action, asks
permission, checks the resolution, closes. Each recogniser is a small set of patterns over the
lower-cased sentence, written as families of paraphrases (a field can be asked for as "zip
code", "postcode" or "postal code"; an order can be described as "it arrived on the 3rd" or "the
one you bought on the 28th" with no trigger word), so wording can vary freely.

The patterns were written from the returns policy and rubric descriptions and tuned on the
calibration part of the labelled set (``examples/grading/calibration.yaml``); the figures on the
held-out part are in ``docs/rubrics.md``.

Three acts also have a trained model (``MODEL_ACTS``: a TF-IDF + logistic regression fitted by
``scripts/train_grader_acts.py`` on real, human-labelled bank calls, shipped as
``data/grader_acts.json``). ``recognise(act, sentence)`` adds the model to the rule (rule or
model) only for the acts where that beat the rule alone in cross-validation on the calibration
calls; the held-apart figures are in ``docs/rubrics.md`` and ``benchmarks/bench_grader_acts.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from understudy.domain.transcript import Message
from understudy.graders import identity_answers
from understudy.simulators.offline.agent_acts import AgentActModel

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a message, verbatim, with its lower-cased form.

    Attributes:
        text: the sentence exactly as written (a substring of the message).
        low: lower-cased, with curly quotes folded.
        question: whether it ends with a question mark.
    """

    text: str
    low: str
    question: bool


def sentences(message: Message | str) -> list[Sentence]:
    """Split a message into sentences (verbatim substrings of its text)."""
    text = message if isinstance(message, str) else message.text
    found = [m.group(0).strip() for m in _SENTENCE.finditer(text)]
    found = [s for s in found if s] or [text.strip()]
    return [Sentence(s, _fold(s), s.rstrip().endswith("?")) for s in found]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip()


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# --- greeting and offer of help ----------------------------------------------------------------

GREETING = _any(
    [
        r"^(?:hi|hello|hey|hiya)\b",
        r"^(?:morning|afternoon|evening)\b(?! (?:shift|rush|delivery|slot))",
        r"\b(?:hi|hello) there\b",
        r"\bgood (?:morning|afternoon|evening|day)\b",
    ]
)
COURTESY = _any(
    [
        r"\bthanks? (?:you )?(?:so much )?for (?:calling|contacting|getting in touch|your call|"
        r"reaching out|holding|waiting)",
        r"\bwelcome to\b",
        r"\byou're (?:through to|speaking (?:to|with)|talking to)\b",
        r"\b(?:how|what) (?:can|may|could) i (?:help|do for you|assist)",
        r"\bhappy to help\b",
        r"\bhere to help\b",
        r"\blet's (?:get (?:that|this|it) (?:sorted|back|returned|fixed|sent back)|"
        r"put (?:that|this|it) right|sort (?:that|this|it))",
        r"\bi can (?:help|sort)\b",
    ]
)

# --- identity ------------------------------------------------------------------------------------

IDENTITY_FIELDS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"\be-?mail\b"),
    "name": re.compile(
        r"\b(?:full name|your name|the name|name on the account|account name|first and last|"
        r"surname|last name)\b|^name\b|\bwho am i (?:speaking|talking) (?:with|to)\b|"
        r"\bwho's calling\b"
    ),
    "zip": re.compile(r"\b(?:zip(?: ?code)?|post ?code|postal code)\b"),
    "phone": re.compile(r"\bphone number\b"),
    "city": re.compile(r"\b(?:which|what) (?:city|town)\b|\bcity\b.*\?"),
    "address": re.compile(r"\b(?:your|the|home|postal|delivery) address\b"),
    "date_of_birth": re.compile(r"\b(?:date of birth|birth ?date|dob)\b"),
    "account_number": re.compile(r"\b(?:account number|customer number|member(?:ship)? number)\b"),
    "last_four": re.compile(r"\blast (?:four|4) digits\b"),
    "security": re.compile(r"\b(?:security question|passcode|pin)\b"),
    "verify": re.compile(
        r"\b(?:verify|confirm) (?:your |it's you|that it's you|who you are)|"
        r"\b(?:find|locate|look up|pull up) your (?:account|details)|\bconfirm it's you\b"
    ),
}
"""Identity fields an agent may ask for, each with its paraphrases."""

IDENTITY_SETS: list[frozenset[str]] = [
    frozenset({"email"}),
    frozenset({"name", "zip"}),
    frozenset({"phone"}),
    frozenset({"date_of_birth"}),
    frozenset({"account_number"}),
    frozenset({"last_four"}),
    frozenset({"security"}),
]
"""Field sets any one of which verifies a caller (the example returns policy: email, or full name
and zip code; banks: date of birth, last four digits...). Asking for less is partial."""

ASKING = _any(
    [
        r"\?",
        r"^(?:could|can|may|would|will) (?:you|i)\b",
        r"\b(?:please|first|to start)\b",
        r"\b(?:give|tell|take|get|have|confirm|provide|share) (?:me )?(?:your|the|it)\b",
        r"^(?:what's|what is)\b",
        r"^(?:account )?(?:full )?name",
    ]
)


_FILLERS = (
    r"^(?:(?:okay|ok|right|alright|all right|so|and|now|great|lovely|thanks|thank you|um|uh|"
    r"mm|then|first|next|sure|no problem|that's fine),? )*"
)
REQUEST_FORM = _any(
    [
        r"\?",
        r"\b(?:what|which|who|where|when|how)(?:'s|'re)?\b",
        r"\b(?:can|could|may|would|will|might) (?:you|i|we)\b",
        r"\b(?:do|did|have) you (?:have|got|know)\b",
        _FILLERS + r"(?:tell|give|read|spell|repeat|confirm|provide|share|send|say|type|enter|"
        r"let me (?:have|get|take|grab))\b",
        r"\b(?:tell|give|read|spell|repeat) (?:me|us)\b",
        r"\bplease\b",
        r"\b(?:i|we)(?:'ll| will| would|'d)? need (?:your|the|you to|to (?:take|get|have))\b",
        r"\bif you (?:could|can|would|don't mind)\b",
        _FILLERS + r"(?:(?:and|also|plus|then|just|or) )?(?:(?:your|the) (?:[\w-]+ ){0,2})?"
        r"(?:name|e-?mail|zip|post ?code|postal code|phone|address|date of birth|birthday|"
        r"details|number)\b",
    ]
)
"""The form of a request for information: a question (mark, question word, "can/could/may
I/you"), an imperative ("tell me", "repeat that", "spell it"), "please", "I'll need your", or a
sentence led by the field itself, as spoken requests often are ("Your email address.", "And
the zip code.", "Your full name and zip code will do instead."). A statement that names a field
further on ("The refund goes to your email receipt.") has none."""


def identity_fields_asked(sentence: Sentence) -> set[str]:
    """Return the identity fields a sentence asks for (empty when it asks for none).

    A sentence asks when the rule ``ASKING`` or, where it beat the rule on real calls, the
    trained act model hears a question for information (``recognise("data_question", ...)``;
    the model counts only for a sentence in ``REQUEST_FORM``), so "okay could you repeat the zip
    code for me again" asks for the zip code and "The refund goes to your email receipt." does
    not ask for the e-mail.
    """
    fields = {name for name, pattern in IDENTITY_FIELDS.items() if pattern.search(sentence.low)}
    if not fields or not recognise("data_question", sentence):
        return set()
    return fields


CHECKABLE_FIELDS = frozenset({"email", "zip", "name", "phone", "date_of_birth"})
"""Fields of the identity sets whose answer can be seen in the caller's words
(``identity_answers``: an e-mail address, a zip code or phone number in digits or spoken, a name,
a date of birth); a full set counts only when the caller gave each of these it asks for. Other
fields (a security answer, the last four digits...) count as given once the caller answers."""


def identity_fields_given(message: Message) -> set[str]:
    """The identity fields a caller's turn gives (``identity_answers.fields_given``): name,
    e-mail, zip code, phone, order number, address or date of birth, digits spoken as words
    too."""
    return identity_answers.fields_given(message.clean_text or message.text)


def identity_level(fields: set[str], given: set[str] | None = None) -> float:
    """1 when ``fields`` make a full identity set, 0.5 for part of one, 0 for none.

    With ``given`` (the checkable fields the caller gave), a full set counts only when the
    caller gave each of its checkable fields: asked for name and zip code, answered with the
    name alone, is part of a set.
    """
    fields = fields - {"verify"}
    if any(s <= fields and _answered(s, given) for s in IDENTITY_SETS):
        return 1.0
    return 0.5 if fields else 0.0


def _answered(fields: frozenset[str], given: set[str] | None) -> bool:
    return given is None or (fields & CHECKABLE_FIELDS) <= given


def unanswered_fields(fields: set[str], given: set[str]) -> set[str]:
    """Checkable fields asked for (in a full set) that the caller did not give."""
    full = [s for s in IDENTITY_SETS if s <= fields]
    return {f for s in full for f in s & CHECKABLE_FIELDS if f not in given}


# --- disclosure of account details ---------------------------------------------------------------

DISCLOSURE = _any(
    [
        r"\bi (?:can )?see (?:your|the|that you|you|it)\b",
        r"\bi(?:'ve| have) (?:got|found|pulled up) (?:your|the|it|you)\b",
        r"\bi (?:found|have) (?:your|the|it)\b.*\b(?:order|purchase|here|account|item)",
        r"\bi'm (?:looking at|seeing) (?:your|the)\b",
        r"\bi have it (?:here|right here)\b",
        r"\b(?:was|were|got|been) (?:delivered|shipped|dispatched|sent|dropped|posted)\b",
        r"\b(?:delivered|arrived|shipped|dispatched|went out|dropped (?:off|at))\b.*"
        r"\b(?:on|last|ago|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
        r"to|at)\b",
        r"\b(?:it|they|both) (?:arrived|came)\b",
        r"\byou (?:bought|ordered|purchased|paid)\b",
        r"\bpaid (?:with|by|using) your\b",
        r"\byour (?:order|account|balance|visa|mastercard|card ending|address|purchase|"
        r"delivery|payment)\b(?! (?:number|details|email))",
        r"\b(?:on file|in our system under)\b",
        r"\bsent to (?:[a-z]+)\b",
    ]
)
_NOT_DISCLOSURE = _any(
    [
        r"\brefund(?:ed)? (?:to|it to|will go back to) (?:your|the) original payment",
        r"\b(?:original payment method|card you (?:paid|bought|used))",
        r"\bhow (?:was|were)\b",
        r"^(?:what|which|when|where|could|can|may|do|did|is|are)\b",
    ]
)


def discloses(sentence: Sentence) -> bool:
    """True when a sentence tells the customer something from their account or order.

    A question about the order ("which order was it?") and a promise about the refund method
    ("refunded to your original payment method") are not disclosures.
    """
    if _DESCRIBED_ITEM.search(sentence.low):
        return True  # "is that the one left on your porch on Tuesday?" tells, even as a question
    if not DISCLOSURE.search(sentence.low):
        return False
    if identity_fields_asked(sentence) and not _account_fact(sentence.low):
        return False  # "to find your account, could you tell me your name?" discloses nothing
    return not (sentence.question and _NOT_DISCLOSURE.search(sentence.low)) and not (
        _NOT_DISCLOSURE.search(sentence.low) and not _account_fact(sentence.low)
    )


_DESCRIBED_ITEM = _any(
    [
        r"\bthe one (?:that |which )?(?:was |we )?(?:left|delivered|dropped|arrived|came|went out|"
        r"you bought|you ordered|shipped|sent)\b.*\b(?:on|last|ago|yesterday|at|to)\b",
        r"\bleft (?:on|at|by|outside) your (?:porch|door|doorstep|step|mailbox|front)",
        r"\b(?:card|visa|mastercard|amex) ending\b",
    ]
)


def _account_fact(low: str) -> bool:
    return bool(
        re.search(
            r"\b(?:delivered|arrived|shipped|dropped|sent to|you bought|you ordered|you paid|"
            r"i (?:can )?see|i've got|i have it|i found|looking at|on file)\b",
            low,
        )
    )


# --- empathy, and its opposites ------------------------------------------------------------------

EMPATHY = _any(
    [
        r"\b(?:i'm|i am|we're|we are) (?:so |really |very |truly )?sorry\b",
        r"\bsorry (?:to hear|that|the|it|you|for|this)\b",
        r"\b(?:i|we) (?:do )?apologi[sz]e\b",
        r"\bmy apologies\b",
        r"\bi (?:completely |totally |fully )?understand\b",
        r"\bi (?:can )?(?:imagine|see why|see how)\b",
        r"\bi know how\b",
        r"\bi hear you\b",
        r"\b(?:that|it|this)(?:'s| is| must be| sounds| can be)(?: really| so| very)? "
        r"(?:frustrating|annoying|disappointing|a shame|a pain|upsetting|stressful|"
        r"inconvenient|no fun|not what you)",
        r"\bthat's a shame\b",
        r"\boh no\b",
        r"\bno fun\b",
        r"\b(?:nobody|no one|no-one) (?:wants|likes|enjoys)\b",
        r"\bi (?:totally |completely |really )?get (?:it|that|why|how)\b",
        r"\b(?:that's|that is|it's|that sounds) (?:so |really |just )?(?:rotten|awful|rubbish|"
        r"no good|not great|not good|a drag|a bummer|a nuisance|maddening)\b",
        r"\bis a (?:drag|pain|nuisance|bummer)\b",
        r"\b(?:what|how) a (?:pain|shame|nuisance)\b",
        r"\bmust be (?:frustrating|annoying|disappointing)",
        r"\bletting you down\b",
        r"\bgiving you trouble\b",
    ]
)
BARE_APOLOGY = re.compile(
    r"^(?:oh,? )?(?:sorry|so sorry|i'm sorry|apologies|my apologies)(?: about| for)? ?"
    r"(?:that|this|it)?[.!]?$|"
    r"^(?:(?:i|we) (?:do )?apologi[sz]e|(?:i'm|we're|we are|i am) sorry|sorry|(?:my )?apologies) "
    r"for (?:any|the) inconvenience(?: (?:caused|this (?:has|may have) caused))?[.!]?$|"
    r"^(?:(?:okay|ok|right|alright|sure|yes|yeah),? )?i (?:understand|see)[.!]?$"
)
"""A formula that names nothing ("Sorry about that."): not empathy on its own."""

BLAME = _any(
    [
        r"\byou should(?:'ve| have)\b",
        r"\bif you(?:'d| had) (?:read|followed|set|checked|looked|bothered)",
        r"\byou (?:probably |must have |clearly )?(?:didn't|did not|never) (?:set|read|follow|"
        r"use|install|check)",
        r"\b(?:that's|that is|it's) (?:on you\b|your (?:own )?fault|your problem)",
        r"\byour (?:own )?fault\b",
        r"\buser error\b",
        r"\bworks (?:perfectly|fine|great) for everyone else\b",
        r"\bmost people who call about (?:this|these|that|it)\b",
        r"\b(?:didn't|did not|never) (?:bother|even bother)\b",
        r"\bskipped the\b",
    ]
)
CONDESCENSION = _any(
    [
        r"\bnot (?:that |so |very )?(?:complicated|hard|difficult)\b",
        r"\b(?:very|really) simply\b",
        r"\bslowly so you\b",
        r"\bso you can (?:follow|understand|keep up)\b",
        r"\bas i (?:just |already )?(?:said|explained|told you|mentioned)\b",
        r"\bsurely\b",
        r"\b(?:it's|that's|this is) (?:obvious|simple|basic)\b",
        r"\bconfusing you\b",
        r"\bpay attention\b",
        r"\bdid you (?:actually|even)\b",
        r"\bfor the (?:last|third|second) time\b",
        r"\bi already told you\b",
        r"\blisten carefully\b",
    ]
)
SARCASM = _any(
    [
        r"^oh (?:sure|great|wonderful|brilliant|perfect)\b",
        r"\bwhat a (?:shock|surprise)\b",
        r"\bjust for you\b",
        r"^wow\b",
        r"\bbecause (?:the|that) .* (?:is|are) going to\b",
        r"\bcongratulations\b",
        r"\bgenius\b",
        r"\byeah,? right\b",
    ]
)
DISMISSAL = _any(
    [
        r"\bcalm down\b",
        r"\bnot (?:a big deal|my (?:problem|job))\b",
        r"\bnothing i can do\b",
        r"\bdeal with it\b",
        r"^whatever\b",
        r"\bi don't care\b",
        r"\btake it or leave it\b",
        r"\bis all you(?:'ll| will) get\b",
        r"\bthat's the rule\b",
        r"^what do you want\b",
    ]
)

UNPROFESSIONAL: dict[str, re.Pattern[str]] = {
    "blame": BLAME,
    "condescension": CONDESCENSION,
    "sarcasm": SARCASM,
    "dismissal": DISMISSAL,
}
"""Kinds of unprofessional language and their recognisers."""


def unprofessional(sentence: Sentence) -> str | None:
    """Return the kind of unprofessional language in a sentence, or None."""
    for kind, pattern in UNPROFESSIONAL.items():
        if pattern.search(sentence.low):
            return kind
    return None


def shows_empathy(sentence: Sentence) -> bool:
    """True when a sentence acknowledges the customer's situation (not a bare formula)."""
    if BARE_APOLOGY.match(sentence.low.strip()):
        return False
    return bool(EMPATHY.search(sentence.low)) and unprofessional(sentence) is None


# --- actions: permission, promise, done, resolution check, closing -----------------------------

PERMISSION = _any(
    [
        r"\b(?:shall|should|can|may) i (?:go ahead|proceed|do that|set (?:that|it|this) up|"
        r"start|process|arrange)",
        r"\b(?:shall|should) i\b.*\?",
        r"\bwould you like (?:me to|that|to)\b",
        r"\bdo you want (?:me to|that|to)\b",
        r"\bis (?:that|it|this) (?:ok|okay|alright|all right|fine)(?: with you)?"
        r"(?:\?|$| if\b| for)",
        r"\b(?:ok|okay|alright|all right) (?:to|if i) (?:go ahead|proceed|do that|set|start)",
        r"(?:,|^) ?(?:ok|okay|alright|all right|yes)\?$",
        r"\byes or no\?",
        r"\bdoes that sound (?:ok|okay|good|alright)",
        r"\bare you happy (?:for me to|with that)\b",
        r"\bwant me to\b",
    ]
)
DONE = _any(
    [
        r"^(?:done|all done|that's done|all set|all arranged|all sorted)\b",
        r"^(?:lovely|great|perfect|ok|okay),? (?:that's|it's) (?:done|set up|sorted|arranged)",
        r"\bi(?:'ve| have) (?:already )?(?:processed|set up|started|arranged|issued|gone ahead|"
        r"put through|submitted|created|booked|refunded)\b",
        r"\b(?:it's|it is|that's|the return is|the refund is|return is) (?:all )?(?:set up|started|"
        r"processed|arranged|done|sorted)\b",
        r"\bis on your account\b",
        r"\bi(?:'ve| have) put (?:the|your|it|that)\b.*\bthrough\b",
        r"\bit's started\b",
    ]
)
PROMISE = _any(
    [
        r"\b(?:you'll|you will) (?:get|receive|have) (?:a|your|the) (?:full )?refund\b",
        r"\bi(?:'ll| will) (?:refund|sort|process|give you)\b",
        r"\b(?:you'll|you will) be refunded\b",
    ]
)
RESOLUTION_CHECK = _any(
    [
        r"\banything else\b",
        r"\banything more\b",
        r"\bdoes (?:that|this) (?:resolve|solve|sort|answer|help|cover)\b",
        r"\bhave i (?:sorted|answered|resolved|covered|helped)\b",
        r"\bis (?:that|this) everything\b",
        r"\bis that all\b",
        r"\bis (?:your|the) (?:problem|issue) (?:sorted|solved|resolved|fixed)\b",
        r"\b(?:everything|all) (?:sorted|resolved|settled) (?:for you|now)?\?",
        r"\bsomething else i can\b",
        r"\bany other questions\b",
        r"\b(?:did|does|has|will) (?:that|this) (?:take care of|sort|fix|solve|resolve|cover)\b",
        r"\b(?:got|have|has) everything (?:covered|sorted|you need)\b",
    ]
)
CLOSING = _any(
    [
        r"\bthanks? (?:you )?(?:so much |very much )?for (?:calling|contacting|your call|"
        r"getting in touch|your patience|reaching out)",
        r"\bhave a (?:great|good|nice|lovely|wonderful) (?:day|evening|afternoon|weekend|"
        r"one|morning|night)\b",
        r"\benjoy the rest of your\b",
        r"\btake care\b",
        r"\ball the best\b",
        r"\bglad (?:i|we) could help\b",
        r"\bhappy to (?:have )?help(?:ed)?\b",
        r"\bmy pleasure\b",
        r"\byou're (?:very )?welcome\b",
        r"\bgoodbye\b",
        r"\bbye(?: now| for now)?\b",
    ]
)
POLITE_CLOSE = _any(
    [
        r"\bthanks?\b",
        r"\bhave a\b",
        r"\benjoy\b",
        r"\btake care\b",
        r"\ball the best\b",
        r"\bglad\b",
        r"\bhappy to\b",
        r"\bpleasure\b",
        r"\bwelcome\b",
        r"\bbye now\b",
    ]
)

DEFLECT = _any(
    [
        r"\b(?:on|via|through|from|using) (?:our|the) (?:website|web ?site|app|site|portal)\b",
        r"\bgo (?:to|on|onto)\b.*\b(?:website|web ?site|online|portal|app)\b",
        r"\b(?:pass|transfer|put|hand|send) you (?:over |through |across )?to\b",
        r"\b(?:a|my|one of my) colleagues?\b",
        r"\bsomeone (?:else|from|in)\b",
        r"\b(?:call|ring|contact|email) (?:back |in )?(?:the|our)\b.*\b(?:team|department|line)\b",
        r"\byou(?:'ll| will)? (?:need|have) to (?:go|do|request|fill|submit|call|contact)\b",
    ]
)
"""Sending the caller elsewhere (the website, a colleague) instead of acting on the request."""

CUSTOMER_YES = _any(
    [
        r"^(?:yes|yeah|yep|yup|sure|ok|okay|alright|all right|fine|go ahead|please do|"
        r"please|great|perfect|lovely|sounds good|that's fine|that works|correct|right)\b",
        r"\b(?:yes|go ahead|please do|that's fine|that works|sounds good)\b",
        r"^(?:no,? )?(?:that's|thats) (?:all|it|everything)\b",
        r"^no,? (?:thanks|thank you|nothing else|that's all|that's everything|that's it)\b",
        r"^(?:thanks|thank you)\b",
        r"^no\.?$",
        r"\bnothing else\b",
        r"\bthat's (?:all|it|everything)\b",
        r"\b(?:ok|okay|alright|fine)[.!]*$",
        r"\b(?:yes|yeah|yep|yup)\b",
        r"^(?:that's|that is) (?:great|perfect|lovely|brilliant|wonderful|fine|good)\b",
        r"\b(?:thanks|thank you)[.!]*$",
    ]
)
"""A customer turn that agrees or says it needs nothing more."""

COMPLAINT = _any(
    [
        r"\b(?:doesn't|does not|don't|isn't|is not|won't|not) work",
        r"\bnot working\b",
        r"\bbroken\b",
        r"\bfaulty\b",
        r"\bridiculous\b",
        r"\bunacceptable\b",
        r"\bfrustrat",
        r"\bannoy",
        r"\bdisappoint",
        r"\bangry\b",
        r"\bupset\b",
        r"\bterrible\b",
        r"\bstill waiting\b",
        r"\bnobody helped\b",
        r"\bcharged twice\b",
        r"\btakes? (?:ages|forever|too long)\b",
        r"\bi (?:did|followed|have) (?:read|the instructions|followed)\b",
        r"\bi'd prefer\b",
    ]
)
"""Customer wording that makes a turn a complaint or an objection."""


def customer_agrees(message: Message) -> bool:
    """True when a customer turn agrees, or says it needs nothing more."""
    text = _fold(message.clean_text or message.text)
    return bool(CUSTOMER_YES.search(text))


def is_complaint(message: Message, objections: list[str]) -> bool:
    """True when a customer turn complains or raises one of the scenario's objections."""
    text = _fold(message.clean_text or message.text)
    if COMPLAINT.search(text):
        return True
    return any(_fold(o)[:40] in text for o in objections if o.strip())


# --- the trained act model, where it beats the rules --------------------------------------------

MODEL_ACTS = ("greeting", "data_question", "closing")
"""Acts the trained model recognises, named after the Harper Valley labels without their
``gridspace_`` prefix: a greeting, a question asking the caller for information, a goodbye."""

RULES: dict[str, Callable[[Sentence], bool]] = {
    "greeting": lambda s: bool(GREETING.search(s.low)),
    "data_question": lambda s: bool(ASKING.search(s.low)),
    "closing": lambda s: bool(CLOSING.search(s.low) or POLITE_CLOSE.search(s.low)),
}
"""The hand-written rule for each act of ``MODEL_ACTS``."""


MODEL_CUES: dict[str, re.Pattern[str]] = {"data_question": REQUEST_FORM}
"""Acts for which the model's hearing counts only in a sentence of this form. The bank model
learnt that sentences naming a field ("your home address", "your phone") are questions, since
most of its examples were; a statement naming one ("a new checkbook has been sent to your home
address") is not a request, so the model needs a request form besides (``REQUEST_FORM``)."""


@lru_cache(maxsize=1)
def act_model() -> AgentActModel:
    """The grader's fitted act model shipped with the package (``data/grader_acts.json``)."""
    text = resources.files("understudy.graders").joinpath("data", "grader_acts.json")
    return AgentActModel.from_json(json.loads(text.read_text(encoding="utf-8")))


def recognise(act: str, sentence: Sentence, model: AgentActModel | None = None) -> bool:
    """True when ``sentence`` does ``act`` (one of ``MODEL_ACTS``).

    The act's rule (``RULES``), or the trained model when ``act`` is among the model's ``used``
    acts (where rule-or-model beat the rule on real calls) and the sentence has the act's form
    (``MODEL_CUES``: a question for information must be asked as a request). ``model`` defaults
    to the shipped one.

    Raises:
        KeyError: ``act`` is not one of ``MODEL_ACTS``.
    """
    if RULES[act](sentence):
        return True
    cue = MODEL_CUES.get(act)
    if cue is not None and not cue.search(sentence.low):
        return False
    model = model or act_model()
    return act in model.used and act in model.acts_heard(sentence.low)
