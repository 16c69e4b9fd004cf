"""Accepting an invitation link: the patient chooses a password and is signed in; a bad link is refused."""

from __future__ import annotations

from typing import Any

from django.test import Client

from prpath.clinic.actions.access_links import do_accept_access_link, do_invite_patient
from prpath.clinic.models import Patient
from tests.personas import PASSWORD, World, authenticates, enrol, now, staff, with_account
from tests.web.pages import body, client_for, error_beside, parse


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password})


def invited(world: World) -> tuple[Patient, str]:
    patient = enrol(world)
    _, token = do_invite_patient(staff(world.nurse), patient, now=now())
    return patient, token


def has_no_login(patient: Patient) -> bool:
    """The account made at enrolment has not joined and no password lets it in."""
    patient.user.refresh_from_db()
    return not patient.user.has_joined and not patient.user.has_usable_password()


def test_choosing_a_password_creates_the_account_and_signs_in(world: World) -> None:
    patient, token = invited(world)
    client = client_for(None)

    response = client.post(f"/join/{token}/", {"password": PASSWORD, "password_again": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/me/screening/"
    patient.refresh_from_db()
    assert patient.user.has_joined
    assert patient.user.check_password(PASSWORD)
    assert client.get("/me/screening/").status_code == 200


def test_two_different_passwords_are_refused_beside_the_second(world: World) -> None:
    patient, token = invited(world)

    response = client_for(None).post(f"/join/{token}/", {"password": PASSWORD, "password_again": PASSWORD + "x"})

    assert response.status_code == 400
    assert "not the same" in error_beside(response.content, name="password_again")
    assert has_no_login(patient)
    assert authenticates(patient.email, PASSWORD) is None


def test_a_weak_password_is_refused_beside_it(world: World) -> None:
    patient, token = invited(world)

    response = client_for(None).post(f"/join/{token}/", {"password": "password", "password_again": "password"})

    assert response.status_code == 400
    assert "too short" in error_beside(response.content, name="password")
    assert has_no_login(patient)
    assert authenticates(patient.email, "password") is None


def test_a_used_or_unknown_link_cannot_be_used(world: World) -> None:
    _, token = invited(world)
    do_accept_access_link(token, PASSWORD, now=now())

    for link in (f"/join/{token}/", "/join/not-a-token/"):
        response = client_for(None).post(link, {"password": PASSWORD, "password_again": PASSWORD})
        assert response.status_code == 404
        assert "cannot be used" in body(response)


def test_a_new_password_link_sets_the_password_signs_in_and_ends_other_sessions(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    old_phone = client_for(None)
    assert sign_in(old_phone, patient.email, PASSWORD).status_code == 302
    staff = client_for(world.nurse)
    timeline = body(staff.get(f"/clinic/patients/{patient.uuid}/"))
    assert "Make a new-password link" in timeline
    assert "Create invitation link" not in timeline
    page = staff.post(f"/clinic/patients/{patient.uuid}/password-link/")
    assert page.status_code == 200
    [box] = parse(page.content).find_all("input", id="invitation-link")
    path = "/" + box.attrs["value"].split("/", 3)[3]
    client = client_for(None)
    assert "Choose a new password" in body(client.get(path))

    response = client.post(path, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})

    assert (response.status_code, response.headers["Location"]) == (302, "/me/")
    assert "Your new password is set." in body(client.get("/me/"))
    assert old_phone.get("/me/").status_code == 302  # signed out: the old password's session has ended
    assert sign_in(client_for(None), patient.email, "a-brand-new-passphrase").status_code == 302
