"""Day-by-day guidance and the check-in schedule, computed from the protocol and the injection date.

Day N is the date minus the injection date (the injection day is day 0), as in the triage engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from prpath.core.protocol.schema import PlanStage, RecoveryPlan, Schedules

# Open-ended schedule windows ("weekly from day 21") stop here: a schedule is about recovery, not forever.
SCHEDULE_HORIZON_DAYS = 366


@dataclass(frozen=True, slots=True)
class RestrictionToday:
    avoid: str
    instead: str | None
    last_day: int | None  # the last day it applies; None: no end set
    days_left: int | None  # days after today it still applies; 0: today is the last day


@dataclass(frozen=True, slots=True)
class DayGuidance:
    day: int  # negative before the injection
    date: dt.date
    injection_date: dt.date
    stage: PlanStage | None  # None before the injection
    next_stage: PlanStage | None
    restrictions: tuple[RestrictionToday, ...]
    checkin_due_today: bool
    next_checkin: dt.date | None  # the next due date after today
    last_checkin: dt.date | None = None  # the schedule's last due date (None: open-ended, up to the horizon)
    # The follow-ups after the check-ins end (the outcome timepoints still ahead): what the patient, and
    # whoever they show the page to, can expect next.
    outcomes_ahead: tuple[tuple[str, dt.date], ...] = ()

    @property
    def before_injection(self) -> bool:
        return self.day < 0

    @property
    def checkins_over(self) -> bool:
        """No check-in is due after today: the last one was today, or has passed."""
        return self.day >= 0 and self.next_checkin is None


def guidance_for(plan: RecoveryPlan, schedules: Schedules, injection_date: dt.date, today: dt.date) -> DayGuidance:
    day = (today - injection_date).days
    stages = sorted(plan.stages, key=lambda s: s.window.from_day)
    stage = next((s for s in stages if s.window.contains(day)), None) if day >= 0 else None
    next_stage = next((s for s in stages if s.window.from_day > day), None)
    restrictions = tuple(
        RestrictionToday(
            avoid=r.avoid,
            instead=r.instead,
            last_day=r.window.to_day,
            days_left=None if r.window.to_day is None else r.window.to_day - day,
        )
        for r in plan.restrictions
        if day >= 0 and r.window.contains(day)
    )
    due = checkin_days(schedules)
    return DayGuidance(
        day=day,
        date=today,
        injection_date=injection_date,
        stage=stage,
        next_stage=next_stage,
        restrictions=restrictions,
        checkin_due_today=day in due,
        next_checkin=next((injection_date + dt.timedelta(days=d) for d in due if d > day), None),
        last_checkin=injection_date + dt.timedelta(days=due[-1]) if due else None,
        outcomes_ahead=tuple(
            (t.label, injection_date + dt.timedelta(days=t.day))
            for t in sorted(schedules.outcomes.timepoints, key=lambda t: t.day)
            if t.day > day
        ),
    )


def checkin_days(schedules: Schedules) -> tuple[int, ...]:
    """Every day after the injection on which a check-in is due, in order."""
    days: set[int] = set()
    for item in schedules.checkins:
        last = item.window.to_day if item.window.to_day is not None else SCHEDULE_HORIZON_DAYS
        days.update(range(item.window.from_day, last + 1, item.every_days))
    return tuple(sorted(days))


def next_checkin_due(schedules: Schedules, injection_date: dt.date, after: dt.date | None) -> dt.date | None:
    """The first due date after ``after`` (the last check-in), or the first of all when there is none."""
    for day in checkin_days(schedules):
        due = injection_date + dt.timedelta(days=day)
        if after is None or due > after:
            return due
    return None


def missed_checkins(
    schedules: Schedules, injection_date: dt.date, done: Iterable[dt.date], today: dt.date
) -> tuple[dt.date, ...]:
    """Due dates that have passed (before today) with no check-in on that date."""
    done_dates = set(done)
    out = []
    for day in checkin_days(schedules):
        due = injection_date + dt.timedelta(days=day)
        if due >= today:
            break
        if due not in done_dates:
            out.append(due)
    return tuple(out)
