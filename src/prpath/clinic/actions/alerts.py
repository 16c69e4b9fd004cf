"""Alerts: raised or updated by assessments (through the alert policy in the core), worked by the clinic.

``apply_assessment`` is called inside the transaction of the action that made the assessment; it finds
the patient's unresolved alert about the same injection (or about screening), asks the policy what the
assessment does to it, and applies the decision.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, lock_patient, person, problems
from prpath.clinic.models import Alert, AlertState, CheckIn, ClinicMessage, Patient, Procedure, Screening, UnsentForm
from prpath.clinic.translate import ClinicProtocol, alert_facts
from prpath.core.alerts import AlertState as CoreAlertState
from prpath.core.alerts import NewReport, decide
from prpath.core.findings import records_of
from prpath.core.protocol.schema import Disposition
from prpath.core.triage import Assessment


def apply_assessment(
    patient: Patient,
    assessment: Assessment,
    *,
    protocol: ClinicProtocol,
    checkin: CheckIn | None = None,
    screening: Screening | None = None,
    unsent: UnsentForm | None = None,
    procedure: Procedure | None = None,
    now: dt.datetime,
) -> Alert | None:
    """The patient's alert after ``assessment``: opened, raised, reopened, merged or left as it was.

    A patient has at most one unresolved alert per injection (and one about screening). ``unsent`` names a
    form that was refused and not stored although what could be read needed the emergency department."""
    # of=self: the lookup below may join check-ins (an outer join), which PostgreSQL will not lock.
    pending = Alert.objects.select_for_update(of=("self",)).filter(patient=patient).exclude(state=AlertState.RESOLVED)
    if checkin is not None:
        procedure = checkin.procedure
    if procedure is not None:
        about = Q(checkin__procedure_id=procedure.pk) | Q(unsent=UnsentForm.CHECKIN, procedure_id=procedure.pk)
    else:
        about = Q(screening__isnull=False) | Q(unsent=UnsentForm.SCREENING)
    alert = pending.filter(about).select_related("checkin").first()
    newer = checkin is None or alert is None or alert.checkin is None or checkin.date >= alert.checkin.date
    decision = decide(
        alert_facts(alert) if alert is not None else None,
        NewReport(assessment.disposition, records_of(assessment.findings), newer_than_source=newer),
    )
    after = decision.after
    if after is None:  # nothing above self-care, and no alert to keep
        return None
    if alert is None:
        alert = Alert(clinic_id=patient.clinic_id, patient=patient, raised_at=now, unsent=unsent or "")
        alert.checkin, alert.screening, alert.procedure = checkin, screening, procedure
    source_before = (alert.checkin_id, alert.screening_id, alert.unsent, alert.procedure_id)
    if alert.pk is not None and decision.points_at_report:
        # The alert points at the report that made it what it is: the most severe, the newest among equals.
        # A screening as severe as the alert is what it points at; a calmer one joins its findings only,
        # so that an emergency alert never points at answers that were not an emergency.
        if checkin is not None:
            alert.checkin = checkin
            alert.unsent = ""  # a stored report now explains the alert
        if screening is not None:
            alert.screening = screening
            alert.unsent = ""
    if unsent is not None:
        # What the alert holds now came partly from a form that was not stored: the card says so, and
        # points the nurse at the patient rather than at a report that does not hold those answers.
        alert.unsent = unsent
        alert.procedure = procedure or alert.procedure
    if alert.pk is not None and not decision.changes_alert:
        # The card says nothing new, unless it now points at another report or says one was not stored.
        if (alert.checkin_id, alert.screening_id, alert.unsent, alert.procedure_id) != source_before:
            alert.updated_at = now
            alert.save(update_fields=["checkin", "screening", "unsent", "procedure", "updated_at"])
        return alert
    previous_state = alert.state
    alert.state = after.state
    alert.disposition = after.disposition.value
    alert.severity_rank = after.disposition.rank
    alert.findings = after.findings
    alert.summary = after.summary
    alert.reopened_note = after.reopened_note
    if alert.pk is None or decision.points_at_report:
        # The words of the alert's severity come from the version of the report that set it.
        alert.protocol = protocol.version
    if after.state == CoreAlertState.OPEN and previous_state == AlertState.ACKNOWLEDGED:
        alert.acknowledged_at = None
        alert.acknowledged_by = None
    alert.updated_at = now
    alert.save()
    return alert


def _locked(alert: Alert) -> Alert:
    """The alert, locked, after its patient: a report locks the patient first, then the alert and the check-in,
    and a nurse's action takes them in the same order (the other order can deadlock on PostgreSQL)."""
    lock_patient(alert.patient_id)
    return Alert.objects.select_for_update(of=("self",)).select_related("clinic", "patient").get(pk=alert.pk)


def _check_unchanged(alert: Alert, seen: dt.datetime | None) -> None:
    """A nurse acts on the card they read: if a report changed the alert since, they read it again first."""
    if seen is not None and seen != alert.updated_at:
        raise problems(("alert", "this alert changed since you opened it: read it again, then act on it"))


@transaction.atomic(durable=True)
def do_acknowledge_alert(
    actor: Actor,
    alert: Alert,
    *,
    note: str = "",
    message: str = "",
    seen: dt.datetime | None = None,
    note_revision: int | None = None,
    now: dt.datetime,
) -> Alert:
    """``seen`` is the alert's ``updated_at`` as the page showed it; an alert changed since is refused.
    ``note_revision`` is the revision of the check-in whose note the card quoted: that note is read.
    ``message`` is for the patient (their Today shows it); ``note`` stays with the clinic."""
    alert = _locked(alert)
    if alert.state != AlertState.OPEN:
        raise problems(("state", f"this alert is already {alert.state}"))
    _check_unchanged(alert, seen)
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_by = person(actor)
    alert.acknowledged_at = now
    alert.acknowledge_note = note.strip()
    alert.reopened_note = ""  # seen: what changed is now part of what was acknowledged
    alert.updated_at = now
    alert.save()
    audit(
        actor,
        AuditAction.ALERT_ACKNOWLEDGE,
        alert.clinic,
        now=now,
        patient=alert.patient,
        object_uuid=alert.uuid,
        detail=_note_read_with(actor, alert, now, note_revision) | _message(actor, alert, message, now, resolves=False),
    )
    return alert


def _note_read_with(actor: Actor, alert: Alert, now: dt.datetime, revision: int | None) -> dict[str, str]:
    """The card quoted the note of the check-in behind the alert: whoever takes the alert on has read it, if
    the words the card showed (``revision``, the check-in's as the page had it) are still its words."""
    if alert.checkin_id is None or revision is None:
        return {}
    marked = CheckIn.objects.filter(pk=alert.checkin_id, revision=revision, note_unread=True)
    if not marked.update(note_read_at=now, note_read_by=person(actor), note_read_revision=revision, note_unread=False):
        return {}
    return {"note_read": str(CheckIn.objects.values_list("uuid", flat=True).get(pk=alert.checkin_id))}


def _message(actor: Actor, alert: Alert, text: str, now: dt.datetime, *, resolves: bool) -> dict[str, str]:
    """The words for the patient, kept as written (they reach the patient's Today)."""
    text = text.strip()
    if not text:
        return {}
    message = ClinicMessage.objects.create(
        clinic_id=alert.clinic_id,
        patient_id=alert.patient_id,
        alert=alert,
        text=text,
        written_by=person(actor),
        written_at=now,
        resolves=resolves,
    )
    return {"message": str(message.uuid)}


@transaction.atomic(durable=True)
def do_resolve_alert(
    actor: Actor,
    alert: Alert,
    *,
    note: str,
    message: str = "",
    seen: dt.datetime | None = None,
    note_revision: int | None = None,
    now: dt.datetime,
) -> Alert:
    """Closing an alert says what was done (``note``, for the clinic); ``message`` is for the patient. A
    resolved emergency gives the patient's Today back its day's guidance, with the message above it."""
    note = note.strip()
    if not note:
        raise problems(("note", "is required: say what was done"))
    alert = _locked(alert)
    if alert.state == AlertState.RESOLVED:
        raise problems(("state", "this alert is already resolved"))
    _check_unchanged(alert, seen)
    if alert.acknowledged_at is None:  # resolving an open alert acknowledges it too
        alert.acknowledged_by = person(actor)
        alert.acknowledged_at = now
    alert.state = AlertState.RESOLVED
    alert.resolved_by = person(actor)
    alert.resolved_at = now
    alert.resolution_note = note
    alert.updated_at = now
    alert.save()
    audit(
        actor,
        AuditAction.ALERT_RESOLVE,
        alert.clinic,
        now=now,
        patient=alert.patient,
        object_uuid=alert.uuid,
        detail=_note_read_with(actor, alert, now, note_revision) | _message(actor, alert, message, now, resolves=True),
    )
    return alert


def resolve_screening_alerts(actor: Actor, screening: Screening, *, note: str, now: dt.datetime) -> None:
    """A screening alert that asked only for the physician's review is resolved by their decision. One
    that sent the patient to the emergency department or asked the clinic to call today stays for a
    person to close: deciding about an injection says nothing about whether the patient was seen."""
    screening.alerts.exclude(state=AlertState.RESOLVED).filter(severity_rank__lte=Disposition.CONSULT.rank).update(
        state=AlertState.RESOLVED,
        resolved_by=person(actor),
        resolved_at=now,
        resolution_note=note,
        updated_at=now,
    )
