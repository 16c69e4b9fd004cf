"""Who may do what, in one place. Pages and the API ask here; nothing else decides access.

Outsiders (anyone who is not staff of the object's clinic, or not the patient themself) get 404, so a
URL does not even confirm that a record exists. Staff of the right clinic whose role lacks a permission
get 403: they know the patient exists and are told they may not do this.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from prpath.clinic.models import Alert, Patient, Role, Screening, StaffMember


class Permission(StrEnum):
    VIEW_PATIENTS = "view_patients"
    ENROL_PATIENTS = "enrol_patients"
    DECIDE_CANDIDACY = "decide_candidacy"
    RECORD_PROCEDURES = "record_procedures"
    WORK_ALERTS = "work_alerts"
    WRITE_NOTES = "write_notes"
    MANAGE_STAFF = "manage_staff"


_CLINICAL = {Permission.VIEW_PATIENTS, Permission.WORK_ALERTS, Permission.WRITE_NOTES}
GRANTS: dict[str, frozenset[Permission]] = {
    # The admin runs the clinic's accounts and records but makes no clinical decisions.
    Role.ADMIN: frozenset({Permission.VIEW_PATIENTS, Permission.ENROL_PATIENTS, Permission.MANAGE_STAFF}),
    Role.PHYSICIAN: frozenset(
        _CLINICAL | {Permission.ENROL_PATIENTS, Permission.DECIDE_CANDIDACY, Permission.RECORD_PROCEDURES}
    ),
    Role.NURSE: frozenset(_CLINICAL | {Permission.ENROL_PATIENTS}),
    Role.COORDINATOR: frozenset(_CLINICAL | {Permission.ENROL_PATIENTS}),
}

User = AuthUser | AnonymousUser


def signed_in(request: HttpRequest) -> AuthUser:
    """The signed-in user of a request that ``login_required`` has let through."""
    user = request.user
    if not isinstance(user, AuthUser):  # pragma: no cover - login_required runs first
        raise Http404
    return user


def staff_of(user: User) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    try:
        staff: StaffMember = user.staff
    except StaffMember.DoesNotExist:
        return None
    return staff


def patient_of(user: User) -> Patient | None:
    if not user.is_authenticated:
        return None
    try:
        patient: Patient = user.patient
    except Patient.DoesNotExist:
        return None
    return patient


def can(staff: StaffMember | None, permission: Permission) -> bool:
    return staff is not None and permission in GRANTS.get(staff.role, frozenset())


def require_staff(user: User) -> StaffMember:
    """The user's staff membership; 404 for anyone else (patients and strangers learn nothing)."""
    staff = staff_of(user)
    if staff is None:
        raise Http404
    return staff


def require(staff: StaffMember, permission: Permission) -> None:
    if not can(staff, permission):
        raise PermissionDenied(f"Your role ({staff.get_role_display()}) may not do this.")


def require_patient(user: User) -> Patient:
    patient = patient_of(user)
    if patient is None:
        raise Http404
    return patient


def get_patient_for(staff: StaffMember, patient_uuid: uuid.UUID) -> Patient:
    require(staff, Permission.VIEW_PATIENTS)
    try:
        return Patient.objects.select_related("clinic").get(uuid=patient_uuid, clinic_id=staff.clinic_id)
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


def get_alert_for(staff: StaffMember, alert_uuid: uuid.UUID) -> Alert:
    require(staff, Permission.VIEW_PATIENTS)
    try:
        return Alert.objects.select_related("patient").get(uuid=alert_uuid, clinic_id=staff.clinic_id)
    except Alert.DoesNotExist:
        raise Http404 from None
