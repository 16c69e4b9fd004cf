"""Enrolling a patient from the clinic's page: stored through the action, refused beside the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.models import Patient
from tests.personas import World, clinic_today, enrol
from tests.web.pages import client_for, error_beside


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Dana",
        "family_name": "Reyes",
        "date_of_birth": "1975-03-09",
        "sex": "female",
        "email": "dana.reyes@patients.test",
        "phone": "+44 7700 900123",
        "clinic_reference": "RS-1042",
        "conditions": ["herniated_disc"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_enrols_the_patient_and_opens_their_timeline(world: World) -> None:
    response = client_for(world.coordinator).post("/clinic/patients/new/", form(email="Dana.Reyes@Patients.test"))

    patient = Patient.objects.get(email="dana.reyes@patients.test")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clinic/patients/{patient.uuid}/"
    assert (patient.clinic, patient.stage, patient.conditions) == (world.clinic, "enrolled", ["herniated_disc"])
    assert (
        AuditEvent.objects.filter(action=AuditAction.PATIENT_ENROL, patient=patient, actor=world.coordinator).count()
        == 1
    )


def test_the_same_email_may_be_enrolled_in_another_clinic(world: World) -> None:
    enrol(world, world.other_clinic, email="dana.reyes@patients.test")

    response = client_for(world.nurse).post("/clinic/patients/new/", form())

    assert response.status_code == 302
    assert Patient.objects.filter(email="dana.reyes@patients.test").count() == 2


def _in_the_future(world: World) -> str:
    return (clinic_today(world.clinic) + dt.timedelta(days=1)).isoformat()


BAD_INPUT: list[tuple[str, dict[str, Any], str, str]] = [
    ("email missing", {"email": None}, "email", "This field is required"),
    ("email not an address", {"email": "dana at home"}, "email", "Enter a valid email address"),
    ("given name missing", {"given_name": ""}, "given_name", "This field is required"),
    ("date of birth 1975-13-01", {"date_of_birth": "1975-13-01"}, "date_of_birth", "Enter a valid date"),
    ("sex tampered", {"sex": "robot"}, "sex", "Select a valid choice"),
    ("condition tampered", {"conditions": ["broken_heart"]}, "conditions", "Select a valid choice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_beside_its_field(world: World, changes: dict[str, Any], field: str, message: str) -> None:
    patients = Patient.objects.count()

    response = client_for(world.nurse).post("/clinic/patients/new/", form(**changes))

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    assert Patient.objects.count() == patients
    assert not AuditEvent.objects.filter(action=AuditAction.PATIENT_ENROL).exists()


def test_a_birth_date_in_the_future_is_refused_beside_it(world: World) -> None:
    response = client_for(world.nurse).post("/clinic/patients/new/", form(date_of_birth=_in_the_future(world)))

    assert response.status_code == 400
    assert "in the future" in error_beside(response.content, name="date_of_birth")
    assert not Patient.objects.exists()


def test_an_email_already_enrolled_here_is_refused_beside_the_email(world: World) -> None:
    enrol(world, email="dana.reyes@patients.test")
    enrolments = AuditEvent.objects.filter(action=AuditAction.PATIENT_ENROL).count()

    response = client_for(world.nurse).post("/clinic/patients/new/", form(email="DANA.REYES@patients.test"))

    assert response.status_code == 400
    assert "already enrolled in this clinic" in error_beside(response.content, name="email")
    assert Patient.objects.filter(email="dana.reyes@patients.test").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_ENROL).count() == enrolments


def test_an_email_too_long_to_be_a_login_is_refused_beside_the_email(world: World) -> None:
    email = "a" * 140 + "@patients.test"  # 154 characters: a valid address, but logins hold 150

    response = client_for(world.nurse).post("/clinic/patients/new/", form(email=email))

    assert response.status_code == 400
    assert "150" in error_beside(response.content, name="email")
    assert not Patient.objects.filter(email=email).exists()
