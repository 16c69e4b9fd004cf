"""Notes the clinic's staff write on a patient's record."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, lock_patient, person, problems, remember, sent_before
from prpath.clinic.models import ClinicalNote, Patient

NOTE_LIMIT = 4000


@transaction.atomic(durable=True)
def do_add_note(
    actor: Actor, patient: Patient, *, text: str, now: dt.datetime, once: uuid.UUID | None = None
) -> ClinicalNote:
    """A note on the record; the same rendered form sent again (``once``) adds nothing."""
    text = text.strip()
    if not text:
        raise problems(("text", "is required"))
    if len(text) > NOTE_LIMIT:
        raise problems(("text", f"is longer than {NOTE_LIMIT} characters"))
    patient = lock_patient(patient.pk)
    if (first := sent_before(actor, once, "note", text)) is not None:
        return ClinicalNote.objects.get(uuid=first)
    note = ClinicalNote.objects.create(patient=patient, author=person(actor), written_at=now, text=text)
    audit(actor, AuditAction.NOTE_ADD, patient.clinic, now=now, patient=patient, object_uuid=note.uuid)
    remember(actor, once, "note", text, note.uuid, now)
    return note
