"""Every patient page carries the clinic's phone number, a one-line emergency instruction, and says that
prpath's answers support the clinic's judgement rather than replace it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from prpath.clinic.models import CheckIn, Patient
from tests.personas import World, check_in, enrol, injected_patient, screen, with_account
from tests.web.pages import body, client_for, parse

PHONE = "+44 20 7946 0000"  # Riverside's, as the world makes it
OTHER_PHONE = "+44 20 7946 1111"
EMERGENCY = "999"
# Worded in src/prpath/clinic/templates/clinic/patient/base.html.
SUPPORT_NOT_REPLACE = "prpath's answers support your clinic's judgement; they do not replace it."


@dataclass
class Patients:
    recovering: Patient
    self_care: CheckIn
    emergency: CheckIn
    waiting: Patient  # screened, no injection yet
    new: Patient  # an account, nothing answered yet


def patients(world: World) -> Patients:
    recovering = injected_patient(world, days_ago=4)
    self_care = check_in(recovering, days_after=2, pain=4)
    emergency = check_in(recovering, pain=8, difficulty_breathing="severe")
    waiting = with_account(world, enrol(world))
    screen(waiting)
    new = with_account(world, enrol(world))
    return Patients(recovering, self_care, emergency, waiting, new)


PAGES: list[tuple[str, Callable[[Patients], tuple[Patient, str]]]] = [
    ("today", lambda p: (p.recovering, "/me/")),
    ("check-in", lambda p: (p.recovering, "/me/check-in/")),
    ("check-in result", lambda p: (p.recovering, f"/me/check-ins/{p.self_care.uuid}/")),
    ("emergency result", lambda p: (p.recovering, f"/me/check-ins/{p.emergency.uuid}/")),
    ("history", lambda p: (p.recovering, "/me/history/")),
    ("learn", lambda p: (p.recovering, "/me/learn/")),
    ("learn topic", lambda p: (p.recovering, "/me/learn/about_prp/")),
    ("screening result", lambda p: (p.recovering, f"/me/screening/{p.recovering.screenings.get().uuid}/")),
    ("today before the injection", lambda p: (p.waiting, "/me/")),
    ("check-in before the injection", lambda p: (p.waiting, "/me/check-in/")),
    ("history before the injection", lambda p: (p.waiting, "/me/history/")),
    ("screening form", lambda p: (p.new, "/me/screening/")),
]


def signed_in(patient: Patient) -> Client:
    assert patient.user.has_joined
    return client_for(patient.user)


@pytest.mark.parametrize("page", [p[1] for p in PAGES], ids=[p[0] for p in PAGES])
def test_the_page_carries_the_clinics_phone_and_the_emergency_line(
    world: World, page: Callable[[Patients], tuple[Patient, str]]
) -> None:
    patient, url = page(patients(world))

    response = signed_in(patient).get(url)

    assert response.status_code == 200
    html = body(response)
    assert PHONE in html
    assert 'href="tel:+442079460000"' in html, "the clinic's number should be one tap away"
    assert EMERGENCY in html
    assert SUPPORT_NOT_REPLACE in html
    assert OTHER_PHONE not in html
    assert_one_line_emergency_instruction(html)


def assert_one_line_emergency_instruction(html: str) -> None:
    lines = [
        e.text()
        for e in parse(html).iter()
        if e.tag == "p" and EMERGENCY in e.text() and "call" in e.text().lower() and PHONE in e.text()
    ]
    assert lines, "no single line gives both the emergency number and the clinic's"


def test_the_pages_refusing_a_check_in_still_carry_them(world: World) -> None:
    patient = injected_patient(world, days_ago=4)

    response = signed_in(patient).post("/me/check-in/", {"pain": "11"})

    assert response.status_code == 400
    html = body(response)
    assert PHONE in html
    assert EMERGENCY in html
    assert SUPPORT_NOT_REPLACE in html


def test_a_patient_of_the_other_clinic_is_shown_their_own_clinics_number(world: World) -> None:
    patient = injected_patient(world, days_ago=3, clinic=world.other_clinic)

    html = body(signed_in(patient).get("/me/"))

    assert OTHER_PHONE in html
    assert PHONE not in html
    assert "Hillside Pain" in html


def test_the_emergency_result_puts_the_emergency_call_first(world: World) -> None:
    p = patients(world)

    html = body(signed_in(p.recovering).get(f"/me/check-ins/{p.emergency.uuid}/"))

    assert 'href="tel:999"' in html
    main = html.split("<main", 1)[-1]
    assert main.index("tel:999") < main.index("tel:+442079460000")
