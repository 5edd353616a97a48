"""Hand-written phrase lists of the offline simulator, by dialogue act and style.

Real customer language comes from the phrasing bank (``data/phrasing_bank.json``: bitext requests
by intent, Harper Valley caller lines); these lists fill the acts the bank does not cover. A ``{v}``
marks where a slot value goes and ``{label}`` the slot's name ("order number"); no line here holds
a value of its own. Styles: ``plain``, ``terse`` (impatient: few words, no pleasantries),
``simple`` (non-native: short sentences, no idioms).
"""

from __future__ import annotations

PhraseTable = dict[str, dict[str, tuple[str, ...]]]

PHRASES: PhraseTable = {
    "greet": {
        "plain": ("Hi.", "Hello.", "Hi there.", "Hello there.", "Hey.", "Good morning.", "Hiya."),
        "terse": ("",),
        "simple": ("Hello.", "Hello, good day.", "Hi."),
    },
    "inform": {
        "plain": (
            "It's {v}.",
            "My {label} is {v}.",
            "Sure, it's {v}.",
            "The {label} is {v}.",
            "Yes, it's {v}.",
            "That would be {v}.",
            "{v}.",
            "Okay, my {label} is {v}.",
            "Sure. The {label} is {v}.",
            "Let me see... it's {v}.",
            "I have it here: {v}.",
            "It should be {v}.",
        ),
        "terse": ("{v}", "{v}.", "It's {v}.", "{label}: {v}.", "{v}. Hurry up."),
        "simple": (
            "My {label} is {v}.",
            "The {label} is {v}.",
            "Yes, it is {v}.",
            "It is {v}.",
            "{label} is {v}.",
        ),
    },
    "dont_know": {
        "plain": (
            "I don't know {my} {label}.",
            "Sorry, I don't have {my} {label}.",
            "I'm not sure what {my} {label} is.",
            "I don't have {my} {label} with me, sorry.",
            "No idea, I'm afraid. I don't know {my} {label}.",
            "Hmm, I really don't know {my} {label}.",
        ),
        "terse": ("Don't know.", "No idea.", "Don't have it.", "Don't know {my} {label}."),
        "simple": ("I do not know {my} {label}.", "Sorry, I do not have {my} {label}."),
    },
    "affirm": {
        "plain": (
            "Yes.",
            "Yes, that's right.",
            "Correct.",
            "Yep.",
            "That's right.",
            "Yes, please.",
        ),
        "terse": ("Yes.", "Yes", "Yep.", "Right."),
        "simple": ("Yes.", "Yes, it is correct.", "Yes, please."),
    },
    "negate": {
        "plain": ("No.", "No, that's not right.", "No, that's not it.", "Actually, no."),
        "terse": ("No.", "No", "Wrong."),
        "simple": ("No.", "No, it is not correct."),
    },
    "decline": {
        "plain": ("No, thanks.", "No thank you, I'm fine.", "I'll pass, thanks.", "Not today."),
        "terse": ("No.", "Not interested."),
        "simple": ("No, thank you.", "No, I do not need it."),
    },
    "complain": {
        "plain": (
            "I already told you.",
            "This is taking far too long.",
            "Why is this so hard?",
            "I've explained this already.",
            "You're not listening to me.",
            "This is the second time I'm asking.",
        ),
        "terse": ("Already told you.", "Come on.", "Seriously?", "Again?"),
        "simple": ("I said this before.", "Please, I already say this."),
    },
    "return_to_goal": {
        "plain": ("Anyway, back to my problem.", "Sorry, where were we?", "Anyway.", "But anyway,"),
        "terse": ("Anyway.",),
        "simple": ("Sorry. Back to my problem.", "Okay, sorry. My problem:"),
    },
    "ask_repeat": {
        "plain": ("Sorry, could you say that again?", "Sorry, what was that?"),
        "terse": ("What?",),
        "simple": (
            "Sorry, can you say again?",
            "Please repeat, I do not understand.",
            "Can you say it more simple, please?",
            "Sorry, what you mean?",
            "Sorry, I not understand. Again please?",
        ),
    },
    "reassurance": {
        "plain": (
            "Will that be all right?",
            "Are you sure that will work?",
            "So everything will be fine?",
            "I hope I haven't done anything wrong.",
            "And I don't need to do anything else, do I?",
        ),
        "terse": ("",),
        "simple": ("It will be okay?", "Is this fine now?"),
    },
    "thank": {
        "plain": ("Thank you.", "Thanks.", "Thanks a lot.", "Thank you so much.", "Great, thanks."),
        "terse": ("Fine.", "Ok.", "Thanks."),
        "simple": ("Thank you.", "Thank you very much."),
    },
    "bye": {
        "plain": ("Bye.", "Goodbye.", "Have a nice day.", "Bye now.", "Take care."),
        "terse": ("Bye.", ""),
        "simple": ("Goodbye.", "Bye bye."),
    },
    "no_more": {
        "plain": ("No, that's all.", "No, that's it.", "Nope, that's everything."),
        "terse": ("No.", "That's all."),
        "simple": ("No, that is all.", "No, nothing more."),
    },
    "escalate": {
        "plain": (
            "I want to speak to a human.",
            "Can I talk to a real person, please?",
            "Get me a manager.",
            "Put me through to someone who can actually help.",
            "I'd like to speak to a supervisor.",
        ),
        "terse": ("Human. Now.", "Get me a person.", "Agent.", "Manager, now."),
        "simple": ("Please, I want to talk with a person.", "Can I speak to a human, please?"),
    },
    "leave": {
        "plain": (
            "Forget it. I'll go somewhere else.",
            "I'm done with this. Goodbye.",
            "This is useless. Bye.",
            "I don't have time for this.",
            "Never mind, I'll call back later.",
        ),
        "terse": ("Forget it.", "Useless. Bye.", "I'm done."),
        "simple": ("Okay, I stop now. Goodbye.", "This is not working. Bye."),
    },
    "other": {
        "plain": ("Okay.", "Alright.", "Okay, sure.", "Mm-hm."),
        "terse": ("Ok.", "And?", "So?"),
        "simple": ("Okay.", "Okay, I understand."),
    },
    "object": {
        "plain": (
            "I'm not sure about that.",
            "That doesn't really work for me.",
            "Hmm, I'm not convinced.",
        ),
        "terse": ("No. Not good enough.",),
        "simple": ("I am not sure about this.",),
    },
    "ask_proof": {
        "plain": (
            "Can you send me a confirmation of that?",
            "How do I know it went through? Can I get that in writing?",
            "Is there a reference number I can keep for that?",
        ),
        "terse": ("Confirmation number?", "Send that in writing."),
        "simple": ("Please, can you send me a paper or e-mail for this?",),
    },
    "off_topic": {
        "plain": (
            "By the way, are you open on weekends?",
            "Oh, unrelated, but do you sell gift cards?",
            "Sorry, quick question: is the weather bad where you are too?",
            "By the way, do you have a store near the city centre?",
            "Random question, but can I change my newsletter settings here?",
        ),
        "terse": (
            "Also, open Sundays?",
            "Also: gift cards, you sell them?",
            "Quick one: store downtown?",
            "Also, is your app down?",
        ),
        "simple": ("Also, one question: you are open on Sunday?",),
    },
    "push_back": {
        "plain": (
            "I don't think I did anything wrong.",
            "No, I followed the instructions.",
            "That's not the case, I used it exactly as described.",
            "Hmm, no, I don't think that's it.",
        ),
        "terse": ("No. Did it right.", "Not my fault."),
        "simple": ("No, I did it correct.", "I do not think it is my mistake."),
    },
    "push_back_upset": {
        "plain": (
            "That's not my fault.",
            "Excuse me? I did nothing wrong.",
            "Don't put this on me.",
            "No. I did everything right, the product is the problem.",
        ),
        "terse": ("Not my fault.", "Don't blame me."),
        "simple": ("It is not my fault.", "Please, I did nothing wrong."),
    },
    "accept": {
        "plain": ("Yes, please.", "Yes, that would be great.", "That works for me.", "Okay, yes."),
        "terse": ("Fine. Do it.", "Yes."),
        "simple": ("Yes, please.", "Yes, this is good."),
    },
    "restate_prefix": {
        "plain": ("Like I said, ", "As I said, ", "Again: ", "I said ", ""),
        "terse": ("Again: ", "I said: "),
        "simple": ("I say again: ", "Again, "),
    },
    "urge": {
        "plain": ("So what about my request?", "So, can you help me with this?", "Any news?"),
        "terse": ("And?", "Well?", "So?", "Get on with it."),
        "simple": ("So, you can help me?", "What happens now, please?"),
    },
}
"""Act (or helper key) -> style -> phrasings."""

OPENERS: dict[str, tuple[str, ...]] = {
    "plain": ("Hi, ", "Hello, ", "Hi there, ", "Hey, ", "", "", "Good morning, "),
    "terse": ("",),
    "simple": ("Hello, ", "Hello. ", "Good day, "),
}
"""Prefixes of an opening line (empty ones keep some openings without a greeting)."""

REASON_FRAMES: dict[str, tuple[str, ...]] = {
    "plain": ("{r}", "I'm calling because {r}", "I need some help: {r}", "So, {r}"),
    "terse": ("{r}",),
    "simple": ("Please help me. {r}", "{r}", "I need help, please. {r}"),
}
"""How an opening frames the scenario's reason for the call (first person)."""

VERBOSE_PREFIXES = (
    "Well, ",
    "Oh, ",
    "Let me see, ",
    "Now, ",
    "Oh dear, ",
    "Well now, ",
)
"""Fillers a verbose persona starts with (Harper Valley fillers are added from the bank)."""

VERBOSE_SUFFIXES = (
    "I'm not very good with these computer things, you see.",
    "My grandson usually helps me with this sort of thing.",
    "I hope that makes sense.",
    "I wrote it all down on a piece of paper somewhere.",
    "I'm sorry if I'm being slow.",
    "It's all a bit confusing for me, I'm afraid.",
    "I do hope you can help me.",
)
"""Extra sentences a verbose persona adds."""

DEMANDS = ("Now.", "Quickly.", "Make it fast.", "I don't have all day.")
"""Endings a demanding persona adds."""

POLITE_SUFFIXES = ("Thank you.", "Thanks in advance.", "I appreciate it.")
"""Endings a polite persona adds now and then."""

# Non-native misphrasings: (pattern, replacement) on the clean sentence; applied with a chance
# growing with ``non_native_level``. Common learner patterns: dropped articles, "I not" negation,
# missing auxiliaries.
MISPHRASINGS: tuple[tuple[str, str], ...] = (
    (r"\bI do not know\b", "I not know"),
    (r"\bI don't know\b", "I not know"),
    (r"\bthe ", ""),
    (r"\bI want to\b", "I want"),
    (r"\bI need to\b", "I need"),
    (r"\bI have\b", "I am having"),
    (r"\bIs it\b", "It is"),
    (r"\bcould you\b", "you can"),
    (r"\bcan you\b", "you can"),
    (r"\ba ", ""),
)

# Learner vocabulary: a non-native speaker often reaches for a plainer or translated word than
# the one a bot was trained on ("money back" for "refund"). Each word is swapped with a chance
# growing with ``non_native_level``; this, more than grammar, is what trips intent matching.
LEARNER_VOCABULARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\brefunds?\b", ("return of money", "give back my money", "repayment")),
    (r"\breimburse(?:ments?)?\b", ("repayment", "pay back")),
    (r"\bcancel\b", ("stop", "make cancellation of")),
    (r"\border\b", ("purchase", "buying", "thing I bought")),
    (r"\bdelivery\b", ("sending", "arriving")),
    (r"\bshipping\b", ("sending", "post")),
    (r"\baccount\b", ("profile", "registration")),
    (r"\bpassword\b", ("pass word", "secret code")),
    (r"\busername\b", ("user name", "login name")),
    (r"\bcharged\b", ("taken money", "billed")),
    (r"\bwrong\b", ("not correct", "bad")),
    (r"\bchange\b", ("make different", "modify")),
    (r"\baddress\b", ("adress", "location")),
)

CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("I'm", "I am"),
    ("don't", "do not"),
    ("doesn't", "does not"),
    ("didn't", "did not"),
    ("it's", "it is"),
    ("It's", "It is"),
    ("that's", "that is"),
    ("That's", "That is"),
    ("can't", "cannot"),
    ("I'd", "I would"),
    ("I'll", "I will"),
    ("I've", "I have"),
    ("haven't", "have not"),
    ("you're", "you are"),
    ("won't", "will not"),
)
"""Contractions a non-native speaker spells out."""
