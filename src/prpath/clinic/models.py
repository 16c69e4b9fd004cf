"""What a clinic keeps. Rows change only through ``prpath.clinic.services`` (the ``do_*`` functions).

Every table a person can reach by URL has a ``uuid`` that the URL carries; integer keys stay inside.
Assessments are stored as they were made (disposition, findings, protocol version): re-running a newer
protocol later must not rewrite what the patient was told.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from prpath.core.protocol.schema import Candidacy, Disposition, PainTrend

# What staff read (badges, timeline): the category in a word, not the code.
DISPOSITION_CHOICES = [
    (Disposition.EMERGENCY.value, "Emergency"),
    (Disposition.URGENT.value, "Urgent"),
    (Disposition.CONSULT.value, "Consult"),
    (Disposition.SELF_CARE.value, "Expected"),
]
CANDIDACY_CHOICES = [
    (Candidacy.ELIGIBLE.value, "Eligible"),
    (Candidacy.NEEDS_REVIEW.value, "Needs review"),
    (Candidacy.DEFER.value, "Defer"),
]


class Clinic(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, help_text="The number patients call; shown on every patient page.")
    emergency_number = models.CharField(max_length=20, default="112")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="Decides what 'today' is for its patients.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Clinic admin"
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    COORDINATOR = "coordinator", "Coordinator"


class StaffMember(models.Model):
    """A user who works for a clinic. A user is staff of one clinic or a patient, never both.

    A staff member who leaves is deactivated (``user.is_active`` off), never deleted: their name stays on
    the records they wrote."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()})"


class Stage(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    SCREENED = "screened", "Screened, awaiting decision"
    DEFERRED = "deferred", "Deferred"
    APPROVED = "approved", "Approved for PRP"
    INJECTED = "injected", "Injected"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"


class Patient(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="patient"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    clinic_reference = models.CharField(max_length=40, blank=True, help_text="The clinic's own record number.")
    conditions = models.JSONField(default=list, blank=True, help_text="Condition codes from the protocol.")
    # The baseline, from the screening questionnaire: the engine compares check-ins with it.
    baseline_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_pain_trend = models.CharField(max_length=20, choices=[(t.value, t.value) for t in PainTrend], blank=True)
    baseline_symptoms = models.JSONField(default=dict, blank=True, help_text="{symptom code: severity}")
    history = models.JSONField(default=list, blank=True, help_text="Screening factor codes.")
    # Kept current by the services so that list pages filter in SQL.
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.ENROLLED)
    injected_on = models.DateField(null=True, blank=True, help_text="The latest injection date.")
    last_checkin_on = models.DateField(null=True, blank=True)
    next_checkin_due = models.DateField(null=True, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "stage"], name="patient_clinic_stage"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "email"],
                name="patient_email_unique_in_clinic",
                violation_error_message=("A patient with this email is already enrolled in this clinic."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class LinkPurpose(models.TextChoices):
    JOIN = "join", "Invitation"
    NEW_PASSWORD = "new_password", "New password"


class Invitation(models.Model):
    """A single-use, expiring link that lets a patient or a staff member set a password: to join, or,
    for someone who has forgotten theirs, a new one. It is for exactly one of the two. Only a hash of
    the token is kept."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True)
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices, default=LinkPurpose.JOIN)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(patient__isnull=False, staff__isnull=True) | Q(patient__isnull=True, staff__isnull=False),
                name="invitation_for_a_patient_or_a_staff_member",
            )
        ]

    def __str__(self) -> str:
        whose = f"patient {self.patient_id}" if self.patient_id else f"staff {self.staff_id}"
        return f"{self.purpose} link for {whose} ({self.created_at:%Y-%m-%d})"

    @property
    def clinic(self) -> Clinic:
        holder = self.patient or self.staff
        assert holder is not None  # the constraint above
        return holder.clinic

    def is_usable(self, now: dt.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class Screening(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(help_text="conditions, history, pain, pain_trend, symptoms as the engine takes them")
    protocol_version = models.CharField(max_length=40)
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    recommended_candidacy = models.CharField(max_length=20, choices=CANDIDACY_CHOICES)
    findings = models.JSONField(default=list)
    decided_candidacy = models.CharField(max_length=20, choices=CANDIDACY_CHOICES, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_candidacy="")
                | Q(decided_candidacy=models.F("recommended_candidacy"))
                | ~Q(decision_reason=""),
                name="screening_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"screening of patient {self.patient_id} on {self.answered_at:%Y-%m-%d}"

    @property
    def overridden(self) -> bool:
        return bool(self.decided_candidacy) and self.decided_candidacy != self.recommended_candidacy


class ImageGuidance(models.TextChoices):
    FLUOROSCOPY = "fluoroscopy", "Fluoroscopy"
    ULTRASOUND = "ultrasound", "Ultrasound"
    CT = "ct", "CT"
    NONE = "none", "None (landmark)"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    MIDLINE = "midline", "Midline"


class Leukocytes(models.TextChoices):
    RICH = "rich", "Leukocyte-rich"
    POOR = "poor", "Leukocyte-poor"


class Activation(models.TextChoices):
    NONE = "none", "None"
    CALCIUM_CHLORIDE = "calcium_chloride", "Calcium chloride"
    THROMBIN = "thrombin", "Thrombin"
    OTHER = "other", "Other (see notes)"


class Procedure(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="procedures")
    performed_at = models.DateTimeField()
    performed_on = models.DateField(help_text="The injection date in the clinic's time zone: day 0.")
    target = models.CharField(max_length=40, help_text="Target code from the protocol.")
    spinal_level = models.CharField(max_length=20, help_text="e.g. L4-L5 or L5-S1")
    side = models.CharField(max_length=10, choices=Side.choices)
    image_guidance = models.CharField(max_length=20, choices=ImageGuidance.choices)
    blood_drawn_ml = models.DecimalField(max_digits=5, decimal_places=1)
    spin_protocol = models.CharField(max_length=200, help_text="e.g. two spins: 1500 g 10 min, 3000 g 10 min")
    platelet_concentration_x = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text="times the baseline count"
    )
    platelet_count_per_ul = models.PositiveIntegerField(null=True, blank=True)
    leukocytes = models.CharField(max_length=10, choices=Leukocytes.choices)
    activation = models.CharField(max_length=20, choices=Activation.choices)
    volume_injected_ml = models.DecimalField(max_digits=4, decimal_places=1)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(platelet_concentration_x__isnull=False) | Q(platelet_count_per_ul__isnull=False),
                name="procedure_platelets_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} injection on {self.performed_on}"


class CheckIn(models.Model):
    """The patient's report for one day after one injection. A second report that day amends it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    day = models.SmallIntegerField(help_text="Days after the injection.")
    pain = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    # The assessment of the latest version.
    protocol_version = models.CharField(max_length=40)
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    findings = models.JSONField(default=list)
    revision = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "date"], name="one_checkin_per_day_per_procedure"),
        ]

    def __str__(self) -> str:
        return f"check-in on {self.date} (day {self.day})"


class CheckInVersion(models.Model):
    """Every report as submitted, with its assessment: amending a day keeps what was said before."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    protocol_version = models.CharField(max_length=40)
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    findings = models.JSONField(default=list)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "revision"], name="checkin_version_unique"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.checkin_id} revision {self.revision}"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class UnsentForm(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    SCREENING = "screening", "Screening"


class Alert(models.Model):
    """Raised by an assessment above self_care; worked by the clinic from open to resolved."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="alerts")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    severity_rank = models.PositiveSmallIntegerField(help_text="Disposition rank; the worklist sorts on it.")
    summary = models.CharField(max_length=300)
    findings = models.JSONField(default=list)
    # A form the patient sent was refused for a bad answer, but what could be read needed the emergency
    # department: they were told so, and the clinic is told here, though the report itself was not stored.
    unsent = models.CharField(max_length=20, choices=UnsentForm.choices, blank=True)
    procedure = models.ForeignKey(
        "Procedure",
        on_delete=models.CASCADE,
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


class ClinicalNote(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"note on {self.written_at:%Y-%m-%d}"


class AuditEvent(models.Model):
    """One read or write of patient data: who, when, what. Written by the services and the pages."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=10, choices=[("read", "read"), ("write", "write")])
    what = models.CharField(max_length=60, help_text="e.g. checkin.record, patient.timeline")
    patient = models.ForeignKey(Patient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_uuid = models.UUIDField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["clinic", "-at"], name="audit_clinic_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.what}"

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "action": self.action, "what": self.what, "detail": self.detail}
