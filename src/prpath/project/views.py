"""The start page and a health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from prpath.clinic.permissions import has_several_memberships, patient_of, staff_of
from prpath.core.protocol.schema import DISPOSITION_ORDER
from prpath.files.protocols import default_protocol


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: staff to the worklist, patients to today's page, someone with several clinics to
    choose one first, everyone else to the start page."""
    if staff_of(request) is not None:
        return redirect("worklist")
    if patient_of(request) is not None:
        return redirect("patient-today")
    if has_several_memberships(request):
        return redirect("choose-clinic")
    return start(request)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """What prpath is, how to run the triage engine, and the built-in protocol every clinic starts on."""
    protocol = default_protocol()
    context = {
        "protocol": protocol,
        "dispositions": [(d.value, protocol.dispositions[d]) for d in reversed(DISPOSITION_ORDER)],
    }
    return render(request, "web/start.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
