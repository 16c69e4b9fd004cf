"""The demo clinic (``load_demo_clinic``, ``reset_demo_clinic``): logins that work, patients at every
stage, an open fever alert to show, and a reset that leaves nothing behind (and refuses to touch
any other clinic)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from prpath.accounts.models import AccessLink, User
from prpath.audit.actors import Actor
from prpath.audit.models import AuditEvent
from prpath.clinic import demo
from prpath.clinic.models import (
    Alert,
    AlertState,
    CheckIn,
    Clinic,
    Patient,
    Procedure,
    ProtocolVersion,
    Screening,
    StaffMember,
    Stage,
)
from prpath.clinic.queries import staff_pages
from prpath.clinic.queries.protocols import protocol_for
from prpath.core.findings import evidence_lines
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Disposition
from tests.conftest import kept_for_the_module
from tests.personas import authenticates, clinic_today, create_clinic


@pytest.fixture(scope="module")
def module_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # Loaded once for the module (30 patients through the actions take a few seconds); each test runs in
    # a savepoint inside it, and the reset tests empty the database only within their own.
    with kept_for_the_module(django_db_blocker):
        demo.load_demo_clinic(patients=30)
        yield


@pytest.fixture
def demo_db(module_demo: None, db: None) -> None:
    return None


def loaded() -> Clinic:
    demo.load_demo_clinic(patients=30)
    clinic = demo.demo_clinic()
    assert clinic is not None
    return clinic


def test_it_prints_four_staff_logins_and_the_patients_login(demo_db: None) -> None:
    logins = demo.load_demo_clinic(patients=30)

    assert [login.email for login in logins] == [
        *(email for email, _, _, _ in demo.DEMO_STAFF),
        demo.DEMO_PATIENT_EMAIL,
    ]
    assert len({login.email for login in logins}) == 5
    assert logins[-1].role == "Patient"


def test_every_printed_login_opens(demo_db: None) -> None:
    logins = demo.load_demo_clinic(patients=30)
    clinic = demo.demo_clinic()

    for login in logins:
        user = authenticates(login.email, login.password)
        assert user is not None, login.email
        assert isinstance(user, User)
    staff = StaffMember.objects.filter(clinic=clinic)
    assert sorted(s.role for s in staff) == ["admin", "coordinator", "nurse", "physician"]


def test_the_demo_patient_is_on_day_three_with_todays_check_in_to_do(demo_db: None) -> None:
    clinic = loaded()

    patient = Patient.objects.get(clinic=clinic, user__email=demo.DEMO_PATIENT_EMAIL)

    today = clinic_today(clinic)
    assert patient.has_joined
    assert patient.stage == Stage.INJECTED
    assert patient.injected_on is not None
    assert (today - patient.injected_on).days == 3
    assert patient.next_checkin_due == today
    assert authenticates(demo.DEMO_PATIENT_EMAIL, demo.DEMO_PASSWORD) == patient.user


def test_it_has_patients_at_every_stage(demo_db: None) -> None:
    clinic = loaded()

    assert Patient.objects.filter(clinic=clinic).count() == 30
    assert set(Patient.objects.filter(clinic=clinic).values_list("stage", flat=True)) == set(Stage.values)


def test_it_shows_an_open_urgent_fever_alert(demo_db: None) -> None:
    clinic = loaded()

    fevers = [
        alert
        for alert in Alert.objects.filter(clinic=clinic, state=AlertState.OPEN, disposition=Disposition.URGENT)
        if any(f.rule == "recovery.fever" for f in alert.findings)
    ]

    assert fevers
    for alert in fevers:
        assert alert.checkin is not None
        assert alert.checkin.temperature_c is not None
        assert alert.checkin.temperature_c >= 38


def test_its_records_are_dated_up_to_today_and_no_later(demo_db: None) -> None:
    clinic = loaded()
    today = clinic_today(clinic)

    assert not CheckIn.objects.filter(patient__clinic=clinic, date__gt=today).exists()
    assert not Procedure.objects.filter(patient__clinic=clinic, performed_on__gt=today).exists()
    assert CheckIn.objects.filter(patient__clinic=clinic, date=today).exists()


def test_enrolled_patients_can_still_use_their_invitation(demo_db: None) -> None:
    # Story.ENROLLED: "invited, nothing answered yet"; the demo should show a patient who can still answer.
    clinic = loaded()

    enrolled = Patient.objects.filter(clinic=clinic, stage=Stage.ENROLLED)

    assert enrolled
    for patient in enrolled:
        invitation = AccessLink.objects.get(user=patient.user)
        assert invitation.expires_at > invitation.created_at
        assert invitation.is_usable(timezone.now()), f"{patient.email}: invitation expired {invitation.expires_at}"


def test_loading_twice_does_not_duplicate_anything(demo_db: None) -> None:
    demo.load_demo_clinic(patients=30)
    counts = (Clinic.objects.count(), User.objects.count(), Patient.objects.count(), CheckIn.objects.count())

    logins = demo.load_demo_clinic(patients=30)

    assert Clinic.objects.filter(name=demo.DEMO_CLINIC).count() == 1
    assert (Clinic.objects.count(), User.objects.count(), Patient.objects.count(), CheckIn.objects.count()) == counts
    assert len(logins) == 5


def test_reset_removes_the_demo_clinic_and_its_people(demo_db: None) -> None:
    demo.load_demo_clinic(patients=30)
    emails = [email for email, _, _, _ in demo.DEMO_STAFF] + [demo.DEMO_PATIENT_EMAIL]

    demo.reset_demo_clinic()

    assert demo.demo_clinic() is None
    assert not Clinic.objects.filter(name=demo.DEMO_CLINIC).exists()
    assert not User.objects.filter(email__in=emails).exists()
    assert not User.objects.exists()  # every demo login went, patients' too
    for model in (Patient, Screening, Procedure, CheckIn, Alert, AccessLink, AuditEvent, StaffMember, ProtocolVersion):
        assert not model.objects.exists(), model.__name__
    assert authenticates(demo.DEMO_PATIENT_EMAIL, demo.DEMO_PASSWORD) is None


def test_reset_then_load_builds_it_again(demo_db: None) -> None:
    demo.load_demo_clinic(patients=10)
    demo.reset_demo_clinic()

    logins = demo.load_demo_clinic(patients=10)

    assert Patient.objects.filter(clinic=demo.demo_clinic()).count() == 10
    assert len(logins) == 5


def test_reset_never_touches_another_clinic(demo_db: None) -> None:
    # The audit trail cannot be edited, so a reset empties the whole database: with another clinic in it,
    # it is refused and the database is kept as it is.
    demo.load_demo_clinic(patients=3)
    other = create_clinic("Another clinic", "+1 555 0199")

    with pytest.raises(ProblemsFound) as found:
        demo.reset_demo_clinic()

    assert "Another clinic" in found.value.problems[0].message
    assert Clinic.objects.filter(pk=other.pk).exists()
    assert demo.demo_clinic() is not None


def test_the_week_six_patients_read_as_in_follow_up_and_the_filter_finds_them(demo_db: None) -> None:
    clinic = loaded()
    physician = StaffMember.objects.filter(clinic=clinic, role="physician").select_related("user", "clinic").first()
    assert physician is not None
    actor = Actor.staff(physician.user)

    listed = staff_pages.patient_list(
        actor, physician, {"stage": "follow_up"}, None, protocol_for(clinic), now=timezone.now()
    )

    assert len(listed.rows) == 3  # the three week-six patients of thirty
    assert {row.stage for row in listed.rows} == {"Follow-up, week 6"}


def test_the_fever_alerts_each_tell_their_own_patient(demo_db: None) -> None:
    clinic = loaded()

    fevers = Alert.objects.filter(clinic=clinic, state=AlertState.OPEN, disposition=Disposition.URGENT)
    cards = {(tuple(evidence_lines(a.findings)), a.checkin.note if a.checkin else "") for a in fevers}

    assert len(fevers) == 3
    assert len(cards) == 3, cards
