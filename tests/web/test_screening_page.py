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
    ("note too long", {"note": "x" * 2001}, "note", "This is 2,001 characters long; it can hold 2,000."),
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


# --- the patient's own words ----------------------------------------------------------------------------


def test_a_red_flag_written_in_the_screening_note_is_an_emergency_quoting_it(world: World) -> None:
    patient = new_patient(world)
    client = client_for(patient.user)

    response = client.post("/me/screening/", form(note="Since Tuesday I can't feel anything when I wipe"))

    screening = Screening.objects.get(patient=patient)
    assert screening.disposition == "emergency"
    assert screening.answers["note"] == "Since Tuesday I can't feel anything when I wipe"
    assert screening.case["patient"]["baseline"]["note"] == screening.answers["note"]
    assert any("you wrote" in line for f in screening.findings for line in f.evidence)
    assert "Go to the emergency department now" in client.get(response.headers["Location"]).content.decode()
    alert = Alert.objects.get(screening=screening)
    card = client_for(world.nurse).get("/clinic/alerts/").content.decode()
    assert alert.disposition == "emergency"
    assert "Their note, at screening:" in card


def test_a_screening_note_is_shown_to_the_patient_and_the_physician(world: World) -> None:
    patient = new_patient(world)
    client = client_for(patient.user)

    response = client.post("/me/screening/", form(note="Physio helped a little <b>last year</b>"))

    screening = Screening.objects.get(patient=patient)
    assert screening.disposition == "self_care"
    result = client.get(response.headers["Location"]).content.decode()
    assert "the physician reads it when reviewing them" in result
    assert "Physio helped a little &lt;b&gt;last year&lt;/b&gt;" in result
    review = (
        client_for(world.physician)
        .get(f"/clinic/patients/{patient.uuid}/screenings/{screening.uuid}/")
        .content.decode()
    )
    assert "In their own words" in review
    assert "Physio helped a little &lt;b&gt;last year&lt;/b&gt;" in review


def test_a_refused_screening_still_reads_the_note_for_an_emergency(world: World) -> None:
    patient = new_patient(world)

    response = client_for(patient.user).post("/me/screening/", form(pain=None, note="I wet myself yesterday"))

    assert response.status_code == 400
    assert not Screening.objects.filter(patient=patient).exists()
    assert Alert.objects.get(patient=patient).disposition == "emergency"
