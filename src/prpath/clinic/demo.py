"""The demo clinic: one user of each role and synthetic patients at every stage, made through the services.

The data is dated relative to the day it is loaded ("injected yesterday"), so ``prpath demo --reset``
rebuilds it; without it, an existing demo clinic is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from prpath.clinic import services
from prpath.clinic.models import Clinic, Role
from prpath.core.protocol.schema import Candidacy
from prpath.core.synthetic import STORY_MIX, Story, SyntheticPatient, generate_patients

DEMO_CLINIC = "Riverside Spine Clinic (demo)"
DEMO_PASSWORD = "riverside-demo-2026"  # noqa: S105 - printed on purpose: it only opens the local demo
DEMO_STAFF = (
    ("admin@riverside.example", "Alex", "Morgan", Role.ADMIN),
    ("physician@riverside.example", "Dr Priya", "Raman", Role.PHYSICIAN),
    ("nurse@riverside.example", "Noah", "Bennett", Role.NURSE),
    ("coordinator@riverside.example", "Chloe", "Ward", Role.COORDINATOR),
)
# The patient whose login is printed: on day 3, with today's check-in still to do.
DEMO_PATIENT_STORY = Story.DAY_3_IN_PROGRESS
DEMO_PATIENT_EMAIL = "patient@riverside.example"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def demo_clinic() -> Clinic | None:
    return Clinic.objects.filter(name=DEMO_CLINIC).first()


def load_demo_clinic(*, patients: int = 30, now: dt.datetime | None = None, seed: int = 2026) -> list[DemoLogin]:
    """Create the demo clinic (unless it exists) and return the logins to print."""
    now = now or timezone.now()
    if demo_clinic() is None:
        with transaction.atomic():
            clinic = services.do_create_clinic(
                DEMO_CLINIC, "+1 555 0100", emergency_number="911", time_zone="America/New_York"
            )
            staff = {
                role: services.do_add_staff(
                    clinic, email=email, given_name=given, family_name=family, role=role, password=DEMO_PASSWORD
                ).user
                for email, given, family, role in DEMO_STAFF
            }
            today = services.clinic_today(clinic, now)
            for synthetic in generate_patients(patients, today=today, seed=seed):
                _load_patient(clinic, staff, synthetic, now)
    return _logins()


def reset_demo_clinic() -> None:
    clinic = demo_clinic()
    if clinic is None:
        return
    user_model = get_user_model()
    with transaction.atomic():
        user_ids = [*clinic.staff.values_list("user_id", flat=True), *clinic.patients.values_list("user_id", flat=True)]
        # Records point at their authors with PROTECT; remove the clinic's records before its people.
        for patient in clinic.patients.all():
            patient.alerts.all().delete()
            patient.checkins.all().delete()
            patient.procedures.all().delete()
            patient.screenings.all().delete()
            patient.notes.all().delete()
            patient.invitations.all().delete()
        clinic.audit_events.all().delete()
        clinic.patients.all().delete()
        clinic.delete()
        user_model.objects.filter(pk__in=[pk for pk in user_ids if pk is not None]).delete()


def _logins() -> list[DemoLogin]:
    logins = [DemoLogin(str(role.label), email, DEMO_PASSWORD) for email, _, _, role in DEMO_STAFF]
    clinic = demo_clinic()
    if clinic is not None and clinic.patients.filter(email=DEMO_PATIENT_EMAIL, user__isnull=False).exists():
        logins.append(DemoLogin("Patient", DEMO_PATIENT_EMAIL, DEMO_PASSWORD))
    return logins


def _at(clinic: Clinic, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(clinic.time_zone))


def _load_patient(clinic: Clinic, staff: dict[Role, User], synthetic: SyntheticPatient, now: dt.datetime) -> None:
    today = services.clinic_today(clinic, now)
    nurse, physician = staff[Role.NURSE], staff[Role.PHYSICIAN]
    is_demo_patient = synthetic.number == STORY_MIX.index(DEMO_PATIENT_STORY)  # the first with that story
    email = DEMO_PATIENT_EMAIL if is_demo_patient else synthetic.email
    started = today - dt.timedelta(days=(synthetic.procedure.days_ago if synthetic.procedure else 0) + 14)
    patient = services.do_enrol_patient(
        nurse,
        clinic,
        given_name=synthetic.given_name,
        family_name=synthetic.family_name,
        date_of_birth=synthetic.date_of_birth,
        sex=synthetic.sex,
        email=email,
        phone=synthetic.phone,
        clinic_reference=f"RSC-{1000 + synthetic.number}",
    )
    if synthetic.story == Story.ENROLLED:  # invited today: the link is still good for the demo
        services.do_invite_patient(nurse, patient, now=now)
        return
    _, token = services.do_invite_patient(nurse, patient, now=_at(clinic, started, 9))
    user = services.do_accept_invitation(token, DEMO_PASSWORD, now=_at(clinic, started, 12))
    screening = synthetic.screening
    assert screening is not None
    record = services.do_record_screening(
        user,
        patient,
        conditions=screening.conditions,
        history=screening.history,
        pain=screening.pain,
        pain_trend=screening.pain_trend,
        symptoms=screening.symptoms,
        now=_at(clinic, started, 13),
    )
    if screening.decision is not None:
        reason = screening.decision_reason
        if screening.decision != record.recommended_candidacy and not reason:
            reason = "Reviewed with the patient; see the screening answers."
        services.do_decide_candidacy(
            physician,
            record,
            candidacy=Candidacy(screening.decision),
            reason=reason,
            now=_at(clinic, started + dt.timedelta(days=2), 10),
        )
    procedure = synthetic.procedure
    if procedure is None:
        return
    injected = today - dt.timedelta(days=procedure.days_ago)
    services.do_record_procedure(
        physician,
        patient,
        performed_at=_at(clinic, injected, 10),
        target=procedure.target,
        spinal_level=procedure.spinal_level,
        side=procedure.side,
        image_guidance="ultrasound"
        if procedure.target in ("sacroiliac_joint", "paraspinal_soft_tissue")
        else "fluoroscopy",
        blood_drawn_ml=Decimal("60.0"),
        spin_protocol="Two spins: 1500 g for 10 min, then 3000 g for 10 min",
        platelet_concentration_x=Decimal(str(procedure.platelet_concentration_x)),
        leukocytes=procedure.leukocytes,
        activation="none",
        volume_injected_ml=Decimal("4.0"),
        operator=physician,
        notes="",
        now=_at(clinic, injected, 11),
    )
    for checkin in synthetic.checkins:
        services.do_record_checkin(
            user,
            patient,
            date=injected + dt.timedelta(days=checkin.day),
            pain=checkin.pain,
            temperature_c=Decimal(str(checkin.temperature_c)) if checkin.temperature_c is not None else None,
            symptoms=checkin.symptoms,
            note=checkin.note,
            now=min(_at(clinic, injected + dt.timedelta(days=checkin.day), 19), now),
        )
