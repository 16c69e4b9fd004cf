"""The recovery plan and check-in schedule (``prpath.core.recovery.plan``), from the default protocol and from
generated schedules. No database: the plan is pure.

CLINICAL.md, "Recovery plan defaults": stages on days 0-2, 3-6, 7-13 and from 14; no NSAIDs and no heavy
lifting on days 0-14; check-ins daily on days 1-14, then weekly to week 6.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.protocol.schema import CheckInSchedule, DayWindow, Schedules
from prpath.core.recovery.plan import (
    SCHEDULE_HORIZON_DAYS,
    checkin_days,
    guidance_for,
    missed_checkins,
    next_checkin_due,
)
from prpath.files.protocols import default_protocol

PROTOCOL = default_protocol()
PLAN = PROTOCOL.recovery_plan
SCHEDULES = PROTOCOL.schedules
INJECTION = dt.date(2026, 3, 2)
PROTOCOL_DAYS = (*range(1, 15), 21, 28, 35, 42)


def on_day(day: int) -> dt.date:
    return INJECTION + dt.timedelta(days=day)


# --- guidance ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "window"),
    [
        (0, (0, 2)),
        (2, (0, 2)),
        (3, (3, 6)),
        (6, (3, 6)),
        (7, (7, 13)),
        (13, (7, 13)),
        (14, (14, None)),
        (90, (14, None)),
    ],
)
def test_each_day_has_the_stage_of_its_window(day: int, window: tuple[int, int | None]) -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(day))

    assert guidance.day == day
    assert guidance.stage is not None
    assert (guidance.stage.window.from_day, guidance.stage.window.to_day) == window


def test_the_first_days_are_for_rest() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(1))

    assert guidance.stage is not None
    assert "Rest" in guidance.stage.title
    assert guidance.next_stage is not None
    assert guidance.next_stage.window.from_day == 3


def test_the_last_stage_has_no_next_stage() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(20))

    assert guidance.next_stage is None


def test_on_day_three_the_restrictions_have_eleven_days_left() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(3))

    assert len(guidance.restrictions) == 2
    assert {r.last_day for r in guidance.restrictions} == {14}
    assert {r.days_left for r in guidance.restrictions} == {11}
    assert any("NSAID" in r.avoid for r in guidance.restrictions)
    assert any("lifting" in r.avoid for r in guidance.restrictions)


def test_day_fourteen_is_the_last_day_of_the_restrictions() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(14))

    assert {r.days_left for r in guidance.restrictions} == {0}


def test_from_day_fifteen_nothing_is_restricted() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(15))

    assert guidance.restrictions == ()


def test_before_the_injection_there_is_no_stage_and_no_restriction() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(-2))

    assert guidance.day == -2
    assert guidance.before_injection
    assert guidance.stage is None
    assert guidance.restrictions == ()
    assert guidance.next_stage is not None
    assert guidance.next_stage.window.from_day == 0
    assert not guidance.checkin_due_today
    assert guidance.next_checkin == on_day(1)


def test_the_injection_day_is_not_before_the_injection() -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, INJECTION)

    assert not guidance.before_injection
    assert not guidance.checkin_due_today  # the first check-in is the next day
    assert guidance.next_checkin == on_day(1)


@pytest.mark.parametrize(("day", "due", "next_day"), [(5, True, 6), (14, True, 21), (15, False, 21), (42, True, None)])
def test_it_says_whether_a_check_in_is_due_today_and_when_the_next_is(
    day: int, due: bool, next_day: int | None
) -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(day))

    assert guidance.checkin_due_today is due
    assert guidance.next_checkin == (None if next_day is None else on_day(next_day))


# --- the schedule --------------------------------------------------------------------------------------


def test_check_ins_are_daily_to_day_fourteen_then_weekly_to_week_six() -> None:
    assert checkin_days(SCHEDULES) == PROTOCOL_DAYS


def test_the_first_check_in_is_due_on_day_one() -> None:
    assert next_checkin_due(SCHEDULES, INJECTION, None) == on_day(1)


@pytest.mark.parametrize(("after", "due"), [(1, 2), (13, 14), (14, 21), (15, 21), (22, 28), (41, 42)])
def test_the_next_check_in_is_the_first_scheduled_day_after_the_last(after: int, due: int) -> None:
    assert next_checkin_due(SCHEDULES, INJECTION, on_day(after)) == on_day(due)


def test_no_check_in_is_due_after_week_six() -> None:
    assert next_checkin_due(SCHEDULES, INJECTION, on_day(42)) is None


def test_missed_check_ins_are_the_past_due_days_without_a_report() -> None:
    missed = missed_checkins(SCHEDULES, INJECTION, [on_day(1), on_day(3)], today=on_day(5))

    assert missed == (on_day(2), on_day(4))  # day 5 is today: not missed yet


def test_nothing_is_missed_on_the_injection_day() -> None:
    assert missed_checkins(SCHEDULES, INJECTION, [], today=INJECTION) == ()


def test_a_report_on_an_unscheduled_day_does_not_cover_a_scheduled_one() -> None:
    missed = missed_checkins(SCHEDULES, INJECTION, [on_day(d) for d in range(1, 15)] + [on_day(20)], today=on_day(29))

    assert missed == (on_day(21), on_day(28))


# --- properties, over generated schedules ----------------------------------------------------------------


@st.composite
def schedules(draw: st.DrawFn) -> Schedules:
    items = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        start = draw(st.integers(min_value=0, max_value=60))
        end = draw(st.one_of(st.none(), st.integers(min_value=start, max_value=start + 60)))
        items.append(
            CheckInSchedule(
                window=DayWindow(from_day=start, to_day=end), every_days=draw(st.integers(min_value=1, max_value=10))
            )
        )
    return SCHEDULES.model_copy(update={"checkins": items})


any_schedules = st.one_of(st.just(SCHEDULES), schedules())
days = st.integers(min_value=-30, max_value=SCHEDULE_HORIZON_DAYS + 30)


@given(any_schedules)
def test_scheduled_days_are_sorted_unique_and_inside_a_window(schedule: Schedules) -> None:
    scheduled = checkin_days(schedule)

    assert list(scheduled) == sorted(set(scheduled))
    for day in scheduled:
        assert any(item.window.contains(day) for item in schedule.checkins)


@given(any_schedules, days)
def test_the_next_check_in_is_always_a_later_scheduled_day(schedule: Schedules, after: int) -> None:
    due = next_checkin_due(schedule, INJECTION, on_day(after))
    scheduled = checkin_days(schedule)

    if due is None:
        assert all(day <= after for day in scheduled)
    else:
        day = (due - INJECTION).days
        assert due > on_day(after)
        assert day in scheduled
        assert not [d for d in scheduled if after < d < day]  # none skipped


@given(
    any_schedules,
    st.lists(st.integers(min_value=-5, max_value=80), max_size=20),
    st.integers(min_value=-5, max_value=100),
)
def test_missed_check_ins_are_past_scheduled_and_not_done(schedule: Schedules, done: list[int], today: int) -> None:
    done_dates = [on_day(d) for d in done]

    missed = missed_checkins(schedule, INJECTION, done_dates, today=on_day(today))

    scheduled = set(checkin_days(schedule))
    assert list(missed) == sorted(set(missed))
    for date in missed:
        assert date < on_day(today)
        assert date not in done_dates
        assert (date - INJECTION).days in scheduled
    # and nothing past, scheduled and not done is left out
    expected = {on_day(d) for d in scheduled if d < today} - set(done_dates)
    assert set(missed) == expected


@given(days)
def test_the_stage_window_always_contains_the_day(day: int) -> None:
    guidance = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(day))

    if day < 0:
        assert guidance.stage is None
        assert guidance.restrictions == ()
    else:
        assert guidance.stage is not None
        assert guidance.stage.window.contains(day)
    for restriction in guidance.restrictions:
        assert restriction.days_left is None or restriction.days_left >= 0
    if guidance.next_stage is not None:
        assert guidance.next_stage.window.from_day > day


# --- the end of the check-ins --------------------------------------------------------------------------


def test_week_six_is_the_last_check_in_and_the_follow_ups_at_three_six_and_twelve_months_come_next() -> None:
    on_the_day = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(42))
    after = guidance_for(PLAN, SCHEDULES, INJECTION, on_day(43))

    assert on_the_day.checkin_due_today
    assert on_the_day.checkins_over
    assert after.checkins_over
    assert after.last_checkin == on_day(42)
    assert [label for label, _ in after.outcomes_ahead] == ["3 months", "6 months", "12 months"]
    assert after.outcomes_ahead[0][1] == on_day(91)
    assert not guidance_for(PLAN, SCHEDULES, INJECTION, on_day(17)).checkins_over  # a gap, not the end


@given(any_schedules, days)
def test_the_check_ins_are_over_exactly_when_no_scheduled_day_is_ahead(schedule: Schedules, day: int) -> None:
    guidance = guidance_for(PLAN, schedule, INJECTION, on_day(day))
    scheduled = checkin_days(schedule)

    assert guidance.checkins_over == (day >= 0 and not any(d > day for d in scheduled))
    assert guidance.last_checkin == (on_day(scheduled[-1]) if scheduled else None)
    assert all(date > on_day(day) for _, date in guidance.outcomes_ahead)
