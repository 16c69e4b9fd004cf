from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from prpath.audit.actors import Actor
from prpath.clinic.permissions import signed_in


def staff_actor(request: HttpRequest) -> Actor:
    """The signed-in staff member as the actor of an action (``require_staff`` has let them through)."""
    return Actor.staff(signed_in(request))


def patient_actor(request: HttpRequest) -> Actor:
    return Actor.patient(signed_in(request))


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
