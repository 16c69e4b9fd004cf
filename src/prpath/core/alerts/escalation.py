"""Who is told about an alert, and when, until someone acknowledges it: the deadline logic of the escalation,
as pure functions of the time (issue 13). The worker asks ``steps_due`` which notifications are due now.

An alert notifies its first contact when it is raised (or reopened). Each acknowledgement deadline that
passes with nobody acknowledging notifies the next contact on the clinic's ordered list; once the list is
used up, its last contact (the on-call phone, say) is told again at each deadline: nobody falls through.
Acknowledging stops it. The deadlines are per kind of alert, in hours and after hours (``AckRule``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from prpath.core.alerts.hours import OpeningHours

# No schedule runs for ever: steps after this many are not planned (a clinic that lets an alert wait this
# long has a problem no notification solves, and the worklist shows the alert in any case).
MAX_STEPS = 50


@dataclass(frozen=True, slots=True)
class AckRule:
    """How long an alert of one kind may wait for an acknowledgement. ``within``: from the notification;
    ``after_hours_within``, when given, replaces it while the clinic is closed; ``by_opening_plus``: by
    the clinic's next opening plus this (the next opening is now, while it is open); ``by_end_of_next_working_day``:
    by the close of the next working day. ``on_call_after_hours``: while the clinic is closed, the first
    contact is the on-call one."""

    within: dt.timedelta | None = None
    after_hours_within: dt.timedelta | None = None
    by_opening_plus: dt.timedelta | None = None
    by_end_of_next_working_day: bool = False
    on_call_after_hours: bool = False

    def __post_init__(self) -> None:
        ways = [self.within is not None, self.by_opening_plus is not None, self.by_end_of_next_working_day]
        if sum(ways) != 1:
            raise ValueError("an acknowledgement rule has exactly one of within, by_opening_plus, end of day")
        for gap in (self.within, self.after_hours_within, self.by_opening_plus):
            if gap is not None and gap <= dt.timedelta(0):
                raise ValueError("an acknowledgement deadline is after the notification")


# The defaults of issue 13: emergency 15 minutes at any hour; urgent 60 minutes in hours and the on-call
# contact after hours; consult by the next opening plus 4 hours; a note to read by the end of the next
# working day.
DEFAULT_RULES: Mapping[str, AckRule] = {
    "emergency": AckRule(within=dt.timedelta(minutes=15)),
    "urgent": AckRule(within=dt.timedelta(minutes=60), on_call_after_hours=True),
    "consult": AckRule(by_opening_plus=dt.timedelta(hours=4)),
    "note": AckRule(by_end_of_next_working_day=True),
}


@dataclass(frozen=True, slots=True)
class Step:
    at: dt.datetime  # when this notification is due
    contact: str  # whom it goes to
    number: int  # 0 for the first notification, then 1, 2, ...
    escalated: bool  # sent because a deadline passed with nobody acknowledging


def deadline(rule: AckRule, notified_at: dt.datetime, hours: OpeningHours) -> dt.datetime:
    """When a notification sent at ``notified_at`` must have been acknowledged. A deadline that waits for an
    opening that does not come (a clinic closed for weeks) falls back to one hour: it never waits for ever."""
    if rule.within is not None:
        gap = rule.within
        if rule.after_hours_within is not None and not hours.is_open(notified_at):
            gap = rule.after_hours_within
        return notified_at + gap
    if rule.by_opening_plus is not None:
        opening = hours.next_opening(notified_at)
        return (opening + rule.by_opening_plus) if opening is not None else notified_at + dt.timedelta(hours=1)
    end = hours.end_of_next_working_day(notified_at)
    return end if end is not None and end > notified_at else notified_at + dt.timedelta(hours=1)


def contacts_for(
    rule: AckRule, raised_at: dt.datetime, hours: OpeningHours, contacts: Sequence[str], on_call: str | None
) -> list[str]:
    """The ordered list this alert walks: the clinic's escalation list, with the on-call contact first after
    hours where the rule says so (and last in any case, when there is one)."""
    order = list(contacts)
    if on_call is not None:
        order = [c for c in order if c != on_call]
        order = [on_call, *order] if rule.on_call_after_hours and not hours.is_open(raised_at) else [*order, on_call]
    if not order:
        raise ValueError("an escalation needs at least one contact")
    return order


def schedule(
    rule: AckRule,
    raised_at: dt.datetime,
    hours: OpeningHours,
    contacts: Sequence[str],
    *,
    on_call: str | None = None,
    until: dt.datetime,
) -> list[Step]:
    """Every notification of an alert raised at ``raised_at`` and never acknowledged, up to ``until``."""
    order = contacts_for(rule, raised_at, hours, contacts, on_call)
    steps = [Step(raised_at, order[0], 0, False)]
    while len(steps) < MAX_STEPS:
        due = deadline(rule, steps[-1].at, hours)
        if due > until:
            break
        number = len(steps)
        steps.append(Step(due, order[min(number, len(order) - 1)], number, True))
    return steps


def steps_due(
    rule: AckRule,
    raised_at: dt.datetime,
    hours: OpeningHours,
    contacts: Sequence[str],
    *,
    now: dt.datetime,
    acknowledged_at: dt.datetime | None = None,
    on_call: str | None = None,
) -> list[Step]:
    """The notifications due by ``now``: none after the acknowledgement (a step due at the very moment it was
    acknowledged is not sent). The worker sends those it has not sent yet (it records each step's number)."""
    stop = now if acknowledged_at is None else min(now, acknowledged_at)
    steps = schedule(rule, raised_at, hours, contacts, on_call=on_call, until=stop)
    if acknowledged_at is not None:
        steps = [s for s in steps if s.at < acknowledged_at]
    return steps
