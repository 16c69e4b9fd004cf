from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from prpath.accounts.models import EMAIL_MAX_LENGTH


class Clinic(models.Model):
    """A tenant: its staff, its patients, its protocol. Nothing crosses from one clinic to another."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, help_text="The number patients call; shown on every patient page.")
    emergency_number = models.CharField(max_length=20, default="112")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="Decides what 'today' is for its patients.")
    locale = models.CharField(
        max_length=5,
        choices=[("en-GB", "English (United Kingdom)"), ("en-US", "English (United States)")],
        default="en-GB",
        help_text="The words of the protocol's patient texts (paracetamol or acetaminophen), and how dates read.",
    )
    temperature_unit = models.CharField(
        max_length=1,
        choices=[("C", "°C"), ("F", "°F")],
        default="C",
        help_text="The unit the clinic's pages show temperatures in; patients may type either.",
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Clinic admin"
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    COORDINATOR = "coordinator", "Coordinator"


class StaffMember(models.Model):
    """A user who works for a clinic: staff of one clinic at most, and perhaps a patient of others.

    A colleague is added with an email (``email``) and an account that signs in once they choose a
    password through their link; if the email already signs in (they are a patient elsewhere), accepting
    the link after signing in moves the membership to that account.

    A staff member who leaves is deactivated (``is_active`` off), never deleted: their name stays on the
    records they wrote. An account of theirs alone is switched off with it; one they also use as a
    patient elsewhere keeps working there."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, help_text="The email the clinic added them with.")
    is_active = models.BooleanField(default=True, help_text="Off when they have left the clinic.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "email"], name="one_staff_member_per_email_in_a_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.email} ({self.get_role_display()})"
