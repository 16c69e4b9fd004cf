"""What an account is to the clinics: its staff membership (one clinic at most) and its patient records
(one per clinic). One person signs in with one email; each clinic sees only its own row of them."""

from __future__ import annotations

from prpath.accounts.models import User
from prpath.clinic.models.clinics import StaffMember
from prpath.clinic.models.patients import Patient

Membership = Patient | StaffMember


def clinic_ids_of(user: User) -> set[int]:
    """Every clinic the account is staff or a patient of."""
    return set(Patient.objects.filter(user=user).values_list("clinic_id", flat=True)) | set(
        StaffMember.objects.filter(user=user).values_list("clinic_id", flat=True)
    )


def shared_beyond(user: User, clinic_id: int) -> bool:
    """Whether the account also belongs to another clinic than ``clinic_id``: then that clinic's records of
    the person are behind its password too, and no single clinic may give it a new one."""
    return bool(clinic_ids_of(user) - {clinic_id})


def only_membership(user: User) -> Membership | None:
    """The account's one clinic membership, with its clinic: the patient record if it has one (a staff member
    who is also a patient of their own clinic sets their password through either), or None when it has none
    or belongs to several clinics (a link then no longer says which clinic it is for)."""
    patients = list(Patient.objects.select_related("clinic").filter(user=user)[:2])
    staff = StaffMember.objects.select_related("clinic").filter(user=user).first()
    clinics = {p.clinic_id for p in patients} | ({staff.clinic_id} if staff is not None else set())
    if len(clinics) != 1:
        return None
    return patients[0] if patients else staff
