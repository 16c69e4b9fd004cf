"""Notes the clinic's staff write on a patient's record."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, person, problems
from prpath.clinic.models import ClinicalNote, Patient

NOTE_LIMIT = 4000


@transaction.atomic(durable=True)
def do_add_note(actor: Actor, patient: Patient, *, text: str, now: dt.datetime) -> ClinicalNote:
    text = text.strip()
    if not text:
        raise problems(("text", "is required"))
    if len(text) > NOTE_LIMIT:
        raise problems(("text", f"is longer than {NOTE_LIMIT} characters"))
    note = ClinicalNote.objects.create(patient=patient, author=person(actor), written_at=now, text=text)
    audit(actor, AuditAction.NOTE_ADD, patient.clinic, now=now, patient=patient, object_uuid=note.uuid)
    return note
