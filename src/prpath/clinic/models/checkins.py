from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from prpath.clinic.models.fields import FindingsField
from prpath.clinic.models.patients import Patient
from prpath.clinic.models.procedures import Procedure
from prpath.clinic.models.protocols import ProtocolVersion
from prpath.clinic.models.screening import DISPOSITION_CHOICES


class CheckIn(models.Model):
    """The patient's report for one day after one injection. A second report that day amends it; the
    row holds the latest report and its assessment, ``versions`` every report."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkins")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="checkins")
    date = models.DateField()
    day = models.SmallIntegerField(help_text="Days after the injection.")
    pain = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    temperature_read_as = models.CharField(
        max_length=12,
        blank=True,
        help_text='What was typed when not °C ("101.5 °F").',
    )
    symptoms = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    note_answers = models.JSONField(
        default=dict,
        blank=True,
        help_text="For each symptom the note reported and the form did not: what the patient answered when asked "
        "back (yes, no, unanswered).",
    )
    # Every note is read at the clinic: behind an alert, on its card; otherwise as a note to read on the worklist.
    # Amending the day with a different note makes it unread again.
    note_read_at = models.DateTimeField(null=True, blank=True)
    note_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The revision whose words were last read: words of later revisions, amended away since, are shown too.
    note_read_revision = models.PositiveSmallIntegerField(null=True, blank=True)
    # Words (the note, or earlier words of the day amended away) that nobody at the clinic has read yet.
    note_unread = models.BooleanField(default=False)
    # The assessment of the latest version.
    protocol = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="+")
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    findings = FindingsField()
    revision = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "date"], name="one_checkin_per_day_per_procedure"),
        ]
        indexes = [
            models.Index(
                fields=["patient", "submitted_at"], condition=models.Q(note_unread=True), name="checkin_note_to_read"
            ),
        ]

    def __str__(self) -> str:
        return f"check-in on {self.date} (day {self.day})"


class CheckInVersion(models.Model):
    """Every report as submitted, with its assessment, the protocol version it was made with and the
    exact case the engine was given: amending a day keeps what was said before, and any report's
    assessment can be made again and must come out the same."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="versions")
    revision = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    temperature_read_as = models.CharField(
        max_length=12,
        blank=True,
        help_text='What was typed when not °C ("101.5 °F").',
    )
    symptoms = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    note_answers = models.JSONField(default=dict, blank=True)
    protocol = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="+")
    case = models.JSONField(help_text="The triage case the assessment was made on.")
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    findings = FindingsField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "revision"], name="checkin_version_unique"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.checkin_id} revision {self.revision}"
