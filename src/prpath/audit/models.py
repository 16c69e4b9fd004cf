"""The audit trail: one row for every read and write of patient data, and for every change a clinic
makes to its accounts and protocol. Rows are only ever added: the database itself refuses UPDATE and
DELETE on them (migration 0002, on SQLite and PostgreSQL alike).

The clinic and the patient are referred to by the app label (``clinic.Clinic``), not by import: the audit
trail sits below the apps that write to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActorKind(models.TextChoices):
    STAFF = "staff", "Staff member"
    PATIENT = "patient", "Patient"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"


class Access(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


class AuditAction(models.TextChoices):
    """Everything the trail records, as "<what>.<verb>"."""

    # Clinics, accounts, protocols
    CLINIC_CREATE = "clinic.create", "Clinic created"
    STAFF_ADD = "staff.add", "Staff member added"
    STAFF_ROLE = "staff.role", "Staff role changed"
    STAFF_DEACTIVATE = "staff.deactivate", "Staff member deactivated"
    STAFF_REACTIVATE = "staff.reactivate", "Staff member reactivated"
    STAFF_PASSWORD_LINK = "staff.password_link", "Staff password link made"
    STAFF_SET_PASSWORD = "staff.set_password", "Staff password set"
    STAFF_JOIN = "staff.join", "Staff link accepted by signing in"
    PROTOCOL_DRAFT = "protocol.draft", "Protocol draft saved"
    PROTOCOL_ACTIVATE = "protocol.activate", "Protocol version activated"
    PROTOCOL_VIGNETTE_ADD = "protocol.vignette_add", "Safety vignette added"
    PROTOCOL_VIGNETTE_REMOVE = "protocol.vignette_remove", "Safety vignette removed"
    # Patients' records: writes
    PATIENT_ENROL = "patient.enrol", "Patient enrolled"
    PATIENT_INVITE = "patient.invite", "Invitation link made"
    PATIENT_PASSWORD_LINK = "patient.password_link", "New-password link made"
    PATIENT_ACCEPT_INVITATION = "patient.accept_invitation", "Invitation accepted"
    PATIENT_SET_PASSWORD = "patient.set_password", "Patient password set"
    SCREENING_RECORD = "screening.record", "Screening answered"
    SCREENING_DECIDE = "screening.decide", "Candidacy decided"
    SCREENING_REFUSED_BUT_EMERGENCY = "screening.refused_but_emergency", "Refused screening needing the ED"
    PROCEDURE_RECORD = "procedure.record", "Procedure recorded"
    CHECKIN_RECORD = "checkin.record", "Check-in recorded"
    CHECKIN_REFUSED_BUT_EMERGENCY = "checkin.refused_but_emergency", "Refused check-in needing the ED"
    CHECKIN_ASKED_BACK = "checkin.asked_back", "Check-in held: the patient is asked about their note"
    CHECKIN_NOTE_READ = "checkin.note_read", "Patient's note marked read"
    ALERT_ACKNOWLEDGE = "alert.acknowledge", "Alert acknowledged"
    ALERT_RESOLVE = "alert.resolve", "Alert resolved"
    ALERT_WITHDRAW = "alert.withdraw", "Alert withdrawn by the patient's answer"
    NOTE_ADD = "note.add", "Note added"
    # Patients' records: reads
    PATIENT_TODAY = "patient.today", "Today page read"
    PATIENT_HISTORY = "patient.history", "Progress page read"
    PATIENT_LEARN = "patient.learn", "Education page read"
    PATIENT_EMERGENCY_SUMMARY = "patient.emergency_summary", "Summary for the emergency team read"
    PATIENT_TIMELINE = "patient.timeline", "Timeline read"
    PATIENT_LIST = "patient.list", "Patient list read"
    ALERT_WORKLIST = "alert.worklist", "Worklist read"
    CHECKIN_FORM = "checkin.form", "Check-in form read"
    CHECKIN_RESULT = "checkin.result", "Check-in result read"
    SCREENING_FORM = "screening.form", "Screening form read"
    SCREENING_RESULT = "screening.result", "Screening result read"
    SCREENING_REVIEW = "screening.review", "Screening review read"
    PROCEDURE_FORM = "procedure.form", "Procedure form read"
    INVITATION_OPEN = "invitation.open", "Invitation page opened"

    @property
    def access(self) -> Access:
        return Access.READ if self in READS else Access.WRITE


READS = frozenset(
    {
        AuditAction.PATIENT_TODAY,
        AuditAction.PATIENT_HISTORY,
        AuditAction.PATIENT_LEARN,
        AuditAction.PATIENT_EMERGENCY_SUMMARY,
        AuditAction.PATIENT_TIMELINE,
        AuditAction.PATIENT_LIST,
        AuditAction.ALERT_WORKLIST,
        AuditAction.CHECKIN_FORM,
        AuditAction.CHECKIN_RESULT,
        AuditAction.SCREENING_FORM,
        AuditAction.SCREENING_RESULT,
        AuditAction.SCREENING_REVIEW,
        AuditAction.PROCEDURE_FORM,
        AuditAction.INVITATION_OPEN,
    }
)


class AuditEvent(models.Model):
    """Who (a staff member, a patient, an API key or the system), when, what, about whom.

    A page that lists patients records one row naming them all in ``patients`` (their ids, compactly),
    not one row each."""

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text="The system part or API key that acted.")
    access = models.CharField(max_length=5, choices=Access.choices)
    action = models.CharField(max_length=60, choices=AuditAction.choices)
    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    patients = models.JSONField(default=list, blank=True, help_text="Patient ids shown by a list page.")
    object_uuid = models.UUIDField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
