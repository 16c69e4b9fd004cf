"""Choosing a clinic: one person may be staff at one clinic and a patient of others, and acts as one of
them at a time. The choice is kept in the session; ``permissions`` checks it against the account on
every request, so every page sees the chosen clinic's records alone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from prpath.clinic.models import StaffMember
from prpath.clinic.permissions import (
    choose,
    chosen_membership,
    has_several_memberships,
    login_required,
    membership_key,
    memberships_of,
    signed_in,
)


@login_required
@require_http_methods(["GET", "POST"])
def choose_clinic(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = choose(request, str(request.POST.get("membership", "")))
        return redirect("worklist" if isinstance(chosen, StaffMember) else "patient-today")
    found = memberships_of(signed_in(request))
    if len(found) == 1:
        return redirect("home")
    current = chosen_membership(request)
    return render(
        request,
        "clinic/choose_clinic.html",
        {
            "memberships": [
                (membership_key(m), m.clinic.name, m.get_role_display() if isinstance(m, StaffMember) else "Patient")
                for m in found
            ],
            "current": membership_key(current) if current is not None else "",
        },
    )


def several_clinics(request: HttpRequest) -> dict[str, Any]:
    """For the page header: a link to the chooser when the account has more than one clinic."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"several_clinics": False}
    return {"several_clinics": has_several_memberships(request)}
