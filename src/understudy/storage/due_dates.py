"""Due dates that roll forward with a session's weekly frequency (pure date arithmetic, no I/O).

A session assigned with ``per_week`` sessions a week and no fixed deadline has ``per_week`` due
dates in every week (7 days) after the day it was assigned, spread evenly: the k-th is
``floor(k * 7 / per_week)`` days after assignment (``due_on``), so 2 a week are due on days 3
and 7, then 10 and 14; 1 a week every 7 days; more than 7 a week count as 7 (one a day). The
first due date is the one the assignment has always shown (``7 // per_week`` days, at least 1).

Each due date is met by one finished attempt started in its period: the days after the previous
due date up to and including this one (the first period also includes the day of assignment).
Attempts are taken in the order they were started; a late attempt meets the earliest due date
still open (the trainee catches up), and a second attempt in the same period does not count
ahead for the next. The session's **current** due date is the earliest one not met yet.

Status on a given day (``rolling_status``): **Overdue** when that day is past the current due
date (a period was missed); **Completed** when the latest period that has begun is met (the
trainee is up to date until the current due date's period begins); otherwise **To do**.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


def due_on(anchor: date, per_week: int, k: int) -> date:
    """Return the ``k``-th due date (1-based) of a session assigned on ``anchor``.

    Raises:
        ValueError: ``per_week`` is not positive.
    """
    if per_week <= 0:
        raise ValueError(f"expected sessions per week above 0, got {per_week}")
    return anchor + timedelta(days=k * 7 // min(per_week, 7))


@dataclass(frozen=True)
class Schedule:
    """Where a rolling session stands.

    Attributes:
        due: the current due date (the earliest not met yet).
        met: how many due dates have been met.
        late: the most recently met due date was met after it had passed.
        last_met: the most recently met due date, or None.
    """

    due: date
    met: int
    late: bool
    last_met: date | None


def rolling_schedule(anchor: date, per_week: int, finished: Iterable[date]) -> Schedule:
    """Return the current due date of a session assigned on ``anchor``.

    Args:
        anchor: the day the session was assigned (UTC).
        per_week: expected sessions a week (above 0).
        finished: the days (UTC) on which its finished attempts started, in any order.
    """
    met, late = 0, False
    for day in sorted(finished):
        opened = anchor if met == 0 else due_on(anchor, per_week, met) + timedelta(days=1)
        if day >= opened:
            met += 1
            late = day > due_on(anchor, per_week, met)
    last = due_on(anchor, per_week, met) if met else None
    return Schedule(due_on(anchor, per_week, met + 1), met, late, last)


def rolling_status(schedule: Schedule, today: date) -> str:
    """Return ``Overdue``, ``Completed`` or ``To do`` for a rolling session on ``today``."""
    if today > schedule.due:
        return "Overdue"
    if schedule.last_met is not None and today <= schedule.last_met:
        return "Completed"
    return "To do"
