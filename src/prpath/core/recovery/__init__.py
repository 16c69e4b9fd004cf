"""The recovery plan after an injection: what each day brings, and when check-ins are due. Pure."""

from __future__ import annotations

from prpath.core.recovery.plan import (
    DayGuidance,
    RestrictionToday,
    checkin_days,
    guidance_for,
    missed_checkins,
    next_checkin_due,
)

__all__ = [
    "DayGuidance",
    "RestrictionToday",
    "checkin_days",
    "guidance_for",
    "missed_checkins",
    "next_checkin_due",
]
