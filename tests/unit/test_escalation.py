"""Clinic hours and the escalation's deadlines (``prpath.core.alerts.hours`` and ``.escalation``, issue 13):
pure functions of the time, checked at fixed moments, across a daylight-saving change, and as properties."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.alerts.escalation import DEFAULT_RULES, MAX_STEPS, AckRule, deadline, schedule, steps_due
from prpath.core.alerts.hours import OpeningHours

LONDON = zoneinfo.ZoneInfo("Europe/London")
NINE_TO_FIVE = {d: [(dt.time(9), dt.time(17))] for d in range(5)}  # Monday to Friday
HOURS = OpeningHours("Europe/London", NINE_TO_FIVE, frozenset({dt.date(2026, 12, 25)}))
CONTACTS = ["nurse on duty", "Dr Rao", "clinic lead"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


# --- opening hours -------------------------------------------------------------------------------------


def test_open_in_hours_closed_at_night_at_weekends_and_on_a_closed_day() -> None:
    assert HOURS.is_open(at("2026-12-04 10:00"))  # a Friday
    assert not HOURS.is_open(at("2026-12-04 17:00"))  # closing time is closed
    assert not HOURS.is_open(at("2026-12-04 19:00"))
    assert not HOURS.is_open(at("2026-12-05 10:00"))  # Saturday
    assert not HOURS.is_open(at("2026-12-25 10:00"))  # Christmas, a Friday


def test_the_next_opening_after_friday_evening_is_monday_morning() -> None:
    assert HOURS.next_opening(at("2026-12-04 19:00")) == at("2026-12-07 09:00")
    assert HOURS.next_opening(at("2026-12-07 10:30")) == at("2026-12-07 10:30")  # open: now


def test_the_next_working_day_ends_at_its_close() -> None:
    assert HOURS.end_of_next_working_day(at("2026-12-04 19:00")) == at("2026-12-07 17:00")
    assert HOURS.end_of_next_working_day(at("2026-12-07 08:00")) == at("2026-12-08 17:00")
    assert HOURS.end_of_next_working_day(at("2026-12-24 10:00")) == at("2026-12-28 17:00")  # past Christmas


def test_hours_across_the_clocks_going_back_stay_at_nine_local() -> None:
    # 25 October 2026: the UK's clocks go back. Monday opens at 09:00 GMT, a day after 09:00 BST on Friday.
    assert HOURS.next_opening(at("2026-10-24 12:00")) == dt.datetime(2026, 10, 26, 9, tzinfo=LONDON)
    assert dt.datetime(2026, 10, 26, 9, tzinfo=LONDON).utcoffset() == dt.timedelta(0)
    assert dt.datetime(2026, 10, 23, 9, tzinfo=LONDON).utcoffset() == dt.timedelta(hours=1)


def test_a_time_without_a_zone_and_a_bad_span_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HOURS.is_open(dt.datetime.fromisoformat("2026-12-04 10:00"))  # no zone
    with pytest.raises(ValueError, match="closes after it opens"):
        OpeningHours("Europe/London", {0: [(dt.time(17), dt.time(9))]})
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        OpeningHours("Mars/Olympus", {})


# --- deadlines and steps -------------------------------------------------------------------------------


def test_an_emergency_escalates_every_fifteen_minutes_at_any_hour() -> None:
    raised = at("2026-12-05 03:00")  # a Saturday night

    steps = schedule(DEFAULT_RULES["emergency"], raised, HOURS, CONTACTS, until=raised + dt.timedelta(minutes=45))

    assert [(s.at, s.contact, s.escalated) for s in steps] == [
        (raised, "nurse on duty", False),
        (raised + dt.timedelta(minutes=15), "Dr Rao", True),
        (raised + dt.timedelta(minutes=30), "clinic lead", True),
        (raised + dt.timedelta(minutes=45), "clinic lead", True),  # the last contact, again: nobody falls through
    ]


def test_an_urgent_alert_after_hours_goes_to_the_on_call_contact_first() -> None:
    friday_evening = at("2026-12-04 19:04")

    steps = schedule(
        DEFAULT_RULES["urgent"], friday_evening, HOURS, CONTACTS, on_call="on-call phone", until=at("2026-12-04 20:04")
    )

    assert [(s.at, s.contact) for s in steps] == [
        (friday_evening, "on-call phone"),
        (at("2026-12-04 20:04"), "nurse on duty"),
    ]


def test_an_urgent_alert_in_hours_goes_down_the_list_with_the_on_call_contact_last() -> None:
    monday = at("2026-12-07 10:00")

    steps = schedule(
        DEFAULT_RULES["urgent"], monday, HOURS, CONTACTS, on_call="on-call phone", until=at("2026-12-07 14:00")
    )

    assert [s.contact for s in steps] == ["nurse on duty", "Dr Rao", "clinic lead", "on-call phone", "on-call phone"]


def test_a_consult_waits_for_the_next_opening_plus_four_hours() -> None:
    assert deadline(DEFAULT_RULES["consult"], at("2026-12-04 19:00"), HOURS) == at("2026-12-07 13:00")
    assert deadline(DEFAULT_RULES["consult"], at("2026-12-07 10:00"), HOURS) == at("2026-12-07 14:00")


def test_a_note_is_read_by_the_end_of_the_next_working_day() -> None:
    assert deadline(DEFAULT_RULES["note"], at("2026-12-04 19:00"), HOURS) == at("2026-12-07 17:00")


def test_escalation_happens_exactly_at_the_deadline_and_acknowledging_stops_it() -> None:
    raised = at("2026-12-07 10:00")
    rule = DEFAULT_RULES["urgent"]

    just_before = steps_due(rule, raised, HOURS, CONTACTS, now=raised + dt.timedelta(minutes=59, seconds=59))
    on_time = steps_due(rule, raised, HOURS, CONTACTS, now=raised + dt.timedelta(minutes=60))
    acknowledged = steps_due(
        rule,
        raised,
        HOURS,
        CONTACTS,
        now=raised + dt.timedelta(hours=5),
        acknowledged_at=raised + dt.timedelta(minutes=60),
    )

    assert [s.number for s in just_before] == [0]
    assert [s.number for s in on_time] == [0, 1]
    assert [s.number for s in acknowledged] == [0]  # acknowledged at the deadline itself: nobody else is woken


def test_a_clinic_that_never_opens_still_has_deadlines() -> None:
    never = OpeningHours("Europe/London", {})
    raised = at("2026-12-07 10:00")

    assert deadline(DEFAULT_RULES["consult"], raised, never) == raised + dt.timedelta(hours=1)
    assert deadline(DEFAULT_RULES["note"], raised, never) == raised + dt.timedelta(hours=1)


def test_a_rule_needs_one_way_to_its_deadline() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AckRule()
    with pytest.raises(ValueError, match="after the notification"):
        AckRule(within=dt.timedelta(0))


# --- properties ----------------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime.fromisoformat("2026-01-01"),  # hypothesis wants naive bounds
    max_value=dt.datetime.fromisoformat("2027-12-31"),
    timezones=st.just(LONDON),
)
rules = st.sampled_from(sorted(DEFAULT_RULES))
spans = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 22), st.integers(1, 8)).map(
        lambda t: (t[0], dt.time(t[1]), dt.time(min(23, t[1] + t[2]), 59 if t[1] + t[2] >= 23 else 0))
    ),
    max_size=10,
)


def hours_of(items: list[tuple[int, dt.time, dt.time]]) -> OpeningHours:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for day, opens, closes in items:
        weekly.setdefault(day, []).append((opens, closes))
    return OpeningHours("Europe/London", weekly)


@given(moments, spans)
def test_the_next_opening_is_open_and_nothing_before_it_is(
    moment: dt.datetime, items: list[tuple[int, dt.time, dt.time]]
) -> None:
    hours = hours_of(items)
    opening = hours.next_opening(moment)

    if opening is None:
        assert not hours.is_open(moment)
    else:
        assert opening >= moment
        assert hours.is_open(opening)
        assert (opening == moment) == hours.is_open(moment)


@given(rules, moments, spans, st.integers(1, 5), st.booleans())
def test_steps_are_in_time_order_each_after_a_deadline_and_none_after_the_acknowledgement(
    kind: str, raised: dt.datetime, items: list[tuple[int, dt.time, dt.time]], count: int, on_call: bool
) -> None:
    hours = hours_of(items)
    contacts = [f"contact {i}" for i in range(count)]
    rule = DEFAULT_RULES[kind]
    until = raised + dt.timedelta(days=3)

    steps = schedule(rule, raised, hours, contacts, on_call="on call" if on_call else None, until=until)

    assert steps[0].at == raised
    assert not steps[0].escalated
    assert 1 <= len(steps) <= MAX_STEPS
    for before, after in itertools.pairwise(steps):
        assert after.at == deadline(rule, before.at, hours)  # each escalation is exactly at a passed deadline
        assert after.at > before.at
        assert after.escalated
    acknowledged = raised + (until - raised) / 2
    due = steps_due(rule, raised, hours, contacts, now=until, acknowledged_at=acknowledged, on_call=None)
    assert all(s.at < acknowledged for s in due)
