"""Accepting an invitation link: the patient chooses a password and is signed in; a bad link is refused."""

from __future__ import annotations

from django.contrib.auth.models import User

from prpath.clinic import services
from prpath.clinic.models import Patient
from tests.personas import PASSWORD, World, enrol
from tests.web.pages import body, client_for, error_beside


def invited(world: World) -> tuple[Patient, str]:
    patient = enrol(world)
    _, token = services.do_invite_patient(world.nurse, patient)
    return patient, token


def test_choosing_a_password_creates_the_account_and_signs_in(world: World) -> None:
    patient, token = invited(world)
    client = client_for(None)

    response = client.post(f"/join/{token}/", {"password": PASSWORD, "password_again": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/me/screening/"
    patient.refresh_from_db()
    assert patient.user is not None
    assert patient.user.check_password(PASSWORD)
    assert client.get("/me/screening/").status_code == 200


def test_two_different_passwords_are_refused_beside_the_second(world: World) -> None:
    patient, token = invited(world)

    response = client_for(None).post(f"/join/{token}/", {"password": PASSWORD, "password_again": PASSWORD + "x"})

    assert response.status_code == 400
    assert "not the same" in error_beside(response.content, name="password_again")
    assert not User.objects.filter(username=patient.email).exists()


def test_a_weak_password_is_refused_beside_it(world: World) -> None:
    patient, token = invited(world)

    response = client_for(None).post(f"/join/{token}/", {"password": "password", "password_again": "password"})

    assert response.status_code == 400
    assert "too short" in error_beside(response.content, name="password")
    assert not User.objects.filter(username=patient.email).exists()


def test_a_used_or_unknown_link_cannot_be_used(world: World) -> None:
    _, token = invited(world)
    services.do_accept_invitation(token, PASSWORD)

    for link in (f"/join/{token}/", "/join/not-a-token/"):
        response = client_for(None).post(link, {"password": PASSWORD, "password_again": PASSWORD})
        assert response.status_code == 404
        assert "cannot be used" in body(response)
