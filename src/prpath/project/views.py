"""The start page (until the clinic app exists) and a health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import DISPOSITION_ORDER
from prpath.files.protocols import active_protocol, active_protocol_source


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    try:
        protocol = active_protocol()
        problems: tuple[str, ...] = ()
    except ProblemsFound as found:
        protocol, problems = None, tuple(str(p) for p in found.problems)
    context = {
        "protocol": protocol,
        "protocol_source": active_protocol_source(),
        "protocol_problems": problems,
        "dispositions": [(d.value, protocol.dispositions[d]) for d in reversed(DISPOSITION_ORDER)] if protocol else [],
    }
    return render(request, "web/start.html", context, status=200 if protocol else 503)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
