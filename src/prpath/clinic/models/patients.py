from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from prpath.accounts.models import EMAIL_MAX_LENGTH
from prpath.clinic.models.clinics import Clinic
from prpath.core.protocol.schema import PainTrend


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
    """A patient of one clinic. An account (``user``) is made at enrolment and cannot sign in until they
    choose a password through their invitation link; the email the clinic enrolled them with becomes its
    login then. If that email already signs in (the person is a patient or staff elsewhere), accepting the
    invitation after signing in moves this record to that account instead: one person, one login, a
    record in each clinic."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patients")
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    clinic_reference = models.CharField(max_length=40, blank=True, help_text="The clinic's own record number.")
    conditions = models.JSONField(default=list, blank=True, help_text="Condition codes from the protocol.")
    # The baseline, from the screening questionnaire: the engine compares check-ins with it.
    baseline_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_pain_trend = models.CharField(max_length=20, choices=[(t.value, t.value) for t in PainTrend], blank=True)
    baseline_symptoms = models.JSONField(default=dict, blank=True, help_text="{symptom code: severity}")
    history = models.JSONField(default=list, blank=True, help_text="Screening factor codes.")
    # Kept current by the actions so that list pages filter in SQL.
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.ENROLLED)
    injected_on = models.DateField(null=True, blank=True, help_text="The latest injection date.")
    last_checkin_on = models.DateField(null=True, blank=True)
    next_checkin_due = models.DateField(null=True, blank=True)
    enrolled_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "stage"], name="patient_clinic_stage"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "email"], name="one_patient_per_email_in_a_clinic"),
            models.UniqueConstraint(fields=["clinic", "user"], name="one_patient_per_account_in_a_clinic"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def has_joined(self) -> bool:
        return bool(self.user.has_joined)

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
