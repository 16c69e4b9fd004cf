"""A clinic's opening hours, in its own time zone: open now or not, when it next opens, when the next working
day ends. Pure: the time is always a parameter (an aware datetime), never read from a clock.

Issue 13 builds on this: patient advice that knows the hour ("urgent" after hours is the after-hours route,
never "call the clinic today" at 23:00) and the acknowledgement deadlines of the escalation.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

# How far ahead to look for an opening: a clinic closed for longer than this is treated as never opening,
# and every deadline that waits for an opening falls back to the after-hours route.
LOOK_AHEAD_DAYS = 31


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Weekly opening hours (Monday is 0), each day a list of (opens, closes) local times, closes after opens;
    ``closed_on`` are local dates the clinic does not open (public holidays)."""

    time_zone: str
    weekly: Mapping[int, Sequence[tuple[dt.time, dt.time]]]
    closed_on: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        zoneinfo.ZoneInfo(self.time_zone)  # an unknown zone fails here, not at 23:00
        for day, spans in self.weekly.items():
            if not 0 <= day <= 6:
                raise ValueError(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
            for opens, closes in spans:
                if not opens < closes:
                    raise ValueError(f"on weekday {day}, {opens} to {closes}: a span closes after it opens")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def spans_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's opening spans as aware datetimes (empty on a closed day). A local time that a
        daylight-saving change skips or repeats is read as the wall clock shows it (``fold=0``)."""
        if day in self.closed_on:
            return []
        zone = self.zone
        return [
            (dt.datetime.combine(day, opens, tzinfo=zone), dt.datetime.combine(day, closes, tzinfo=zone))
            for opens, closes in sorted(self.weekly.get(day.weekday(), ()))
        ]

    def _spans_from(self, at: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        local = _aware(at).astimezone(self.zone).date()
        for offset in range(-1, LOOK_AHEAD_DAYS + 1):
            yield from self.spans_on(local + dt.timedelta(days=offset))

    def is_open(self, at: dt.datetime) -> bool:
        at = _aware(at)
        return any(opens <= at < closes for opens, closes in self._spans_from(at))

    def next_opening(self, at: dt.datetime) -> dt.datetime | None:
        """When the clinic is next open at or after ``at`` (``at`` itself when it is open); None when it
        does not open within ``LOOK_AHEAD_DAYS``."""
        at = _aware(at)
        for opens, closes in self._spans_from(at):
            if closes > at:
                return max(opens, at)
        return None

    def end_of_next_working_day(self, at: dt.datetime) -> dt.datetime | None:
        """When the clinic closes on the first working day that begins after ``at``'s day: a note sent on a
        Friday evening is read by Monday's close; one sent on a Monday morning by Tuesday's."""
        at = _aware(at)
        today = at.astimezone(self.zone).date()
        for offset in range(1, LOOK_AHEAD_DAYS + 1):
            spans = self.spans_on(today + dt.timedelta(days=offset))
            if spans:
                return spans[-1][1]
        return None


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time must be timezone-aware")
    return at
