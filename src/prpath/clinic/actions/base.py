"""What the actions share: problems named by field, the person behind an actor, the audit row."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from prpath.accounts.models import User
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.audit.trail import record
from prpath.clinic.models import Clinic, Patient
from prpath.core.problems import Problem, ProblemsFound


def problems(*items: tuple[str, str]) -> ProblemsFound:
    return ProblemsFound([Problem(location, message) for location, message in items])


def person(actor: Actor) -> User:
    """The user behind an actor, for records that name who did something (an author, an operator)."""
    if actor.user is None:
        raise ValueError(f"{actor} cannot do this: it needs a person")
    return actor.user


def audit(
    actor: Actor,
    action: AuditAction,
    clinic: Clinic,
    *,
    now: dt.datetime,
    patient: Patient | None = None,
    object_uuid: uuid.UUID | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    record(
        actor,
        action,
        clinic_id=clinic.pk,
        at=now,
        patient_id=patient.pk if patient is not None else None,
        object_uuid=object_uuid,
        detail=detail,
    )


def lock_patient(pk: int) -> Patient:
    """The patient (with their clinic), locked for this transaction: one report or action on a patient at a
    time. FOR NO KEY UPDATE, of the patient row only: rows that refer to the patient (an audit row, a
    check-in) can still be written by another transaction meanwhile, which FOR UPDATE would make wait, and a
    nurse's click and a patient's report could then wait on each other (a deadlock on PostgreSQL)."""
    return Patient.objects.select_for_update(no_key=True, of=("self",)).select_related("clinic").get(pk=pk)
