from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from prpath.audit.actors import Actor
from prpath.clinic.permissions import signed_in
from prpath.clinic.web.forms import ThrottledPasswordChangeForm, throttled_login_name


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
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        if settings.AXES_RESET_ON_SUCCESS:  # as a sign-in does: knowing the password clears the failures
            name = throttled_login_name(self.request, {"username": form.user.email})
            AxesProxyHandler.reset_attempts(username=name, ip_address=self.request.axes_ip_address)  # type: ignore[attr-defined]
        return super().form_valid(form)

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400  # as every form here: tools see the refusal
        return response


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None) -> HttpResponse:
    """What django-axes answers once a login is paused (AXES_LOCKOUT_CALLABLE): at sign-in, or on the
    password-change page, whose wrong old passwords count as failed sign-ins."""
    match = request.resolver_match
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"changing_password": match is not None and match.url_name == "password-change", "minutes": minutes}
    return render(request, "clinic/locked_out.html", context, status=429)
