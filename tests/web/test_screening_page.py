"""The patient's screening questions before the injection: stored and assessed, or refused beside the field."""

from __future__ import annotations

from typing import Any

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Alert, Patient, Screening
from tests.personas import World, enrol, with_account
from tests.web.pages import client_for, error_beside, parse


def new_patient(world: World) -> Patient:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    return patient


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "conditions": ["degenerative_disc_disease"],
        "history": [],
        "pain": "6",
        "pain_trend": "stable",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_answers_are_stored_assessed_and_become_the_baseline(world: World) -> None:
    patient = new_patient(world)
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/screening/", form(history=["anticoagulant_use"], symptom__leg_tingling="mild")
    )

    screening = Screening.objects.get(patient=patient)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/me/screening/{screening.uuid}/"
    assert screening.recommended_candidacy == "needs_review"
    patient.refresh_from_db()
    assert (patient.stage, patient.baseline_pain, patient.baseline_symptoms) == (
        "screened",
        6,
        {"leg_tingling": "mild"},
    )
    assert Alert.objects.filter(screening=screening).exists()


BAD_INPUT: list[tuple[str, dict[str, Any], str, str]] = [
    ("pain 11", {"pain": "11"}, "pain", "11 is not one of the available choices"),
    ("pain missing", {"pain": None}, "pain", "Choose a number from 0 to 10"),
    ("trend missing", {"pain_trend": None}, "pain_trend", "This field is required"),
    ("trend tampered", {"pain_trend": "sideways"}, "pain_trend", "Select a valid choice"),
    ("condition tampered", {"conditions": ["broken_heart"]}, "conditions", "Select a valid choice"),
    ("history tampered", {"history": ["time_travel"]}, "history", "Select a valid choice"),
    ("symptom tampered", {"symptom__rash": "spotty"}, "symptom__rash", "Select a valid choice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_beside_its_field(world: World, changes: dict[str, Any], field: str, message: str) -> None:
    patient = new_patient(world)
    assert patient.user.has_joined

    response = client_for(patient.user).post("/me/screening/", form(**changes))

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.filter(action="screening.record").exists()
    patient.refresh_from_db()
    assert (patient.stage, patient.baseline_pain) == ("enrolled", None)


def test_updating_the_answers_starts_from_the_symptoms_given_before(world: World) -> None:
    patient = new_patient(world)
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/screening/", form(symptom__leg_tingling="mild"))

    html = client.get("/me/screening/").content.decode()

    chosen = [
        e.attrs["value"] for e in parse(html).find_all("input", name="symptom__leg_tingling") if "checked" in e.attrs
    ]
    assert chosen == ["mild"]


def test_a_red_flag_in_the_baseline_shows_as_yes_whatever_grade_it_was_stored_with(world: World) -> None:
    patient = new_patient(world)
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/screening/", form())
    Patient.objects.filter(pk=patient.pk).update(baseline_symptoms={"bladder_control_loss": "severe"})

    html = client.get("/me/screening/").content.decode()

    chosen = [
        e.attrs["value"]
        for e in parse(html).find_all("input", name="symptom__bladder_control_loss")
        if "checked" in e.attrs
    ]
    assert chosen == ["moderate"]  # "Yes"
