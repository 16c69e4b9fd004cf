from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from prpath.clinic.models.checkins import CheckIn
from prpath.clinic.models.clinics import Clinic
from prpath.clinic.models.fields import FindingsField
from prpath.clinic.models.patients import Patient
from prpath.clinic.models.procedures import Procedure
from prpath.clinic.models.protocols import ProtocolVersion
from prpath.clinic.models.screening import DISPOSITION_CHOICES, Screening
from prpath.core.alerts import AlertState as CoreAlertState


class AlertState(models.TextChoices):
    OPEN = CoreAlertState.OPEN.value, "Open"
    ACKNOWLEDGED = CoreAlertState.ACKNOWLEDGED.value, "Acknowledged"
    RESOLVED = CoreAlertState.RESOLVED.value, "Resolved"


class UnsentForm(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    SCREENING = "screening", "Screening"


class Alert(models.Model):
    """Raised by an assessment above self_care; worked by the clinic from open to resolved. What a new
    assessment does to it is decided by the alert policy (``prpath.core.alerts``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="alerts")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    protocol = models.ForeignKey(
        ProtocolVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version of the latest assessment that changed it.",
    )
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    severity_rank = models.PositiveSmallIntegerField(help_text="Disposition rank; the worklist sorts on it.")
    summary = models.CharField(max_length=300)
    findings = FindingsField()
    # A form the patient sent was refused for a bad answer, but what could be read needed the emergency
    # department: they were told so, and the clinic is told here, though the report itself was not stored.
    unsent = models.CharField(max_length=20, choices=UnsentForm.choices, blank=True)
    # The check-in is not stored yet because the patient is being asked about words in their note, and read
    # as written the note needs the clinic today or more: the clinic is told at once, in case they never answer.
    asked_back = models.BooleanField(default=False)
    asked_about = models.JSONField(
        default=list, blank=True, help_text="The symptoms the patient was asked about (their note reports them)."
    )
    asked_for = models.DateField(null=True, blank=True, help_text="The day the held check-in reports on.")
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The injection an unsent check-in was about.",
    )
    state = models.CharField(max_length=20, choices=AlertState.choices, default=AlertState.OPEN)
    reopened_note = models.CharField(
        max_length=300, blank=True, help_text="Why it is open again: escalated, or a new finding since it was seen."
    )
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "state", "-severity_rank", "raised_at"], name="alert_worklist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checkin__isnull=False) | Q(screening__isnull=False) | ~Q(unsent=""),
                name="alert_has_a_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disposition} alert: {self.summary}"


class ClinicMessage(models.Model):
    """What staff wrote for the patient when they took an alert on or closed it: the patient's Today shows
    it, with who wrote it and when. Written once, never edited (a correction is a new message)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="messages")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clinic_messages")
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="messages")
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    resolves = models.BooleanField(help_text="Written as the alert was resolved (else as it was acknowledged).")

    class Meta:
        indexes = [models.Index(fields=["patient", "-written_at"], name="message_for_patient")]

    def __str__(self) -> str:
        return f"message to the patient on {self.written_at:%Y-%m-%d}"
