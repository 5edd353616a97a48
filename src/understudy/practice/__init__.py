"""Practice calls as a library: start, record, grade, regrade and review a trainee's attempt.

A human trainee plays the agent against the user simulator; every event is stored as it
happens (``recorder.AttemptRecorder``), the finished call is graded per rubric criterion, and a
coach reviews it. Nothing here prints or reads a terminal: the CLI (``understudy.cli.practice``)
and the web app render, and fill the trainee's queue from stdin or a WebSocket.

Public API::

    from understudy.practice import start_practice, regrade, review

    call = await start_practice(scenario, persona, trainee_name="sam", rubric=rubric,
                                store=AttemptStore(), observers=[push_to_browser])
    call.say("Hello, how can I help?")     # each trainee line, e.g. from a WebSocket
    call.pause(); call.resume()            # the clock stops while paused
    call.end()                             # or the customer, an exit condition, the time limit
    outcome = await call.finish()          # PracticeOutcome: attempt_id, result, grade

* ``start_practice(...)`` -> ``PracticeCall``: creates the attempt and starts the call as a task
  of the running loop; ``say``, ``end``, ``pause``, ``resume``, ``cancel``, ``elapsed_s``,
  ``finish()`` (grades once, when a rubric was given). Engine events (each message, mood change,
  dialogue act, ending) reach the ``observers`` as they happen.
* ``run_practice(..., script=[...])`` -> ``PracticeOutcome``: the whole call from a script.
* ``regrade(store, attempt_id, rubric_ref=, grader=)`` -> ``Grade``: grade a stored attempt again.
* ``review(store, attempt_id, coach, note, overrides)`` -> ``AttemptRecord``: a coach's review.
* ``load_documents(scenario, base)``: the briefing documents a trainee reads first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from understudy.lazy import lazy_exports

if TYPE_CHECKING:
    from understudy.practice.briefing import OPENING_PAUSE_S, Document, load_documents
    from understudy.practice.call import (
        PracticeCall,
        PracticeOutcome,
        run_practice,
        start_practice,
    )
    from understudy.practice.grading import grade_attempt, regrade, review
    from understudy.practice.recorder import AttemptRecorder

_WHERE = {
    "AttemptRecorder": "understudy.practice.recorder",
    "Document": "understudy.practice.briefing",
    "OPENING_PAUSE_S": "understudy.practice.briefing",
    "PracticeCall": "understudy.practice.call",
    "PracticeOutcome": "understudy.practice.call",
    "grade_attempt": "understudy.practice.grading",
    "load_documents": "understudy.practice.briefing",
    "regrade": "understudy.practice.grading",
    "review": "understudy.practice.grading",
    "run_practice": "understudy.practice.call",
    "start_practice": "understudy.practice.call",
}
"""Where each public name lives: imported on first use, so importing one submodule (e.g.
for a constant) does not load the store and everything else."""


__getattr__ = lazy_exports(globals(), _WHERE)

__all__ = [
    "OPENING_PAUSE_S",
    "AttemptRecorder",
    "Document",
    "PracticeCall",
    "PracticeOutcome",
    "grade_attempt",
    "load_documents",
    "regrade",
    "review",
    "run_practice",
    "start_practice",
]
