"""Read the free-text task instructions of tau2 domains that have no structured fields.

The banking_knowledge and mock domains give one instructions string instead of the
``reason_for_call`` / ``known_info`` / ``unknown_info`` / ``task_instructions`` mapping. Newer
banking tasks mark sections in bold (``**Your character:**``, ``**Your situation:**``,
``**Your goal:**``, ``**Verification info:**``, ``**Opening:** "..."``); older ones are plain
paragraphs ("Your character is a management consultant named Sarah Bosch..."). This module
splits either shape into the parts of a scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from understudy.content.importers.facts import Facts, facts_from_sentence, sentences

_SECTION = re.compile(r"\*\*([^*\n]{2,80}?):?\*\*:?")
_BOILERPLATE = (
    "you are playing the role",
    "never respond as",
    "you are currently on the line",
    "you are playing the role of the customer",
    "don't dump all your information",
)
_REASON_WORDS = (
    "looking for",
    "you want",
    "you need",
    "you'd like",
    "you would like",
    "seeking",
    "your goal is",
    "need to",
    "needs to",
    "want to",
    "wants to",
)
_QUOTE = re.compile(r"[\"“]([^\"”]{8,400})[\"”]")
_AGE_JOB = re.compile(r"\b(\d{2})-year-old ([a-z][a-z -]+?)(?= from| living| in | who|[,.])")
_NAMED_JOB = re.compile(r"character is an? ([a-z][a-z -]+?) (?:named|called)")


@dataclass
class FreeTextTask:
    """The parts of a free-text tau2 task.

    Attributes:
        reason_for_call: why the customer calls.
        persona_text: the character description, if any.
        facts: facts found in the character and verification sections.
        opening_line: the scripted first line, if the task gives one in quotes.
        task_instructions: the rest of the instructions (how to behave).
        age: the character's age, if stated.
        occupation: the character's occupation, if stated.
    """

    reason_for_call: str = ""
    persona_text: str = ""
    facts: Facts = field(default_factory=dict)
    opening_line: str = ""
    task_instructions: str = ""
    age: int | None = None
    occupation: str | None = None


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text.replace("**", "")).strip(" \n-")


def _is_boilerplate(sentence: str) -> bool:
    low = sentence.lower()
    return any(low.startswith(b) or b in low for b in _BOILERPLATE)


def parse_free_text(text: str) -> FreeTextTask:
    """Split free-text instructions into reason, persona, facts, opening line and the rest.

    Args:
        text: a tau2 ``user_scenario.instructions`` string.

    Returns:
        The parts; ``reason_for_call`` falls back to the first sentence that is not
        role-play boilerplate.
    """
    task = FreeTextTask()
    parts = _SECTION.split(text)
    sections: list[tuple[str, str]] = [("", parts[0])]
    sections += [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    rest: list[str] = []
    situation = goal = ""
    for label_raw, body in sections:
        label = label_raw.lower()
        body_clean = _clean(body)
        if label.startswith("your character"):
            task.persona_text = body_clean
        elif label.startswith("your situation"):
            situation = body_clean
        elif label.startswith("your goal"):
            goal = body_clean
        elif "verification" in label or "information you know" in label:
            for line in re.split(r"\n|(?<=\S) - (?=[A-Z])", body):
                facts_from_sentence(line.strip(" -"), task.facts)
        else:
            if ("opening" in label or "start naturally" in label) and not task.opening_line:
                quote = _QUOTE.search(body)
                if quote:
                    task.opening_line = quote.group(1).strip()
            rest.append(f"{label_raw}: {body}" if label_raw else body)
    if not task.persona_text:
        task.persona_text = " ".join(
            s for s in sentences(text) if "your character" in s.lower() or "you love" in s.lower()
        )
    for sentence in sentences(task.persona_text):
        facts_from_sentence(sentence, task.facts)
    for sentence in sentences(text):
        if re.search(r"\bnamed\b|annual income|annually|credit score", sentence):
            facts_from_sentence(sentence, task.facts)
    task.facts.pop("notes", None)
    _demographics(task)
    for user_id in re.findall(r"\buser_\d+\b", text):
        task.facts.setdefault("user_id", user_id)
    for task_id in re.findall(r"\btask_\d+\b", text):
        task.facts.setdefault("task_id", task_id)
    opening = re.sub(r"^(?:hi|hello|hey)[!,.]*\s*", "", task.opening_line, flags=re.IGNORECASE)
    task.reason_for_call = goal or situation or opening or _reason_from_sentences(text)
    task.task_instructions = _strip_boilerplate("".join(rest))
    return task


def _strip_boilerplate(text: str) -> str:
    for sentence in sentences(text):
        if _is_boilerplate(sentence):
            text = text.replace(sentence, "")
    text = re.sub(r"[ \t]+\n", "\n", text.replace("**", ""))
    paragraphs = re.split(r"\n{2,}", text)
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def _reason_from_sentences(text: str) -> str:
    candidates = [
        s for s in sentences(text) if not _is_boilerplate(s) and "character" not in s.lower()
    ]
    chosen = [s for s in candidates if any(w in s.lower() for w in _REASON_WORDS)][:2]
    if not chosen and candidates:
        chosen = candidates[:1]
    return _clean(" ".join(chosen))


def _demographics(task: FreeTextTask) -> None:
    match = _AGE_JOB.search(task.persona_text)
    if match:
        task.age = int(match.group(1))
        task.occupation = match.group(2).strip()
        return
    named = _NAMED_JOB.search(task.persona_text)
    if named:
        task.occupation = named.group(1).strip()
