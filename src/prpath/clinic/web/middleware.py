"""Show times in the clinic's time zone: a nurse in New York reads 19:00, not 00:00 UTC; and keep pages
with patient data out of every cache."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from prpath.clinic.permissions import patient_of, staff_of


class ClinicTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        staff = staff_of(request.user)
        patient = patient_of(request.user) if staff is None else None
        clinic = staff.clinic if staff is not None else patient.clinic if patient is not None else None
        if clinic is not None:
            timezone.activate(zoneinfo.ZoneInfo(clinic.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreForSignedInMiddleware:
    """A page shown to someone signed in holds patient data: no browser or proxy keeps a copy (the back
    button on a shared clinic computer after signing out must not show the last patient)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
