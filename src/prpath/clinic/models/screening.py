from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from prpath.clinic.models.fields import FindingsField
from prpath.clinic.models.patients import Patient
from prpath.clinic.models.protocols import ProtocolVersion
from prpath.core.protocol.schema import DISPOSITION_WORDS, Candidacy, Disposition

# What staff read (badges, timeline): the category in a word, not the code.
DISPOSITION_CHOICES = [(d.value, DISPOSITION_WORDS[d]) for d in reversed(Disposition)]
CANDIDACY_CHOICES = [
    (Candidacy.ELIGIBLE.value, "Eligible"),
    (Candidacy.NEEDS_REVIEW.value, "Needs review"),
    (Candidacy.DEFER.value, "Defer"),
]


class Screening(models.Model):
    """The patient's answers before an injection, their assessment as made, and the physician's decision.

    ``case`` is exactly what the engine was given, and ``protocol`` the version it was given with: the
    assessment can be made again from the two and must come out the same."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(help_text="conditions, history, pain, pain_trend, symptoms as the engine takes them")
    protocol = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="+")
    case = models.JSONField(help_text="The triage case the assessment was made on.")
    disposition = models.CharField(max_length=20, choices=DISPOSITION_CHOICES)
    recommended_candidacy = models.CharField(max_length=20, choices=CANDIDACY_CHOICES)
    findings = FindingsField()
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
