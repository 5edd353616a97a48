"""Scripted beats: what a scenario tells the customer to do at a given moment of the call.

Scenario authors (and tau2 tasks) write them into ``reason_for_call`` or ``task_instructions``:
"At the end, ask whether the vacuum cleaner could be returned as well", "Mention that you have
already called twice". ``customer_reason`` keeps them out of the goal; ``scenario_beats`` turns
each into a line the customer says itself, at its moment:

* ``end``: the sentence opens with "at the end", "finally", "before hanging up", "once it is
  done"...: said when the agent asks whether there is anything else, or closes, whichever
  comes first;
* ``soon``: an "ask..."/"mention..." sentence with no timing: said on the first turn after the
  goal was stated in which the agent asks for nothing (it reports progress, shows empathy...), and
  at the latest with the ``end`` beats.

The line is the instruction in the first person: "ask whether X" becomes "I also wanted to ask
whether X", "mention that you Y" becomes "I should mention that I Y". Conditional instructions
("If the agent offers credit, refuse") are not beats: the offer rules (``rules``) handle offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from understudy.domain.scenario import Scenario
from understudy.simulators.offline.reason import _SENTENCE, _first_person

_END = re.compile(
    r"^(?:at the (?:very )?end|in the end|finally|lastly|at the close|before (?:you )?"
    r"(?:hang(?:ing)? up|end(?:ing)?|leav(?:e|ing)|finish(?:ing)?)(?: the (?:call|chat|"
    r"conversation))?|once (?:it|that|this|everything|the \w+) (?:is|has been) \w+|after that)"
    r"\b[^,]*,\s*",
    re.IGNORECASE,
)
_ACT = re.compile(
    r"^(?:also |then |and )?(ask|mention|say|tell (?:the agent|them|the assistant)|request|"
    r"bring up)\b\s*(?:the agent |them |the assistant )?(.*)$",
    re.IGNORECASE,
)
_LEADS = {
    "ask": "I also wanted to ask ",
    "request": "I'd also like to request ",
    "bring up": "I also wanted to bring up ",
}


@dataclass(frozen=True)
class Beat:
    """One scripted beat.

    Attributes:
        moment: ``end`` or ``soon`` (see the module docstring).
        line: what the customer says, first person.
        source: the scenario sentence it came from.
    """

    moment: str
    line: str
    source: str


def _line(verb: str, rest: str) -> str:
    rest = _first_person(rest.strip().rstrip(".!?"))
    rest = rest[:1].lower() + rest[1:] if not rest.startswith("I ") else rest
    verb = verb.lower()
    if verb.startswith(("mention", "say", "tell")):
        rest = re.sub(r"^that\s+", "", rest)
        return f"I should mention that {rest}."
    lead = _LEADS.get(verb, "I also wanted to ask ")
    if verb == "ask" and not re.match(r"^(?:whether|if|about|for|why|how|when|what|who)\b", rest):
        lead = "I also wanted to ask about "
    return f"{lead}{rest}."


def scenario_beats(scenario: Scenario) -> list[Beat]:
    """The scripted beats of a scenario, in the order its text gives them."""
    goal = scenario.goal
    beats: list[Beat] = []
    for text in (goal.reason_for_call, goal.task_instructions):
        for raw in _SENTENCE.findall(" ".join(text.split())):
            sentence = raw.strip()
            if not sentence:
                continue
            timed = _END.match(sentence)
            body = sentence[timed.end() :] if timed else sentence
            act = _ACT.match(body)
            if not act or not act.group(2).strip():
                continue
            beats.append(Beat("end" if timed else "soon", _line(act.group(1), act.group(2)), raw))
    return beats
