"""The patient list's filters: what is given is used; what is not a filter is named beside its field and
ignored, never a 5xx (a NUL byte in a query string reaches PostgreSQL otherwise)."""

from __future__ import annotations

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Patient
from tests.personas import World, check_in, enrol, injected_patient
from tests.web.pages import body, client_for, error_beside, parse


def listed(patient: Patient) -> str:
    return f"{patient.family_name}, {patient.given_name}"


def names(html: str) -> set[str]:
    return {a.text() for a in parse(html).find_all("a") if a.attrs.get("href", "").startswith("/clinic/patients/")}


def test_search_and_stage_filter_the_list(world: World) -> None:
    enrolled = enrol(world, family_name="Okafor")
    recovering = injected_patient(world, days_ago=3)

    client = client_for(world.nurse)
    assert listed(enrolled) in names(body(client.get("/clinic/patients/?q=okafor")))
    assert listed(recovering) not in names(body(client.get("/clinic/patients/?q=okafor")))
    assert names(body(client.get("/clinic/patients/?stage=recovering"))) >= {listed(recovering)}
    assert listed(enrolled) not in names(body(client.get("/clinic/patients/?stage=recovering")))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("q=pat%00", "q", "Null characters are not allowed."),
        ("q=" + "x" * 101, "q", "at most 100 characters"),
        ("stage=%00", "stage", "Select a valid choice."),
        ("stage=everyone", "stage", "Select a valid choice."),
    ],
)
def test_a_filter_that_is_not_one_is_named_beside_its_field_and_ignored(
    world: World, query: str, field: str, message: str
) -> None:
    patient = enrol(world, family_name="Okafor")

    response = client_for(world.nurse).get(f"/clinic/patients/?{query}&alerts=%00")

    assert response.status_code == 400
    assert message in error_beside(response.content, id_=field)
    assert listed(patient) in names(body(response))  # the bad filter is not applied
    event = AuditEvent.objects.filter(action="patient.list").latest("at", "pk")
    assert "\x00" not in str(event.detail)


def test_the_open_alert_badge_has_the_colour_of_the_worst_open_alert(world: World) -> None:
    emergency = injected_patient(world, days_ago=4)
    check_in(emergency, bladder_control_loss="moderate")
    urgent = injected_patient(world, days_ago=4)
    check_in(urgent, temperature_c="38.6")

    page = parse(client_for(world.nurse).get("/clinic/patients/").content)

    badges = {b.text(): b.attrs["class"] for b in page.find_all("span") if "open" in b.text()}
    assert badges == {"1 open: emergency": "badge badge--emergency", "1 open": "badge badge--urgent"}


def test_the_timeline_says_yes_for_a_red_flag_asked_yes_or_no(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, bladder_control_loss="moderate", itching="mild")

    page = body(client_for(world.nurse).get(f"/clinic/patients/{patient.uuid}/"))

    assert "losing control of your bladder (yes)" in page
    assert "itching (mild)" in page
    assert "losing control of your bladder (moderate)" not in page
