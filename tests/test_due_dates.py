"""Sessions per week roll forward: each due date follows from the frequency, a missed one shows
Overdue, finishing one moves the session to the next; all on an injected (fake) clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import Database
from understudy.content.loader import load_model
from understudy.content.personas import resolve_persona
from understudy.domain.scenario import Scenario
from understudy.storage.assignments import AssignmentStore
from understudy.storage.attempt_store import AttemptStore
from understudy.storage.db import alembic_config, make_engine, open_database
from understudy.storage.due_dates import due_on, rolling_schedule, rolling_status

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "practice-retail-return.yaml"
MONDAY = date(2026, 3, 2)


def d(day: int) -> date:
    """A day of March 2026 (the 2nd is a Monday)."""
    return date(2026, 3, day)


def test_due_dates_spread_the_frequency_over_each_week() -> None:
    assert [due_on(MONDAY, 2, k) for k in range(1, 5)] == [d(5), d(9), d(12), d(16)]
    assert [due_on(MONDAY, 1, k) for k in range(1, 3)] == [d(9), d(16)]
    assert [due_on(MONDAY, 5, k) for k in range(1, 6)] == [d(3), d(4), d(6), d(7), d(9)]
    assert [due_on(MONDAY, 10, k) for k in range(1, 3)] == [d(3), d(4)], "at most one a day"
    with pytest.raises(ValueError, match="above 0"):
        due_on(MONDAY, 0, 1)


def _status(finished: list[date], today: date) -> tuple[date, str, bool]:
    schedule = rolling_schedule(MONDAY, 2, finished)
    return schedule.due, rolling_status(schedule, today), schedule.late


def test_a_missed_due_date_is_overdue_and_finishing_one_moves_to_the_next() -> None:
    assert _status([], d(5)) == (d(5), "To do", False), "the due day itself is on time"
    assert _status([], d(6)) == (d(5), "Overdue", False)
    assert _status([d(6)], d(6)) == (d(9), "To do", True), "caught up late: the next one is open"
    assert _status([d(4)], d(4)) == (d(9), "Completed", False)
    assert _status([d(4)], d(5)) == (d(9), "Completed", False), "done until the period ends"
    assert _status([d(4)], d(6)) == (d(9), "To do", False), "the next period has begun"
    assert _status([d(4)], d(10)) == (d(9), "Overdue", False)
    assert _status([d(4), d(8)], d(10)) == (d(12), "To do", False)


def test_two_attempts_in_one_period_do_not_pay_for_the_next() -> None:
    assert _status([d(3), d(4)], d(6)) == (d(9), "To do", False)
    assert _status([d(3), d(4)], d(10)) == (d(9), "Overdue", False)


def test_attempts_before_the_assignment_do_not_count() -> None:
    assert rolling_schedule(MONDAY, 2, [d(1)]).met == 0


class FakeClock:
    """A wall clock that a test moves by hand (naive UTC)."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def to(self, day: date, hour: int = 10) -> None:
        self.moment = datetime(day.year, day.month, day.day, hour)


@pytest.mark.usefixtures("database")
def test_an_assigned_session_rolls_forward_on_the_stores_clock() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 9))
    scenario = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / scenario.persona))
    assignments = AssignmentStore(now=clock)
    attempts = AttemptStore(now=clock)
    assignments.assign(scenario, "kim", per_week=2)

    def shown() -> tuple[date | None, str]:
        [session] = assignments.sessions()
        [same] = attempts.list_sessions()
        assert (same.deadline, same.status) == (session.deadline, session.status)
        return session.deadline, session.status

    assert shown() == (d(5), "To do")
    clock.to(d(6))
    assert shown() == (d(5), "Overdue"), "the first due date was missed"
    attempt = attempts.start_attempt("kim", scenario, persona)
    assert shown() == (d(5), "Overdue"), "an unfinished attempt meets nothing"
    attempts.finish_attempt(attempt, "trainee_ended", "", 30.0)
    assert shown() == (d(9), "To do"), "finishing one moves to the next due date"
    clock.to(d(8))
    attempts.finish_attempt(attempts.start_attempt("kim", scenario, persona), "goal_met", "", 9.0)
    assert shown() == (d(12), "Completed")
    clock.to(d(13))
    assert shown() == (d(12), "Overdue")
    fixed = assignments.assign(scenario, "kim", deadline=d(20))
    assert not fixed.created and shown() == (d(20), "Completed"), "a fixed deadline does not roll"


@pytest.mark.usefixtures("database")
def test_reassigning_keeps_the_schedule_unless_the_frequency_changes() -> None:
    clock = FakeClock(datetime(2026, 3, 2, 9))
    scenario = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / scenario.persona))
    assignments = AssignmentStore(now=clock)
    attempts = AttemptStore(now=clock)
    assignments.assign(scenario, "kim", per_week=2)
    clock.to(d(3))
    attempts.finish_attempt(attempts.start_attempt("kim", scenario, persona), "goal_met", "", 9.0)

    def shown() -> tuple[date | None, str, str]:
        [session] = assignments.sessions()
        return session.deadline, session.status, session.instructions

    assert shown()[:2] == (d(9), "Completed")
    clock.to(d(4))
    kept = assignments.assign(scenario, "kim", instructions="Ask about the receipt.")
    assert not kept.created
    assert shown() == (d(9), "Completed", "Ask about the receipt."), "the schedule keeps its start"
    assignments.assign(scenario, "kim", per_week=2, assigned_by="lee")
    assert shown()[:2] == (d(9), "Completed"), "the same frequency is no change"
    assignments.assign(scenario, "kim", per_week=1)
    assert shown()[:2] == (d(11), "To do"), "a new frequency starts its weeks on the day it is set"


def test_the_migration_lets_stored_first_due_dates_roll(database: Database) -> None:
    from alembic import command

    engine = make_engine(database.url)
    config = alembic_config(engine)
    command.upgrade(config, "head")  # SQLite's default database is made on first use
    command.downgrade(config, "0012_contacts")
    assigned = datetime(2026, 3, 2, 9)
    with engine.begin() as conn:
        for trainee, deadline in (("kim", d(5)), ("ana", d(20))):
            conn.execute(
                text(
                    "INSERT INTO practice_sessions (trainee, scenario_id, scenario_name, "
                    "deadline, created_at, per_week, instructions, assigned_at, workspace_id) "
                    "VALUES (:t, 'practice-retail-return', '', :d, :a, 2, '', :a, 1)"
                ),
                {"t": trainee, "d": deadline, "a": assigned},
            )
    command.upgrade(config, "head")
    engine.dispose()
    rows = AssignmentStore(sessions=open_database(database.url)).sessions(today=d(10))
    shown = {r.trainee: (r.deadline, r.status) for r in rows}
    assert shown == {"kim": (d(5), "Overdue"), "ana": (d(20), "To do")}
    later = AssignmentStore(sessions=open_database(database.url)).sessions(today=d(4))
    assert {r.trainee: r.status for r in later} == {"kim": "To do", "ana": "To do"}


@pytest.mark.usefixtures("database")
def test_roleplay_training_shows_the_rolled_deadline_and_overdue() -> None:
    from understudy.storage.attempt_records import utc_now
    from understudy.teams.accounts import Accounts
    from understudy.teams.context import acting_as
    from web_helpers import signed_in, table_rows

    today = utc_now().date()  # the web app reads the real clock (UTC)
    scenario = load_model(Scenario, SCENARIO)
    persona = resolve_persona(str(SCENARIO.parent / scenario.persona))
    five_days_ago = FakeClock(datetime.combine(today, datetime.min.time()))
    five_days_ago.to(today - timedelta(days=5))
    with signed_in(username="ada") as client, acting_as(Accounts().get("ada").actor()):
        AssignmentStore(now=five_days_ago).assign(scenario, "ada", per_week=2)

        def row() -> list[str]:
            [shown] = table_rows(client.get("/sessions").text)
            return shown

        first_due = (today - timedelta(days=2)).isoformat()
        assert row()[3:5] == ["Overdue", first_due], "the first due date passed unmet"
        yesterday = FakeClock(utc_now())
        yesterday.to(today - timedelta(days=1))
        store = AttemptStore(now=yesterday)
        store.finish_attempt(store.start_attempt("ada", scenario, persona), "goal_met", "", 5.0)
        next_due = (today + timedelta(days=2)).isoformat()
        assert row()[3:5] == ["To do", next_due], "met late: the next due date is open"
