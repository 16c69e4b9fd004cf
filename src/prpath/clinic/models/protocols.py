from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from prpath.clinic.models.clinics import Clinic


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class ProtocolVersion(models.Model):
    """One version of a clinic's protocol: the document exactly as the clinic wrote it, and its hash.

    A clinic has exactly one active version; a new clinic starts on the built-in default. A draft may be
    edited (and may not yet be valid); once active its text never changes, and when another version
    takes over it is retired but kept: every assessment refers to the version it was made with, so what
    a patient was told can be derived again from it. The database refuses to change the text of a version
    that is no longer a draft, or to remove one (migration 0002).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="protocol_versions")
    number = models.PositiveIntegerField(help_text="1, 2, 3... within the clinic.")
    document = models.TextField(help_text="The protocol document (YAML) as written.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the document's text.")
    name = models.CharField(max_length=200, blank=True, help_text="The document's own name, once it is valid.")
    version_label = models.CharField(max_length=40, blank=True, help_text="The document's own version, once valid.")
    state = models.CharField(max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activation_reasons = models.JSONField(
        default=dict, blank=True, help_text="{vignette id: why the clinic accepts its disagreement}"
    )
    suite_summary = models.JSONField(default=list, blank=True, help_text="The safety suite's report at activation.")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="protocol_version_number_unique"),
            models.UniqueConstraint(
                fields=["clinic"],
                condition=Q(state="active"),
                name="one_active_protocol_per_clinic",
                violation_error_message="A clinic has exactly one active protocol version.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic_id} protocol #{self.number} ({self.state})"

    @property
    def label(self) -> str:
        return f"#{self.number}" + (f": {self.name} {self.version_label}" if self.name else "")


class SafetyVignette(models.Model):
    """A vignette file a clinic adds to the safety suite its protocol drafts must pass."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="safety_vignettes")
    name = models.CharField(max_length=200, help_text="The file's name.")
    text = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
