"""What the actions share: problems named by field, the person behind an actor, the audit row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from prpath.accounts.models import User
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.audit.trail import record
from prpath.clinic.models import Clinic, Patient, Submission
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


def digest(sent: Any) -> str:
    """What a form sent, as a hash: two copies of one page with the same answers have the same digest."""
    data = dataclasses.asdict(sent) if dataclasses.is_dataclass(sent) and not isinstance(sent, type) else sent
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def sent_before(actor: Actor, once: uuid.UUID | None, kind: str, sent: Any) -> uuid.UUID | None:
    """What the first sending of this rendered form with these same answers (``sent``) made; None for a first
    one, or for the page sent again with other answers (a new report). Asked under the patient's lock, so
    that copies of one form sent together are taken one at a time."""
    if once is None:
        return None
    first = Submission.objects.filter(user=person(actor), token=once).first()
    if first is None:
        return None
    if first.kind != kind:
        raise problems(("once", "this page was already sent as another form: reload it, then send it again"))
    return first.object_uuid if first.digest == digest(sent) else None


def remember(actor: Actor, once: uuid.UUID | None, kind: str, sent: Any, made: uuid.UUID, now: dt.datetime) -> None:
    """This rendered form has been acted on with these answers: a copy sent later with the same answers
    returns ``made`` (see ``sent_before``)."""
    if once is not None:
        Submission.objects.update_or_create(
            user=person(actor),
            token=once,
            defaults={"kind": kind, "object_uuid": made, "digest": digest(sent), "at": now},
        )
