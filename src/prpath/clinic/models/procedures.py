from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from prpath.clinic.models.patients import Patient


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
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="procedures")
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
