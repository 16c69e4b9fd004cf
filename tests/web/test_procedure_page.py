"""Recording a PRP injection from the clinic's page: physicians only; bad figures refused beside the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import Patient, Procedure
from prpath.core.protocol.schema import Candidacy
from tests.personas import World, enrol, now, screen, staff, with_account
from tests.web.pages import body, client_for, error_beside, parse


def approved_patient(world: World) -> Patient:
    patient = with_account(world, enrol(world))
    do_decide_candidacy(staff(world.physician), screen(patient), candidacy=Candidacy.ELIGIBLE, reason="", now=now())
    patient.refresh_from_db()
    return patient


def clinic_time(world: World, delta: dt.timedelta) -> str:
    local = timezone.now().astimezone(zoneinfo.ZoneInfo(world.clinic.time_zone)) + delta
    return local.strftime("%Y-%m-%dT%H:%M")


def form(world: World, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "performed_at": clinic_time(world, -dt.timedelta(hours=2)),
        "target": "intradiscal",
        "spinal_level": "L4-L5",
        "side": "midline",
        "image_guidance": "fluoroscopy",
        "blood_drawn_ml": "60",
        "spin_protocol": "two spins: 1500 g 10 min, then 3000 g 10 min",
        "platelet_concentration_x": "5.0",
        "platelet_count_per_ul": "",
        "leukocytes": "poor",
        "activation": "none",
        "volume_injected_ml": "3.5",
        "operator": str(world.physician.pk),
        "notes": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(patient: Patient) -> str:
    return f"/clinic/patients/{patient.uuid}/procedures/new/"


def test_it_records_the_injection_and_starts_the_recovery_plan(world: World) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(url(patient), form(world))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/clinic/patients/{patient.uuid}/"
    procedure = Procedure.objects.get(patient=patient)
    assert (procedure.spinal_level, procedure.platelet_concentration_x) == ("L4-L5", Decimal("5.0"))
    patient.refresh_from_db()
    assert (patient.stage, patient.injected_on) == ("injected", procedure.performed_on)
    assert AuditEvent.objects.filter(action="procedure.record", patient=patient, actor=world.physician).count() == 1


def test_the_time_is_read_as_the_clinics_wall_clock(world: World) -> None:
    patient = approved_patient(world)
    sent = clinic_time(world, -dt.timedelta(hours=2))

    client_for(world.physician).post(url(patient), form(world, performed_at=sent))

    performed = Procedure.objects.get(patient=patient).performed_at
    local = performed.astimezone(zoneinfo.ZoneInfo(world.clinic.time_zone))
    assert local.strftime("%Y-%m-%dT%H:%M") == sent


def test_a_platelet_count_alone_is_enough(world: World) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(
        url(patient), form(world, platelet_concentration_x="", platelet_count_per_ul="1200000")
    )

    assert response.status_code == 302
    assert Procedure.objects.get(patient=patient).platelet_count_per_ul == 1_200_000


def test_volumes_are_read_with_a_comma_or_their_unit(world: World) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(
        url(patient), form(world, blood_drawn_ml="60 mL", volume_injected_ml="3,5", platelet_concentration_x="5,0")
    )

    assert response.status_code == 302
    procedure = Procedure.objects.get(patient=patient)
    assert (procedure.blood_drawn_ml, procedure.volume_injected_ml, procedure.platelet_concentration_x) == (
        Decimal("60"),
        Decimal("3.5"),
        Decimal("5.0"),
    )


BAD_INPUT: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "no platelet figure",
        {"platelet_concentration_x": "", "platelet_count_per_ul": ""},
        "platelet_concentration_x",
        "Give the concentration",
    ),
    ("spinal level L9", {"spinal_level": "L9"}, "spinal_level", "Write a level such as L4-L5"),
    ("spinal level missing", {"spinal_level": ""}, "spinal_level", "This field is required"),
    ("spin protocol missing", {"spin_protocol": None}, "spin_protocol", "This field is required"),
    ("target tampered", {"target": "spinal_cord"}, "target", "Select a valid choice"),
    ("side tampered", {"side": "inside"}, "side", "Select a valid choice"),
    ("time not a time", {"performed_at": "yesterday"}, "performed_at", "Enter a valid date/time"),
    ("blood drawn 0", {"blood_drawn_ml": "0"}, "blood_drawn_ml", "greater than or equal to 1"),
    ("volume abc", {"volume_injected_ml": "abc"}, "volume_injected_ml", "Enter a number"),
    (
        "volume over the blood drawn",
        {"blood_drawn_ml": "10", "volume_injected_ml": "12"},
        "volume_injected_ml",
        "more than the blood drawn",
    ),
    ("operator missing", {"operator": ""}, "operator", "This field is required"),
    ("operator a number", {"operator": "x"}, "operator", "Select a valid choice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_beside_its_field(world: World, changes: dict[str, Any], field: str, message: str) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(url(patient), form(world, **changes))

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    assert_nothing_recorded(patient)


def test_an_injection_in_the_future_is_refused_beside_the_time(world: World) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(
        url(patient), form(world, performed_at=clinic_time(world, dt.timedelta(days=1)))
    )

    assert response.status_code == 400
    assert "in the future" in error_beside(response.content, name="performed_at")
    assert_nothing_recorded(patient)


@pytest.mark.parametrize("who", ["nurse", "other_physician"])
def test_the_operator_must_be_a_physician_of_this_clinic(world: World, who: str) -> None:
    patient = approved_patient(world)
    operator = getattr(world, who)

    response = client_for(world.physician).post(url(patient), form(world, operator=str(operator.pk)))

    assert response.status_code == 400
    assert "Select a valid choice" in error_beside(response.content, name="operator")
    assert_nothing_recorded(patient)


def assert_nothing_recorded(patient: Patient) -> None:
    assert not Procedure.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(action="procedure.record").exists()
    patient.refresh_from_db()
    assert (patient.stage, patient.injected_on) == ("approved", None)


@pytest.mark.parametrize("when", ["0202-05-01T10:00", "0001-01-01T00:30"])
def test_a_mistyped_year_is_refused_beside_the_time(world: World, when: str) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(url(patient), form(world, performed_at=when))

    assert response.status_code == 400
    assert "year" in error_beside(response.content, name="performed_at")
    assert_nothing_recorded(patient)


def test_an_injection_more_than_a_year_ago_is_refused_beside_the_time(world: World) -> None:
    patient = approved_patient(world)

    response = client_for(world.physician).post(
        url(patient), form(world, performed_at=clinic_time(world, -dt.timedelta(days=400)))
    )

    assert response.status_code == 400
    assert "366 days ago" in error_beside(response.content, name="performed_at")
    assert_nothing_recorded(patient)


def test_the_form_shows_what_the_screening_asked_to_check_before_injecting(world: World) -> None:
    patient = with_account(world, enrol(world))
    screening = screen(patient, history=("nsaid_use",))
    do_decide_candidacy(staff(world.physician), screening, candidacy=Candidacy.ELIGIBLE, reason="", now=now())

    page = parse(body(client_for(world.physician).get(url(patient))))

    [section] = [s for s in page.find_all("section") if "before-injection" in s.classes]
    text = section.text()
    answered = screening.answered_at.astimezone(zoneinfo.ZoneInfo(world.clinic.time_zone))
    assert f"From the screening of {answered:%-d %b %Y}" in text
    assert "Decided eligible by Physician Riverside." in text
    assert screening.findings
    assert all(f.title in text for f in screening.findings)
    assert any("NSAID" in f.rationale for f in screening.findings)
