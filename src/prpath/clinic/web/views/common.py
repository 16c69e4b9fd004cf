from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from prpath.clinic.models import DISPOSITION_CHOICES, CheckIn, CheckInVersion
from prpath.clinic.permissions import patient_of, staff_of
from prpath.core.protocol.schema import Disposition, Protocol

# What the patient reads first, in the words of someone who is frightened: the action, not the category.
HEADLINES = {
    Disposition.EMERGENCY: "Go to the emergency department now",
    Disposition.URGENT: "Call the clinic today",
    Disposition.CONSULT: "Let the clinic know in the next few days",
    Disposition.SELF_CARE: "This is expected",
}


# What the clinic's staff read on badges: the triage category, short.
STAFF_LABELS = {Disposition(code): label for code, label in DISPOSITION_CHOICES}


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


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: staff to the worklist, patients to today's page, everyone else to the start page."""
    if staff_of(request.user) is not None:
        return redirect("worklist")
    if patient_of(request.user) is not None:
        return redirect("patient-today")
    from prpath.project.views import start

    return start(request)


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
