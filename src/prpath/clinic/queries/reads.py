"""Recording what a page showed: one audit row per read, naming the patient, or every patient a list
showed (their ids, compactly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.audit.trail import record
from prpath.clinic.models import Clinic, Patient


def record_read(
    actor: Actor,
    action: AuditAction,
    clinic: Clinic,
    patients: Sequence[Patient],
    *,
    now: dt.datetime,
    detail: Mapping[str, Any] | None = None,
) -> None:
    record(actor, action, clinic_id=clinic.pk, at=now, patients=[p.pk for p in patients], detail=detail)
