"""The demo clinic: one user of each role and synthetic patients at every stage, made through the actions.

The data is dated relative to the day it is loaded ("injected yesterday"), so ``prpath demo --reset``
rebuilds it; without it, an existing demo clinic is kept as it is. The audit trail is append-only, so a
reset empties the whole database (as ``manage flush`` does): it refuses when other clinics are in it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from prpath.accounts.models import User
from prpath.audit.actors import Actor
from prpath.clinic.actions.access_links import do_accept_access_link, do_invite_patient
from prpath.clinic.actions.checkins import CheckInReport, do_record_checkin
from prpath.clinic.actions.clinics import do_create_clinic
from prpath.clinic.actions.patients import Enrolment, do_enrol_patient
from prpath.clinic.actions.procedures import ProcedureRecord, do_record_procedure
from prpath.clinic.actions.screening import ScreeningAnswers, do_decide_candidacy, do_record_screening
from prpath.clinic.actions.staff import NewStaff, do_add_staff
from prpath.clinic.models import Clinic, Role
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.translate import ClinicProtocol, clinic_today
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Candidacy
from prpath.core.synthetic import STORY_MIX, Story, SyntheticPatient, generate_patients

DEMO = Actor.system("demo")

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


DEMO_LOCALE = "en-US"  # a clinic that dials 911 reads °F and acetaminophen


def demo_clinic() -> Clinic | None:
    return Clinic.objects.filter(name=DEMO_CLINIC).first()


def load_demo_clinic(*, patients: int = 30, now: dt.datetime | None = None, seed: int = 2026) -> list[DemoLogin]:
    """Create the demo clinic (unless it exists) and return the logins to print. Every record is made
    through the actions, one transaction each, as the product makes it, in the clinic's locale (en-US: the
    findings say acetaminophen, as its pages will)."""
    with translation.override(DEMO_LOCALE.lower()):
        return _load_demo_clinic(patients=patients, now=now or timezone.now(), seed=seed)


def _load_demo_clinic(*, patients: int, now: dt.datetime, seed: int) -> list[DemoLogin]:
    if demo_clinic() is None:
        clinic = do_create_clinic(
            DEMO,
            name=DEMO_CLINIC,
            phone="+1 555 0100",
            emergency_number="911",
            time_zone="America/New_York",
            locale=DEMO_LOCALE,
            temperature_unit="F",
            now=now,
        )
        staff = {
            role: do_add_staff(DEMO, clinic, NewStaff(email, given, family, role), password=DEMO_PASSWORD, now=now).user
            for email, given, family, role in DEMO_STAFF
        }
        protocol = protocol_for(clinic)
        today = clinic_today(clinic, now)
        for synthetic in generate_patients(patients, today=today, seed=seed):
            _load_patient(clinic, protocol, staff, synthetic, now)
    return _logins()


def reset_demo_clinic() -> None:
    """Empty the database so that the demo is built again from today. The audit trail cannot be edited,
    so this is all or nothing: a database that holds any other clinic is refused, and kept as it is."""
    others = list(Clinic.objects.exclude(name=DEMO_CLINIC).values_list("name", flat=True)[:3])
    if others:
        raise ProblemsFound(
            [
                Problem(
                    "reset",
                    f"this database holds other clinics too ({', '.join(others)}), and a reset empties it: "
                    "run the demo with its own data folder (PRPATH_DATA_DIR) instead",
                )
            ]
        )
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Inside a transaction (a test's), checks deferred by earlier inserts must run before TRUNCATE may.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def _logins() -> list[DemoLogin]:
    logins = [DemoLogin(str(role.label), email, DEMO_PASSWORD) for email, _, _, role in DEMO_STAFF]
    clinic = demo_clinic()
    if clinic is not None and clinic.patients.filter(email=DEMO_PATIENT_EMAIL, user__joined_at__isnull=False).exists():
        logins.append(DemoLogin("Patient", DEMO_PATIENT_EMAIL, DEMO_PASSWORD))
    return logins


def _at(clinic: Clinic, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(clinic.time_zone))


def _load_patient(
    clinic: Clinic, protocol: ClinicProtocol, staff: dict[Role, User], synthetic: SyntheticPatient, now: dt.datetime
) -> None:
    today = clinic_today(clinic, now)
    nurse, physician = Actor.staff(staff[Role.NURSE]), Actor.staff(staff[Role.PHYSICIAN])
    is_demo_patient = synthetic.number == STORY_MIX.index(DEMO_PATIENT_STORY)  # the first with that story
    email = DEMO_PATIENT_EMAIL if is_demo_patient else synthetic.email
    started = today - dt.timedelta(days=(synthetic.procedure.days_ago if synthetic.procedure else 0) + 14)
    patient = do_enrol_patient(
        nurse,
        clinic,
        Enrolment(
            given_name=synthetic.given_name,
            family_name=synthetic.family_name,
            date_of_birth=synthetic.date_of_birth,
            sex=synthetic.sex,
            email=email,
            phone=synthetic.phone,
            clinic_reference=f"RSC-{1000 + synthetic.number}",
        ),
        protocol=protocol,
        now=min(_at(clinic, started, 8), now),
    )
    if synthetic.story == Story.ENROLLED:  # invited today: the link is still good for the demo
        do_invite_patient(nurse, patient, now=now)
        return
    _, token = do_invite_patient(nurse, patient, now=_at(clinic, started, 9))
    user = do_accept_access_link(token, DEMO_PASSWORD, now=_at(clinic, started, 12))
    screening = synthetic.screening
    assert screening is not None
    record = do_record_screening(
        Actor.patient(user),
        patient,
        ScreeningAnswers(
            conditions=screening.conditions,
            history=screening.history,
            pain=screening.pain,
            pain_trend=screening.pain_trend,
            symptoms=screening.symptoms,
        ),
        protocol=protocol,
        now=_at(clinic, started, 13),
    )
    if screening.decision is not None:
        reason = screening.decision_reason
        if screening.decision != record.recommended_candidacy and not reason:
            reason = "Reviewed with the patient; see the screening answers."
        do_decide_candidacy(
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
    do_record_procedure(
        physician,
        patient,
        ProcedureRecord(
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
            operator=staff[Role.PHYSICIAN],
        ),
        protocol=protocol,
        now=_at(clinic, injected, 11),
    )
    for checkin in synthetic.checkins:
        do_record_checkin(
            Actor.patient(user),
            patient,
            CheckInReport(
                date=injected + dt.timedelta(days=checkin.day),
                pain=checkin.pain,
                temperature_c=Decimal(str(checkin.temperature_c)) if checkin.temperature_c is not None else None,
                symptoms=checkin.symptoms,
                note=checkin.note,
            ),
            protocol=protocol,
            now=min(_at(clinic, injected + dt.timedelta(days=checkin.day), 19), now),
        )
