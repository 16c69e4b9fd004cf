from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from prpath.audit.actors import Actor
from prpath.clinic.models import CheckIn, CheckInVersion
from prpath.clinic.permissions import signed_in
from prpath.core.protocol.schema import DISPOSITION_WORDS, Disposition, Protocol

# What the patient reads first, in the words of someone who is frightened: the action, not the category.
HEADLINES = {
    Disposition.EMERGENCY: "Go to the emergency department now",
    Disposition.URGENT: "Call the clinic today",
    Disposition.CONSULT: "Let the clinic know in the next few days",
    Disposition.SELF_CARE: "This is expected",
}


# What the clinic's staff read on badges: the triage category, short.
STAFF_LABELS = DISPOSITION_WORDS


def staff_actor(request: HttpRequest) -> Actor:
    """The signed-in staff member as the actor of an action (``require_staff`` has let them through)."""
    return Actor.staff(signed_in(request))


def patient_actor(request: HttpRequest) -> Actor:
    return Actor.patient(signed_in(request))


def worst_version(checkin: CheckIn) -> CheckInVersion:
    """The day's most severe report (the newest among equals): an amendment must not hide an earlier warning."""
    return max(checkin.versions.all(), key=lambda v: (Disposition(v.disposition).rank, v.revision))


def worst_of_day(checkin: CheckIn) -> str:
    return worst_version(checkin).disposition


def disposition_view(protocol: Protocol, disposition: str) -> dict[str, Any]:
    d = Disposition(disposition)
    text = protocol.dispositions[d]
    return {
        "code": d.value,
        "headline": HEADLINES[d],
        "label": text.label,
        "staff_label": STAFF_LABELS[d],
        "instruction": text.instruction,
    }


def form_page(request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool = False) -> HttpResponse:
    """Render a form page; a form sent back with problems answers 400 so that tools see the refusal."""
    return render(request, template, context, status=400 if invalid else 200)


class PasswordChange(auth_views.PasswordChangeView):
    """Any signed-in person changes their own password; the other sessions of the account end."""

    template_name = "clinic/password_change.html"
    success_url = reverse_lazy("password-changed")

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400  # as every form here: tools see the refusal
        return response
