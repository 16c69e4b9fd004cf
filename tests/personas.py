"""The people of the tests: two clinics, one user of each role, and patients at chosen stages.

Everything is made through the actions, as the product makes it. ``World`` is what the ``world``
fixture (tests/conftest.py) gives a test: Riverside is "our" clinic, Hillside the other tenant.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from prpath.accounts.models import User
from prpath.audit.actors import Actor
from prpath.clinic.actions.access_links import do_accept_access_link, do_invite_patient
from prpath.clinic.actions.checkins import CheckInReport, do_record_checkin
from prpath.clinic.actions.clinics import do_create_clinic
from prpath.clinic.actions.patients import Enrolment, do_enrol_patient
from prpath.clinic.actions.procedures import ProcedureRecord, do_record_procedure
from prpath.clinic.actions.screening import ScreeningAnswers, do_decide_candidacy, do_record_screening
from prpath.clinic.actions.staff import NewStaff, do_add_staff
from prpath.clinic.models import CheckIn, Clinic, Patient, Procedure, Role, Screening
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.translate import ClinicProtocol
from prpath.clinic.translate import clinic_today as _clinic_today
from prpath.core.protocol.schema import Candidacy

PASSWORD = "correct-horse-battery-staple"
TIME_ZONE = "Europe/London"


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    admin: User
    physician: User
    nurse: User
    coordinator: User
    other_nurse: User  # staff of the other clinic
    other_physician: User
    staff: dict[str, User] = field(default_factory=dict)


SETUP = Actor.system("tests")


def now() -> dt.datetime:
    """The time an action is told it is: now, as the pages tell it."""
    return timezone.now()


def staff(user: User) -> Actor:
    return Actor.staff(user)


def patient_actor(patient_or_user: Patient | User) -> Actor:
    user = patient_or_user.user if isinstance(patient_or_user, Patient) else patient_or_user
    return Actor.patient(user)


def protocol_of(clinic: Clinic | Patient) -> ClinicProtocol:
    return protocol_for(clinic.clinic if isinstance(clinic, Patient) else clinic)


def create_clinic(name: str, phone: str, **fields: Any) -> Clinic:
    return do_create_clinic(SETUP, name=name, phone=phone, now=now(), **fields)


def add_staff(clinic: Clinic, *, email: str, given_name: str, family_name: str, role: Role | str, **fields: Any) -> Any:
    return do_add_staff(SETUP, clinic, NewStaff(email, given_name, family_name, role), now=now(), **fields)


def make_world() -> World:
    clinic = create_clinic("Riverside Spine", "+44 20 7946 0000", emergency_number="999", time_zone=TIME_ZONE)
    other = create_clinic("Hillside Pain", "+44 20 7946 1111", emergency_number="999", time_zone=TIME_ZONE)
    people = {
        role: add_staff(
            clinic,
            email=f"{role}@riverside.test",
            given_name=role.label,
            family_name="Riverside",
            role=role,
            password=PASSWORD,
        ).user
        for role in Role
    }
    other_nurse = add_staff(
        other,
        email="nurse@hillside.test",
        given_name="Nurse",
        family_name="Hillside",
        role=Role.NURSE,
        password=PASSWORD,
    ).user
    other_physician = add_staff(
        other,
        email="physician@hillside.test",
        given_name="Physician",
        family_name="Hillside",
        role=Role.PHYSICIAN,
        password=PASSWORD,
    ).user
    return World(
        clinic=clinic,
        other_clinic=other,
        admin=people[Role.ADMIN],
        physician=people[Role.PHYSICIAN],
        nurse=people[Role.NURSE],
        coordinator=people[Role.COORDINATOR],
        other_nurse=other_nurse,
        other_physician=other_physician,
        staff={str(role): user for role, user in people.items()},
    )


def clinic_today(clinic: Clinic) -> dt.date:
    return _clinic_today(clinic, timezone.now())


_count = 0


def enrol(world: World, clinic: Clinic | None = None, **fields: Any) -> Patient:
    global _count
    _count += 1
    clinic = clinic or world.clinic
    actor = world.nurse if clinic == world.clinic else world.other_nurse
    values: dict[str, Any] = {
        "given_name": "Pat",
        "family_name": f"Patient{_count}",
        "date_of_birth": dt.date(1970, 5, 17),
        "sex": "female",
        "email": f"pat{_count}@patients.test",
        **fields,
    }
    return do_enrol_patient(staff(actor), clinic, Enrolment(**values), protocol=protocol_of(clinic), now=now())


def with_account(world: World, patient: Patient) -> Patient:
    actor = world.nurse if patient.clinic_id == world.clinic.pk else world.other_nurse
    _, token = do_invite_patient(staff(actor), patient, now=now())
    do_accept_access_link(token, PASSWORD, now=now())
    patient.refresh_from_db()
    patient.user.refresh_from_db()
    return patient


def screen(
    patient: Patient,
    *,
    history: tuple[str, ...] = (),
    symptoms: dict[str, str] | None = None,
    pain: int = 6,
    pain_trend: str = "stable",
    conditions: tuple[str, ...] = ("degenerative_disc_disease",),
    days_ago: int = 90,
) -> Screening:
    """Answered ``days_ago`` days ago (by default long before any injection a test records)."""
    assert patient.user.has_joined, "the patient answers screening from their own account"
    return do_record_screening(
        patient_actor(patient),
        patient,
        ScreeningAnswers(
            conditions=conditions, history=history, pain=pain, pain_trend=pain_trend, symptoms=symptoms or {}
        ),
        protocol=protocol_of(patient),
        now=timezone.now() - dt.timedelta(days=days_ago),
    )


def inject(world: World, patient: Patient, *, days_ago: int, **fields: Any) -> Procedure:
    """Record an injection ``days_ago`` days before today (clinic time), at 10:00."""
    clinic = patient.clinic
    day = clinic_today(clinic) - dt.timedelta(days=days_ago)
    physician = world.physician if clinic == world.clinic else world.other_physician
    values: dict[str, Any] = {
        "performed_at": dt.datetime.combine(day, dt.time(10), tzinfo=zoneinfo.ZoneInfo(clinic.time_zone)),
        "target": "intradiscal",
        "spinal_level": "L4-L5",
        "side": "midline",
        "image_guidance": "fluoroscopy",
        "blood_drawn_ml": Decimal("60"),
        "spin_protocol": "two spins",
        "platelet_concentration_x": Decimal("5.0"),
        "leukocytes": "poor",
        "activation": "none",
        "volume_injected_ml": Decimal("3.5"),
        "operator": physician,
        **fields,
    }
    if values["performed_at"] > timezone.now():  # early in the morning: the injection was earlier today
        values["performed_at"] = timezone.now() - dt.timedelta(minutes=30)
    at = values.pop("now", None) or now()
    return do_record_procedure(
        staff(physician), patient, ProcedureRecord(**values), protocol=protocol_of(patient), now=at
    )


def injected_patient(world: World, *, days_ago: int, clinic: Clinic | None = None, **screening: Any) -> Patient:
    """A patient with an account, screened, approved and injected ``days_ago`` days ago."""
    patient = with_account(world, enrol(world, clinic))
    record = screen(patient, **screening)
    physician = world.physician if patient.clinic_id == world.clinic.pk else world.other_physician
    do_decide_candidacy(
        staff(physician),
        record,
        candidacy=Candidacy.ELIGIBLE,
        reason="Reviewed in clinic; fine to go ahead.",
        now=now(),
    )
    inject(world, patient, days_ago=days_ago)
    patient.refresh_from_db()
    return patient


def check_in(
    patient: Patient,
    *,
    days_after: int | None = None,
    pain: int = 5,
    temperature_c: str | None = None,
    note: str = "",
    **symptoms: str,
) -> CheckIn:
    """A check-in by the patient on a day after their latest injection (today when not given)."""
    assert patient.injected_on is not None
    date = clinic_today(patient.clinic) if days_after is None else patient.injected_on + dt.timedelta(days=days_after)
    report = CheckInReport(
        date=date,
        pain=pain,
        temperature_c=Decimal(temperature_c) if temperature_c is not None else None,
        symptoms=symptoms,
        note=note,
    )
    return do_record_checkin(patient_actor(patient), patient, report, protocol=protocol_of(patient), now=now())


def authenticates(email: str, password: str) -> User | None:
    """Who the sign-in form would let in: authentication as the login page runs it, with a request
    (the throttling backend keys on the address it came from)."""
    user = authenticate(RequestFactory().post("/accounts/login/"), username=email, password=password)
    assert user is None or isinstance(user, User)
    return user
