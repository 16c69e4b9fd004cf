"""Who may do what, in one place. Pages and the API ask here; nothing else decides access.

Outsiders (anyone who is not staff of the object's clinic, or not the patient themself) get 404, so a
URL does not even confirm that a record exists. Staff of the right clinic whose role lacks a permission
get 403: they know the patient exists and are told they may not do this.

One account may be staff at one clinic and a patient of others: a request acts as one membership at a
time, the one chosen on the "Choose a clinic" page (kept in the session, checked against the account
on every request) or the account's only one. Every page then sees that clinic's records alone.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from prpath.accounts.models import User as AuthUser
from prpath.clinic.models import (
    Alert,
    CheckIn,
    Membership,
    Patient,
    ProtocolVersion,
    Role,
    SafetyVignette,
    Screening,
    StaffMember,
)


class Permission(StrEnum):
    VIEW_PATIENTS = "view_patients"
    ENROL_PATIENTS = "enrol_patients"
    DECIDE_CANDIDACY = "decide_candidacy"
    RECORD_PROCEDURES = "record_procedures"
    WORK_ALERTS = "work_alerts"
    WRITE_NOTES = "write_notes"
    MANAGE_STAFF = "manage_staff"
    VIEW_PROTOCOL = "view_protocol"
    MANAGE_PROTOCOL = "manage_protocol"


_CLINICAL = {Permission.VIEW_PATIENTS, Permission.WORK_ALERTS, Permission.WRITE_NOTES, Permission.VIEW_PROTOCOL}
GRANTS: dict[str, frozenset[Permission]] = {
    # The admin runs the clinic's accounts, records and protocol versions but makes no clinical decisions
    # about patients; every clinician may read the protocol their patients are assessed under.
    Role.ADMIN: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.ENROL_PATIENTS,
            Permission.MANAGE_STAFF,
            Permission.VIEW_PROTOCOL,
            Permission.MANAGE_PROTOCOL,
        }
    ),
    Role.PHYSICIAN: frozenset(
        _CLINICAL | {Permission.ENROL_PATIENTS, Permission.DECIDE_CANDIDACY, Permission.RECORD_PROCEDURES}
    ),
    Role.NURSE: frozenset(_CLINICAL | {Permission.ENROL_PATIENTS}),
    Role.COORDINATOR: frozenset(_CLINICAL | {Permission.ENROL_PATIENTS}),
}

User = AuthUser | AnonymousUser


View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Django's ``login_required``, with what a clinic needs when a session has ended under someone.

    A form sent from a signed-out browser (a check-in page left open overnight) leads to the sign-in
    page saying that what was sent was not received. An htmx call (a worklist card, the
    worklist's check for new alerts) takes the whole page to the sign-in page: the sign-in form swapped
    into a card would hide that the worklist has stopped updating.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        unsent = request.method == "POST"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = _sign_in_url(_our_page(request, "HX-Current-URL"), unsent=unsent)
            return response
        if unsent:
            # Back to the page the form was on: the address it was sent to may answer POST only.
            return HttpResponseRedirect(_sign_in_url(_our_page(request, "Referer"), unsent=True))
        return redirect_to_login(request.get_full_path())

    return wrapper


def _our_page(request: HttpRequest, header: str) -> str | None:
    """The page of ours a header names (its path and query), or None for anything else."""
    url = request.headers.get(header, "")
    if any(c.isspace() or not c.isprintable() for c in url):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    # Only a plain path of this site: "//elsewhere" or "/\\elsewhere" would leave it.
    if not page.startswith("/") or page.startswith("//") or "\\" in page:
        return None
    return page if url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}) else None


def _sign_in_url(next_page: str | None, *, unsent: bool) -> str:
    query = {"next": next_page} if next_page else {}
    if unsent:
        query["unsent"] = "1"
    return resolve_url("login") + (f"?{urlencode(query)}" if query else "")


def signed_in(request: HttpRequest) -> AuthUser:
    """The signed-in user of a request that ``login_required`` has let through."""
    user = request.user
    if not isinstance(user, AuthUser):  # pragma: no cover - login_required runs first
        raise Http404
    return user


# The session key of the chosen membership: "staff:<uuid>" or "patient:<uuid>".
CHOSEN = "prpath_membership"


class ChooseClinic(Exception):
    """The account has several memberships and none is chosen: the middleware answers with the chooser."""


def membership_key(membership: Membership) -> str:
    return f"{'staff' if isinstance(membership, StaffMember) else 'patient'}:{membership.uuid}"


def memberships_of(user: User) -> list[Membership]:
    """The account's active staff membership and its patient records, each with its clinic."""
    if not isinstance(user, AuthUser):
        return []
    patients = Patient.objects.filter(user_id=OuterRef("user_id"))
    staff = list(
        StaffMember.objects.select_related("clinic")
        .filter(user=user, is_active=True)
        .annotate(is_a_patient=Exists(patients))
    )
    if staff and not staff[0].is_a_patient:
        return list(staff)  # staff alone: one query, as before accounts were shared
    found: list[Membership] = [*staff, *Patient.objects.select_related("clinic").filter(user=user)]
    return sorted(found, key=lambda m: (not isinstance(m, StaffMember), m.clinic.name, m.pk))


def _chosen(request: HttpRequest) -> tuple[Membership | None, int]:
    """The membership the request acts as and how many the account has, read once per request."""
    cached: tuple[Membership | None, int] | None = getattr(request, "_prpath_chosen", None)
    if cached is not None:
        return cached
    found = memberships_of(request.user)
    key = request.session.get(CHOSEN) if hasattr(request, "session") else None
    chosen = found[0] if len(found) == 1 else next((m for m in found if membership_key(m) == key), None)
    request._prpath_chosen = (chosen, len(found))  # type: ignore[attr-defined]
    return chosen, len(found)


def chosen_membership(request: HttpRequest) -> Membership | None:
    return _chosen(request)[0]


def has_several_memberships(request: HttpRequest) -> bool:
    return _chosen(request)[1] > 1


def choose(request: HttpRequest, key: str) -> Membership:
    """The signed-in account acts as its membership ``key`` from now on; 404 for any other key (someone
    else's record, a staff membership that has ended)."""
    found = next((m for m in memberships_of(request.user) if membership_key(m) == key), None)
    if found is None:
        raise Http404
    request.session[CHOSEN] = key
    request._prpath_chosen = (found, 2)  # type: ignore[attr-defined]
    return found


def staff_of(request: HttpRequest) -> StaffMember | None:
    """The staff membership the request acts as, with its clinic."""
    chosen = chosen_membership(request)
    return chosen if isinstance(chosen, StaffMember) else None


def patient_of(request: HttpRequest) -> Patient | None:
    """The patient record the request acts as, with its clinic."""
    chosen = chosen_membership(request)
    return chosen if isinstance(chosen, Patient) else None


def can(staff: StaffMember | None, permission: Permission) -> bool:
    return staff is not None and permission in GRANTS.get(staff.role, frozenset())


def _nothing_chosen(request: HttpRequest) -> Http404 | ChooseClinic:
    return ChooseClinic() if chosen_membership(request) is None and has_several_memberships(request) else Http404()


def require_staff(request: HttpRequest) -> StaffMember:
    """The staff membership the request acts as; 404 for anyone else (patients and strangers learn nothing)."""
    staff = staff_of(request)
    if staff is None:
        raise _nothing_chosen(request)
    return staff


def require(staff: StaffMember, permission: Permission) -> None:
    if not can(staff, permission):
        raise PermissionDenied(f"Your role ({staff.get_role_display()}) may not do this.")


def require_patient(request: HttpRequest) -> Patient:
    patient = patient_of(request)
    if patient is None:
        raise _nothing_chosen(request)
    return patient


def get_patient_for(staff: StaffMember, patient_uuid: uuid.UUID) -> Patient:
    require(staff, Permission.VIEW_PATIENTS)
    try:
        return Patient.objects.select_related("clinic", "user").get(uuid=patient_uuid, clinic_id=staff.clinic_id)
    except Patient.DoesNotExist:
        raise Http404 from None


def get_staff_member_for(staff: StaffMember, member_uuid: uuid.UUID) -> StaffMember:
    """A colleague's account, for those who manage the clinic's staff; 404 outside the clinic."""
    try:
        member = StaffMember.objects.select_related("user", "clinic").get(uuid=member_uuid, clinic_id=staff.clinic_id)
    except StaffMember.DoesNotExist:
        raise Http404 from None
    require(staff, Permission.MANAGE_STAFF)
    return member


def get_screening_for(staff: StaffMember, patient: Patient, screening_uuid: uuid.UUID) -> Screening:
    try:
        return Screening.objects.get(uuid=screening_uuid, patient=patient)
    except Screening.DoesNotExist:
        raise Http404 from None


def get_protocol_version_for(staff: StaffMember, number: int) -> ProtocolVersion:
    require(staff, Permission.VIEW_PROTOCOL)
    try:
        return ProtocolVersion.objects.select_related("clinic", "created_by", "activated_by").get(
            clinic_id=staff.clinic_id, number=number
        )
    except ProtocolVersion.DoesNotExist:
        raise Http404 from None


def get_safety_vignette_for(staff: StaffMember, vignette_uuid: uuid.UUID) -> SafetyVignette:
    try:
        vignette = SafetyVignette.objects.select_related("clinic").get(uuid=vignette_uuid, clinic_id=staff.clinic_id)
    except SafetyVignette.DoesNotExist:
        raise Http404 from None
    require(staff, Permission.MANAGE_PROTOCOL)
    return vignette


def get_own_checkin(patient: Patient, checkin_uuid: uuid.UUID) -> CheckIn:
    """One of the patient's own check-ins; 404 for anyone else's."""
    try:
        return CheckIn.objects.select_related("procedure", "protocol").get(uuid=checkin_uuid, patient=patient)
    except CheckIn.DoesNotExist:
        raise Http404 from None


def get_own_screening(patient: Patient, screening_uuid: uuid.UUID) -> Screening:
    try:
        return Screening.objects.select_related("protocol").get(uuid=screening_uuid, patient=patient)
    except Screening.DoesNotExist:
        raise Http404 from None


def get_checkin_for(staff: StaffMember, checkin_uuid: uuid.UUID) -> CheckIn:
    """A check-in of one of the clinic's patients; 404 for any other."""
    require(staff, Permission.VIEW_PATIENTS)
    try:
        return CheckIn.objects.select_related("patient").get(uuid=checkin_uuid, patient__clinic_id=staff.clinic_id)
    except CheckIn.DoesNotExist:
        raise Http404 from None


def get_alert_for(staff: StaffMember, alert_uuid: uuid.UUID) -> Alert:
    require(staff, Permission.VIEW_PATIENTS)
    try:
        return Alert.objects.select_related("patient").get(uuid=alert_uuid, clinic_id=staff.clinic_id)
    except Alert.DoesNotExist:
        raise Http404 from None
