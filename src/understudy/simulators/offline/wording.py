"""Word dialogue acts in a persona's voice, from the phrasing bank and the phrase lists.

Values are handled as opaque markers while a turn is styled (contractions spelled out,
misphrasings, fillers), and put in only at the end, so styling can never alter a value; the
wording layer only ever writes values it is handed from the customer's known facts.

Styles (``Style.from_persona``): ``terse`` for personas tagged ``terse`` or with verbosity below
0.25 (impatient: few words, no greeting, no pleasantries); ``verbose`` for ``verbose`` or verbosity
above 0.75 (elderly: fillers and extra sentences); ``simple`` for ``simple_grammar`` or a
non-native level of 0.4 and more (contractions spelled out, occasional learner misphrasings);
``polite`` and ``demanding`` add endings.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from understudy.domain.persona import Persona
from understudy.domain.phrasing import SLOT_PLACEHOLDER
from understudy.domain.scenario import Scenario, ScenarioMode
from understudy.simulators.offline import caller
from understudy.simulators.offline.bank import builtin_phrasing_bank, phrasing_bank, phrasing_dir
from understudy.simulators.offline.phrases import (
    CONTRACTIONS,
    DEMANDS,
    LEARNER_VOCABULARY,
    MISPHRASINGS,
    OPENERS,
    PHRASES,
    POLITE_SUFFIXES,
    REASON_FRAMES,
    VERBOSE_PREFIXES,
    VERBOSE_SUFFIXES,
)
from understudy.simulators.offline.reason import customer_reason, lower_first
from understudy.simulators.offline.rules import longest_shared_run
from understudy.simulators.offline.slots import canonical_slot, slot_label
from understudy.simulators.offline.spoken import spoken

__all__ = [
    "Style",
    "Utterance",
    "Wording",
    "builtin_phrasing_bank",
    "first_person",
    "phrasing_bank",
    "phrasing_dir",
]

_MARKER = re.compile(r"\u27e6(\d+)\u27e7")
_QUESTION_START = re.compile(
    r"^(how|can|could|where|what|would|is|do|does|will|when|why|which|may)\b", re.IGNORECASE
)
_LOWER_I = re.compile(r"\bi\b(?!\.\w)")
BANK_SHARE = 0.8
"""Share of goal statements worded from the phrasing bank when it has lines for the intent:
real customer requests are preferred over the scenario's reason for call."""
_MISPHRASINGS = tuple((re.compile(p), r) for p, r in MISPHRASINGS)
_CONTRACTIONS = tuple((re.compile(rf"\b{re.escape(a)}\b"), b) for a, b in CONTRACTIONS)
_LEARNER_VOCABULARY = tuple(
    (re.compile(p, re.IGNORECASE), words) for p, words in LEARNER_VOCABULARY
)


@dataclass(frozen=True)
class Style:
    """How a persona words its turns (see the module docstring).

    Attributes:
        key: the phrase-list style: ``plain``, ``terse`` or ``simple``.
        verbose: adds fillers and extra sentences.
        polite: adds polite endings.
        demanding: adds demanding endings.
        verbosity: the persona's verbosity, 0-1.
        non_native: the persona's non-native level, 0-1.
    """

    key: str
    verbose: bool
    polite: bool
    demanding: bool
    verbosity: float
    non_native: float

    @classmethod
    def from_persona(cls, persona: Persona) -> Style:
        """Derive the style from the persona's style tags and behaviour."""
        tags = set(persona.style_tags)
        b = persona.behaviour
        if "terse" in tags or b.verbosity < 0.25:
            key = "terse"
        elif "simple_grammar" in tags or b.non_native_level >= 0.4:
            key = "simple"
        else:
            key = "plain"
        return cls(
            key=key,
            verbose=key != "terse" and ("verbose" in tags or b.verbosity > 0.75),
            polite="polite" in tags and key != "terse",
            demanding="demanding" in tags,
            verbosity=b.verbosity,
            non_native=b.non_native_level,
        )


@dataclass
class Utterance:
    """A turn being built: sentences with value markers, and the values they refer to.

    Attributes:
        sentences: the sentences to style, with value markers.
        values: the values the markers refer to, in order.
        keys: the slot key of each value.
        verbatim: a scripted line (the scenario's opening line) that opens the turn as it is,
            never styled.
    """

    sentences: list[str]
    values: list[str]
    keys: list[str]
    verbatim: str = ""

    def add(self, sentence: str) -> None:
        """Append a sentence (empty ones are skipped)."""
        if sentence:
            self.sentences.append(sentence)


class Wording:
    """Words acts for one persona in one conversation.

    Args:
        persona: who speaks (style).
        scenario: what the call is about (intent, reason, objections, off-topic questions).
        rng: the conversation's seeded random generator.
        known: the customer's effective known facts, slot key -> value.
        bank: the phrasing bank to use (a batch passes the one it took once); ``phrasing_bank()``
            as it is now when None.
    """

    def __init__(
        self,
        persona: Persona,
        scenario: Scenario,
        rng: random.Random,
        known: dict[str, str],
        *,
        bank: dict[str, Any] | None = None,
    ) -> None:
        self.style = Style.from_persona(persona)
        self.scenario = scenario
        self.rng = rng
        self.known = known
        self._by_canonical = {canonical_slot(k) or k: k for k in known}
        if bank is None:
            bank = phrasing_bank()
        intent = bank.get("intents", {}).get(scenario.goal.intent or "", {})
        self._intent_lines = self._style_lines(intent)
        caller = bank.get("caller", {})
        # "yeah" is agreement, not a filler: it must never open a "no".
        fillers: dict[str, int] = caller.get("fillers", {})
        self._fillers = {w: n for w, n in fillers.items() if w != "yeah"}
        self._no_more: list[str] = caller.get("no_more", [])
        self._thanks: list[str] = caller.get("thanks", [])
        self._frames: dict[str, int] = caller.get("fact_frames", {})
        self._goals_said: set[str] = set()
        self._last_from_bank = False
        self.voice = scenario.mode is ScenarioMode.voice
        """Phone register (``caller``): voice scenarios; chat and hybrid ones use the chat one."""
        self._voice_fillers = {w: n for w, n in self._fillers.items() if w in _VOICE_FILLERS}

    # -- helpers -----------------------------------------------------------------------------

    def _style_lines(self, intent: dict[str, list[str]]) -> list[str]:
        """The usable bank lines of one intent for this persona's style.

        The lines of the style key (``terse``, ``simple`` or ``plain``), or the ``plain`` ones
        when there are none; plus the ``polite``, ``verbose`` and ``demanding`` lines for
        personas with that trait (installed banks may have them, docs/phrasing.md). ``typo``
        lines are never spoken: typos come from the persona's ``typo_rate``.
        """
        style = self.style
        lines = self._usable(intent.get(style.key, [])) or self._usable(intent.get("plain", []))
        for wanted, name in (
            (style.polite, "polite"),
            (style.verbose, "verbose"),
            (style.demanding, "demanding"),
        ):
            if wanted:
                lines += [line for line in self._usable(intent.get(name, [])) if line not in lines]
        return lines

    def _usable(self, lines: list[str]) -> list[str]:
        """Bank lines whose every placeholder names a known fact."""
        out = []
        for line in lines:
            slots = SLOT_PLACEHOLDER.findall(line)
            if all((canonical_slot(s) or s) in self._by_canonical for s in slots):
                out.append(line)
        return out

    def pick(self, kind: str) -> str:
        """Return a random phrasing of ``kind`` in this persona's style (and register)."""
        if self.voice and kind in caller.VOICE_PHRASES:
            return self.rng.choice(caller.VOICE_PHRASES[kind])
        table = PHRASES[kind]
        return self.rng.choice(table.get(self.style.key) or table["plain"])

    def pick_terse(self, kind: str) -> str:
        """Return a terse phrasing of ``kind`` whatever the persona's style (an impatient
        customer's aside), in the register of the call."""
        if self.voice and kind in caller.TERSE_VOICE_PHRASES:
            return self.rng.choice(caller.TERSE_VOICE_PHRASES[kind])
        table = PHRASES[kind]
        return self.rng.choice(table.get("terse") or table["plain"])

    def _value(self, utt: Utterance, key: str, value: str) -> str:
        utt.values.append(value)
        utt.keys.append(key)
        return f"\u27e6{len(utt.values) - 1}\u27e7"

    def _bank_line(self, utt: Utterance, line: str) -> str:
        def fill(match: re.Match[str]) -> str:
            key = self._by_canonical[canonical_slot(match.group(1)) or match.group(1)]
            return self._value(utt, key, self.known[key])

        text = _LOWER_I.sub("I", SLOT_PLACEHOLDER.sub(fill, line.strip()))
        if text[-1:] not in ".?!":
            text += "?" if _QUESTION_START.match(text) else "."
        return text[0].upper() + text[1:]

    def _harper(self, lines: list[str]) -> str:
        line = _LOWER_I.sub("I", self.rng.choice(lines))
        return line[0].upper() + line[1:] + "."

    # -- acts --------------------------------------------------------------------------------

    def _goal_body(self, bank: bool | None = None) -> tuple[str, Utterance]:
        """Draw one wording of the goal, with its values in a scratch utterance.

        Args:
            bank: word it from the phrasing bank (True) or the reason for call (False); None
                draws the source, the bank with chance ``BANK_SHARE`` when it has lines.
        """
        scratch = Utterance([], [], [])
        if bank is None:
            bank = bool(self._intent_lines) and self.rng.random() < BANK_SHARE
        self._last_from_bank = bank = bank and bool(self._intent_lines)
        if bank:
            return self._bank_line(scratch, self.rng.choice(self._intent_lines)), scratch
        reason = customer_reason(self.scenario.goal.reason_for_call)
        frame = self.rng.choice(REASON_FRAMES[self.style.key])
        if not frame.startswith("{r}") and not frame.rstrip().endswith(". {r}"):
            reason = lower_first(reason)
        body = frame.format(r=reason)
        return body[0].upper() + body[1:], scratch

    def goal(
        self, utt: Utterance, *, opening: bool, restate: bool = False, fresh: bool = False
    ) -> bool:
        """Add a statement of the goal: a bank request for the intent, or the reason for call.

        Args:
            utt: the turn being built.
            opening: the first statement of the call (may get a greeting in front).
            restate: the goal was stated before ("As I said, ...").
            fresh: say it differently, as when the agent did not understand: from the other
                source than last time (bank or reason for call) and, in up to three draws, in
                words not used before in this call.

        Returns:
            True when an opening got a greeting in front ("Hi, ...").
        """
        restate = restate or (not opening and bool(self._goals_said))
        if self.voice:
            return self._voice_goal(utt, opening=opening, restate=restate)
        greeted = False
        source = (not self._last_from_bank) if fresh and self._intent_lines else None
        if restate and self._intent_lines:
            source = True  # said again in a real customer's words, never the scenario's
        body, scratch = self._goal_body(source)
        for _ in range(2 if fresh else 0):
            if body not in self._goals_said:
                break
            body, scratch = self._goal_body()
        phrase = caller.goal_phrase(customer_reason(self.scenario.goal.reason_for_call))
        if restate and not self._last_from_bank and phrase:
            # Said again in other words than the scenario's: never the reason recited.
            body = self.rng.choice(_RESTATE_FRAMES).replace("{g}", phrase)
        elif opening and not self._last_from_bank and phrase:
            # An opening says what the customer wants in a few words of its own; the details
            # come when the agent asks, and the scenario's text is never recited.
            body = self._short_goal(phrase)
        said_before = body in self._goals_said
        self._goals_said.add(body)
        base = len(utt.values)
        body = _MARKER.sub(lambda m: f"\u27e6{int(m.group(1)) + base}\u27e7", body)
        utt.values.extend(scratch.values)
        utt.keys.extend(scratch.keys)
        if restate:
            # "As I said, ..." only quotes what was said; anything else is not a quote.
            prefix = self.pick("restate_prefix") if said_before else self.rng.choice(_NEW_PREFIX)
            body = prefix + lower_first(body)
            body = body[0].upper() + body[1:]
        elif opening:
            prefix = self.rng.choice(OPENERS[self.style.key])
            if prefix:
                greeted = True
                body = prefix + lower_first(body)
                body = _LOWER_I.sub("I", body)
        utt.add(body)
        return greeted

    def _short_goal(self, phrase: str) -> str:
        """The goal in a chat opening: a frame around the goal's verb phrase ("return the air
        purifier"), the first frame drawn that shares fewer than six consecutive words with the
        scenario's reason (``rules.longest_shared_run``), the phrase shortened if none does."""
        reason = self.scenario.goal.reason_for_call
        sources = (reason, customer_reason(reason))
        frames = list(_OPENING_FRAMES)
        self.rng.shuffle(frames)
        words = phrase.split()
        for size in range(len(words), 1, -1):  # shorter when every frame would recite
            for frame in frames:
                body = frame.replace("{g}", " ".join(words[:size]))
                if all(longest_shared_run(body, source) < 6 for source in sources):
                    return body
        return f"I need help with {' '.join(words[1:3]) or phrase}."

    def _voice_goal(self, utt: Utterance, *, opening: bool, restate: bool) -> bool:
        """The goal in the phone register (``caller``): a self-introduction and a short goal."""
        reason = customer_reason(self.scenario.goal.reason_for_call)
        phrase = caller.goal_phrase(reason)
        if phrase is None:
            body = "i'm calling because " + lower_first(reason).rstrip(".")
        else:
            frames = caller.RESTATE_FRAMES if restate else caller.GOAL_FRAMES
            body = self.rng.choice(frames).replace("{g}", phrase)
        if restate:
            prefix = self.pick("restate_prefix") if body in self._goals_said else ""
            body = prefix + body
        self._goals_said.add(body)
        greeted = False
        if opening:
            key = self._by_canonical.get("name")
            terse = self.style.key == "terse"
            if key is not None:
                intro = self.rng.choice(caller.TERSE_INTROS if terse else caller.INTROS)
                body = intro.replace("{n}", self._value(utt, key, self.known[key])) + " " + body
            else:
                body = "hi " + body
            greeted = True
        utt.add(body)
        return greeted

    def inform(self, utt: Utterance, key: str, value: str, *, after_negate: bool = False) -> None:
        """Add a statement of one known fact (after a "no", without "Sure," or "Yes,")."""
        if self.voice:
            marker = self._value(utt, key, value)
            utt.add(self.rng.choice(_voice_informs(key)).replace("{v}", marker))
            return
        if self.style.key == "plain" and self._frames and self.rng.random() < 0.25:
            # How Harper Valley callers state a fact: "my {slot} is {value}".
            frames = list(self._frames)
            frame = self.rng.choices(frames, weights=[self._frames[f] for f in frames])[0]
            template = frame.replace("{slot}", "{label}").replace("{value}", "{v}") + "."
        else:
            template = self.pick("inform")
        if after_negate and template.startswith(("Sure", "Yes", "Okay")):
            template = "The {label} is {v}." if self.style.key != "terse" else "{v}."
        marker = self._value(utt, key, value)
        sentence = template.replace("{v}", marker).replace("{label}", slot_label(key))
        utt.add(sentence[0].upper() + sentence[1:])

    def dont_know(self, utt: Utterance, key: str) -> None:
        """Add a statement that the customer does not know ``key``."""
        my = "my" if canonical_slot(key) else "the"
        utt.add(self.pick("dont_know").replace("{my}", my).replace("{label}", slot_label(key)))

    def no_more(self, utt: Utterance) -> None:
        """Answer "anything else?" with no (Harper Valley callers' own words when plain)."""
        if self.voice and self._no_more and self.rng.random() < 0.8:
            utt.add(self.rng.choice(self._no_more))
        elif self.style.key == "plain" and self._no_more and self.rng.random() < 0.6:
            utt.add(self._harper(self._no_more))
        else:
            utt.add(self.pick("no_more"))

    def thank(self, utt: Utterance) -> None:
        """Add thanks."""
        if self.voice and self._thanks and self.rng.random() < 0.5:
            utt.add(self.rng.choice(self._thanks))
        elif self.style.key == "plain" and self._thanks and self.rng.random() < 0.4:
            utt.add(self._harper(self._thanks))
        else:
            utt.add(self.pick("thank"))

    def told(self, utt: Utterance, text: str, facts: dict[str, str]) -> None:
        """Add a line of the customer's own story (``backstory``), its values as markers, so
        they are never noised and are said aloud in a voice call."""
        for key, value in sorted(facts.items(), key=lambda kv: -len(kv[1])):
            if value and value in text:
                text = text.replace(value, self._value(utt, key, value))
        if self.voice:  # how a transcript reads: no punctuation, lower case
            text = lower_first(re.sub(r"[,;:.!?](?=\s|$)", "", text))
        utt.add(text)

    def line(self, utt: Utterance, text: str) -> None:
        """Add a scripted line (objection, off-topic question) as it is."""
        utt.add(text.strip())

    # -- finishing ---------------------------------------------------------------------------

    def finish(self, utt: Utterance, *, extras: bool = True, endings: bool = True) -> str:
        """Style the sentences and put the values in; returns the clean text of the turn.

        Args:
            utt: the turn being built.
            extras: add the persona's fillers and extra sentences.
            endings: add polite or demanding endings (off for thanks and goodbyes).
        """
        if utt.verbatim:
            rest = Utterance(utt.sentences, utt.values, utt.keys)
            styled = self.finish(rest, extras=False, endings=False) if utt.sentences else ""
            return f"{utt.verbatim} {styled}".strip()
        style, rng = self.style, self.rng
        sentences = [s for s in utt.sentences if s]
        if self.voice:
            return self._finish_voice(utt, sentences, extras=extras, endings=endings)
        if extras and style.verbose:
            if rng.random() < style.verbosity * 0.8:
                prefix = rng.choice(VERBOSE_PREFIXES).rstrip(", ")
                if sentences and not sentences[0].lower().startswith(prefix.lower()):
                    sentences.insert(0, prefix + ",")
            if rng.random() < (style.verbosity - 0.5) * 1.2:
                sentences.append(rng.choice(VERBOSE_SUFFIXES))
        elif extras and style.key == "plain" and self._fillers and rng.random() < 0.12:
            words = list(self._fillers)
            filler = rng.choices(words, weights=[self._fillers[w] for w in words])[0]
            sentences.insert(0, filler.capitalize() + ",")
        endings = endings and extras
        if endings and style.polite and rng.random() < 0.25:
            sentences.append(rng.choice(POLITE_SUFFIXES))
        if endings and style.demanding and rng.random() < 0.3:
            sentences.append(rng.choice(DEMANDS))
        text = " ".join(sentences)
        text = re.sub(r",\s+([A-Z])", lambda m: ", " + m.group(1).lower(), text)
        text = _LOWER_I.sub("I", text)
        if style.key == "simple":
            for pattern, repl in _CONTRACTIONS:
                text = pattern.sub(repl, text)
            for pattern, paraphrases in _LEARNER_VOCABULARY:
                if pattern.search(text) and rng.random() < style.non_native * 0.6:
                    text = pattern.sub(rng.choice(paraphrases), text, count=1)
            if rng.random() < style.non_native * 0.6:
                options = [(p, r) for p, r in _MISPHRASINGS if p.search(text)]
                if options:
                    pattern, repl = rng.choice(options)
                    text = pattern.sub(repl, text, count=1)
        text = text[:1].upper() + text[1:] if text else text
        return _MARKER.sub(lambda m: utt.values[int(m.group(1))], text)

    def _finish_voice(
        self, utt: Utterance, sentences: list[str], *, extras: bool, endings: bool
    ) -> str:
        """Finish a phone turn: a filler at the measured rate, values said aloud."""
        style, rng = self.style, self.rng
        if extras and self._voice_fillers and rng.random() < caller.filler_rate(style.verbosity):
            words = list(self._voice_fillers)
            filler = rng.choices(words, weights=[self._voice_fillers[w] for w in words])[0]
            if sentences and not sentences[0].lower().startswith(filler):
                sentences.insert(0, filler)
        if extras and style.verbose and rng.random() < (style.verbosity - 0.5) * 0.1:
            sentences.append(rng.choice(caller.SPOKEN_ASIDES))
        if endings and extras and style.demanding and rng.random() < 0.1:
            sentences.append(rng.choice(caller.VOICE_PHRASES["demand"]))
        text = " ".join(sentences)
        if style.key == "simple":
            for pattern, repl in _CONTRACTIONS:
                text = pattern.sub(repl, text)
        text = _LOWER_I.sub("I", text)
        text = text[:1].upper() + text[1:] if text else text
        return _MARKER.sub(
            lambda m: spoken(
                utt.values[int(m.group(1))],
                canonical_slot(utt.keys[int(m.group(1))]) or utt.keys[int(m.group(1))],
            ),
            text,
        )


_RESTATE_FRAMES = ("I just need to {g}.", "I'm trying to {g}.", "I'd like to {g}, please.")
_OPENING_FRAMES = (
    "I'd like to {g}.",
    "I need to {g}.",
    "I'm trying to {g}.",
    "I'm hoping to {g}.",
    "I want to {g}, please.",
)
"""How a chat opening states the goal's verb phrase (``caller.goal_phrase``)."""
_NEW_PREFIX = ("", "So, ", "Basically, ")
_VOICE_FILLERS = frozenset({"uh", "um", "uhm", "oh", "hmm"})


def _voice_informs(key: str) -> tuple[str, ...]:
    """Phone phrasings of one fact: accounts and cards get "my savings account" forms."""
    label = slot_label(key)
    if key in ("source_account", "account_type") or label.endswith("account type"):
        return (
            "{v}",
            "my {v} account",
            "my {v} account",
            "from my {v} account" if key == "source_account" else "{v} account",
        )
    if key == "destination_account":
        return ("{v}", "to my {v} account", "to my {v} account", "my {v} account")
    if key == "card_type" or label == "card type":
        return ("my {v} card", "it's my {v} card", "{v}")
    templates = caller.VOICE_PHRASES["inform"]
    if not _OWNED_LABEL.search(label):  # "the amount is", never "my amount is"
        templates = tuple(t.replace("my {label}", "the {label}") for t in templates)
    return tuple(t.replace("{label}", label) for t in templates)


_OWNED_LABEL = re.compile(
    r"\b(name|phone|number|address|zip|postcode|email|account|card|username|password|birth)\b"
)
"""Labels of facts a caller calls its own ("my phone number is"); others take "the"."""


def first_person(reason: str) -> str:
    """Turn a reason written as instructions ("You want a refund...") into the customer's words.

    See ``understudy.simulators.offline.reason.customer_reason`` for the rules.
    """
    return customer_reason(reason)
