"""What the customer can tell of its own backstory, in the first person, and when.

A persona's ``backstory`` is written about the customer ("Her card was charged $42.99 twice for
the same order. She has already called twice and was promised a call back that never came.").
``story_lines`` keeps the sentences a caller would actually say, turned into the first person
("My card was charged $42.99 twice for the same order.", "I have already called twice..."):

* a **case** sentence states at least one of this conversation's known facts (the $42.99, the
  espresso machine) and no other value: a sentence with a number, an e-mail or an id the
  customer was not given is never said (the knowledge boundary);
* a **history** sentence tells of earlier contacts (called, on hold, promised a call back,
  was told...) and states no value.

Sentences about who the customer is or how they behave ("She is busy, wants a fast answer")
are never said: they shape the persona, not the words. History is told only when the backstory
belongs to this call: the scenario names this persona, or one of its case sentences is usable
(a persona's old grievance stays out of an unrelated scenario). No line shares six consecutive
words with the scenario's text. Terse personas say only a line's first clause.

The simulator tells a case line in its opening (with a chance), and the next untold line when the
agent asks what happened or when the customer complains (``StoryTeller``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from understudy.domain.persona import Persona
from understudy.domain.scenario import Scenario
from understudy.simulators.offline.rules import longest_shared_run

HISTORY = re.compile(
    r"\b(called|phoned|rang|e-?mailed|wrote to|chatted|contacted|on hold|call ?back|"
    r"promised|was told|were told|complained|second call|third call|came back)\b",
    re.IGNORECASE,
)
ASKS_STORY = re.compile(
    r"\bwhat (?:happened|seems to be|is the (?:problem|issue)|went wrong|'?s going on)|"
    r"\btell me (?:more|what happened|about)|\b(?:can|could) you (?:describe|explain)|"
    r"\bwhat'?s (?:the (?:problem|issue)|going on|wrong)|\bwalk me through",
    re.IGNORECASE,
)
"""An agent turn that asks the customer to tell what happened."""
_COMPLAINT = re.compile(
    r"\b(twice|double|wrong|broke|broken|never|late|declined|damaged|cancel+ed|lost|missing|"
    r"overcharged|charged|stopped|failed|not working|refused)\b",
    re.IGNORECASE,
)
_VALUE_LIKE = re.compile(r"\d|@|\b[A-Z]{2,}-\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_VERB_FIX = {
    "is": "am",
    "has": "have",
    "does": "do",
    "doesn't": "don't",
    "goes": "go",
    "isn't": "am not",
    "hasn't": "haven't",
    "was": "was",
    "wasn't": "wasn't",
}
_ADVERBS = frozenset({"already", "never", "still", "also", "just", "recently", "then", "now"})
_NOT_NOUN = frozenset(
    {"and", "or", "but", "to", "for", "with", "about", "that", "a", "an", "the", "back", "up"}
)


@dataclass(frozen=True)
class StoryLine:
    """One sentence of the backstory, as the customer says it.

    Attributes:
        text: the sentence in the first person, values as in the facts.
        keys: the known facts whose values it states.
        history: it tells of earlier contacts.
    """

    text: str
    keys: tuple[str, ...]
    history: bool


def _conjugate(word: str) -> str:
    low = word.lower()
    if low in _VERB_FIX:
        return _VERB_FIX[low]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if re.search(r"(ss|sh|ch|x|z|o)es$", low):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us")) and len(low) > 3:
        return low[:-1]
    return low


def first_person(sentence: str, names: tuple[str, ...]) -> str | None:
    """Turn a sentence about the customer into the customer's own words.

    Returns None when the sentence is about the customer but cannot be turned safely.
    """
    text = sentence.strip()
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}'s\b", "my", text)
        text = re.sub(rf"\b{re.escape(name)}\b", "I", text)
    text = re.sub(r"\b(she|he)'s\b", "I'm", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(she|he)\b", "I", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(herself|himself)\b", "myself", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhis\b", "my", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhim\b", "me", text, flags=re.IGNORECASE)

    def her(match: re.Match[str]) -> str:
        after = text[match.end() :].lstrip()
        word = re.match(r"[A-Za-z']+", after)
        return "my" if word and word.group(0).lower() not in _NOT_NOUN else "me"

    text = re.sub(r"\bher\b", her, text, flags=re.IGNORECASE)

    text = re.sub(r"\bI ([A-Za-z']+)(?: ([A-Za-z']+))?", _fix_verb, text)
    text = re.sub(r"\bI have\b", "I've", text)
    text = re.sub(r"\bI am\b", "I'm", text)
    text = re.sub(r"^(my|me)\b", lambda m: m.group(1).capitalize(), text)
    return text[0].upper() + text[1:] if text else None


def _fix_verb(match: re.Match[str]) -> str:
    """Conjugate the verb after "I", past one adverb ("I already calls" -> "I already call")."""
    first, second = match.group(1), match.group(2)
    if first.lower() in _ADVERBS and second:
        return f"I {first} {_conjugate(second)}"
    return f"I {_conjugate(first)}" + (f" {second}" if second else "")


def story_lines(
    persona: Persona, known: dict[str, str], scenario: Scenario, *, terse: bool = False
) -> list[StoryLine]:
    """The backstory sentences this customer may say in this call (see the module docstring).

    Args:
        persona: whose backstory.
        known: this conversation's known facts (slot key -> value).
        scenario: the call (its text is never repeated six words long).
        terse: keep only each line's first clause.
    """
    if not persona.backstory.strip():
        return []
    names = tuple(
        n for n in {persona.name, *persona.name.split(), known.get("name", "")} if len(n) > 1
    )
    texts = [
        scenario.goal.reason_for_call,
        scenario.goal.task_instructions or "",
        scenario.opening_line,
        *scenario.objections,
    ]
    values = sorted({v for v in known.values() if v}, key=len, reverse=True)
    lines: list[StoryLine] = []
    for sentence in _SENTENCE.split(persona.backstory.strip()):
        said = first_person(sentence, names)
        if said is None:
            continue
        rest = said
        keys = []
        for key, value in known.items():
            if value and value in said and key != "name":
                keys.append(key)
        for value in values:
            rest = rest.replace(value, " ")
        if _VALUE_LIKE.search(rest):
            continue  # a value the customer was not given
        history = bool(HISTORY.search(said))
        if not keys and not history:
            continue
        if terse or (history and not keys):
            said = _first_clause(said, [known[k] for k in keys])
        if any(longest_shared_run(said, t) >= 6 for t in texts if t):
            continue
        lines.append(StoryLine(said, tuple(keys), history and not keys))
    if scenario.persona != persona.id and not any(line.keys for line in lines):
        return []  # an old grievance of this persona, not this call's
    # What went wrong first ("my card was charged $42.99 twice"), then the rest in order.
    return sorted(lines, key=lambda line: not _COMPLAINT.search(line.text))


def _first_clause(said: str, values: list[str]) -> str:
    head = re.split(r",? and (?=I |was |were |my |[a-z]+s )|, (?=and |but |[a-z]+s )|; ", said)[0]
    head = head.rstrip(" ,.")
    if values and not any(v in head for v in values):
        return said
    return head + "."


@dataclass
class StoryTeller:
    """Tells each story line once: case lines first, then history.

    Attributes:
        lines: the lines left to tell.
        told: the lines told so far.
    """

    lines: list[StoryLine]
    told: list[StoryLine] = field(default_factory=list)

    def next(self, *, history: bool | None = None) -> StoryLine | None:
        """Take the next untold line (only history, or only case lines, when asked)."""
        for line in self.lines:
            if history is None or line.history == history:
                self.lines.remove(line)
                self.told.append(line)
                return line
        return None

    def opening(self, rng: random.Random, chance: float) -> StoryLine | None:
        """With ``chance``, the first case line, for the opening (no draw when there is none)."""
        if not any(not line.history for line in self.lines):
            return None
        if rng.random() >= chance:
            return None
        return self.next(history=False)
