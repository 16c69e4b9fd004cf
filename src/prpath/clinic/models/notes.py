from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from prpath.clinic.models.patients import Patient


class ClinicalNote(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"note on {self.written_at:%Y-%m-%d}"
