from __future__ import annotations

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """A form sent and acted on, by the one-time token its page carried: the same form sent again with the
    same answers (a retry after a slow answer, a double tap, fifty at once) returns the first result and
    stores nothing new. Sent again with other answers (a red flag ticked after the first send) it is a new
    report: nothing a patient says is dropped as a repeat."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token = models.UUIDField(help_text="The one-time token of the rendered form.")
    kind = models.CharField(max_length=30, help_text="What the form did: checkin, screening, procedure, note.")
    object_uuid = models.UUIDField(help_text="What the first submission made (or amended).")
    digest = models.CharField(
        max_length=64, blank=True, help_text="What was sent, hashed: the same page sent with other answers is new."
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="submission_once_per_user")]

    def __str__(self) -> str:
        return f"{self.kind} submission at {self.at:%Y-%m-%d %H:%M}"
