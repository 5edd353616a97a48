"""An observer that stores a practice call's events as they happen, one commit each.

Every message, mood change, dialogue act and exit check is written to the attempt's event log,
and every message to its transcript, before the engine moves on. A process killed mid-call
therefore leaves the transcript so far, on an attempt still marked ``interrupted``.

The writes of one event run on a worker thread (``asyncio.to_thread``) while the event loop
keeps serving the terminal and the model calls; the observer awaits them, so events are still
stored one after another, in order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from understudy.engine.events import (
    ActPerformed,
    ConversationEnded,
    ConversationStarted,
    Event,
    ExitChecked,
    MessageAdded,
    MoodChanged,
)
from understudy.storage.attempt_store import AttemptStore


class AttemptRecorder:
    """Stores the events of one attempt.

    Args:
        store: the attempt store.
        attempt_id: the attempt, created with ``AttemptStore.start_attempt``.
    """

    def __init__(self, store: AttemptStore, attempt_id: int) -> None:
        self.store = store
        self.attempt_id = attempt_id

    async def on_event(self, event: Event) -> None:
        """Write ``event`` to the event log (and the transcript, for messages), off the loop.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the database refused the write; it propagates and
                stops the call (a lost record is worse than a stopped call).
        """
        await asyncio.to_thread(self.write, event)

    def write(self, event: Event) -> None:
        """Write ``event`` now, on the calling thread (1 to 3 commits)."""
        store, attempt = self.store, self.attempt_id
        data: dict[str, Any]
        if isinstance(event, ConversationStarted):
            store.add_event(attempt, "started", None, 0.0, {"scenario": event.scenario_id})
        elif isinstance(event, MessageAdded):
            message = event.message
            store.add_message(attempt, message)
            data = {"role": message.role.value, "text": message.text}
            store.add_event(attempt, "message", message.index, event.at_s, data)
        elif isinstance(event, MoodChanged):
            old = event.old.value if event.old else None
            data = {"old": old, "new": event.new.value}
            store.add_event(attempt, "mood_changed", event.turn, event.at_s, data)
        elif isinstance(event, ActPerformed):
            store.add_event(attempt, "act", event.turn, event.at_s, {"act": str(event.act)})
        elif isinstance(event, ExitChecked):
            data = {"condition": event.condition_id, "met": event.met}
            store.add_event(attempt, "exit_check", event.turn, event.at_s, data)
        elif isinstance(event, ConversationEnded):
            result = event.result
            data = {"reason": result.termination_reason.value, "detail": result.detail}
            store.add_event(attempt, "ended", None, event.at_s, data)
            store.finish_attempt(
                attempt, result.termination_reason.value, result.detail, result.duration_s
            )
