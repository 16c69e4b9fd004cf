"""The end of the regular check-ins is said (issue 12, item 4): from week six the patient is not asked to
check in again tomorrow, but told the check-ins are over, what comes next, and whom to call."""

from __future__ import annotations

from tests.personas import World, check_in, injected_patient
from tests.web.pages import body, client_for


def test_after_the_last_check_in_today_says_they_are_over_what_comes_next_and_whom_to_call(world: World) -> None:
    patient = injected_patient(world, days_ago=43)

    html = body(client_for(patient.user).get("/me/"))

    assert "Your regular check-ins are over" in html
    assert "How are you today?" not in html
    assert "3 months" in html
    assert "12 months" in html
    assert f'href="tel:{world.clinic.phone.replace(" ", "")}"' in html


def test_the_last_check_in_says_it_was_the_last_and_not_check_in_again_tomorrow(world: World) -> None:
    patient = injected_patient(world, days_ago=42)
    client = client_for(patient.user)
    assert "How are you today?" in body(client.get("/me/"))  # the last one is still due today

    checkin = check_in(patient, pain=2)
    html = body(client.get(f"/me/check-ins/{checkin.uuid}/"))

    assert "tomorrow" not in html
    assert "That was your last regular check-in" in html
    assert "Your regular check-ins are over" in body(client.get("/me/"))


def test_a_check_in_before_the_end_names_the_next_due_day(world: World) -> None:
    patient = injected_patient(world, days_ago=14)

    html = body(client_for(patient.user).get(f"/me/check-ins/{check_in(patient, pain=2).uuid}/"))

    assert "tomorrow" not in html
    assert "Your next check-in is due" in html
    assert "Your regular check-ins are over" not in body(client_for(patient.user).get("/me/"))
