"""``ClockedStore``: the base of the stores that stamp what they write with the time.

The attempt, recording and assignment stores each take a session factory and a clock; they
inherit both from here, so a test gives any of them a fixed clock the same way.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from understudy.storage.attempt_records import Now, utc_now
from understudy.storage.db import open_database


class ClockedStore:
    """A store over a SQLAlchemy session factory, with an injectable clock.

    Args:
        sessions: a SQLAlchemy session factory; ``open_database()`` when None.
        now: wall-clock source (naive UTC), injectable for tests.
    """

    def __init__(self, sessions: sessionmaker[Session] | None = None, now: Now = utc_now) -> None:
        self._sessions: sessionmaker[Session] = sessions or open_database()
        self.now = now
