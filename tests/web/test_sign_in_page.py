"""Signing in, and guessing: after 10 failures for one login from one address, that pair waits 15 minutes.
The same login from another address (the patient's own phone) is not locked out by someone else's guesses."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.personas import PASSWORD, World, injected_patient
from tests.web.pages import body, client_for

LIMIT = 10


def sign_in(client: Client, email: str, password: str, address: str = "203.0.113.7") -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(world: World) -> None:
    response = sign_in(client_for(None), "nurse@riverside.test", "not-the-password")

    assert response.status_code == 200
    assert "That email and password do not match an account" in body(response)


def test_after_ten_failures_that_login_from_that_address_is_paused(world: World) -> None:
    guesser = client_for(None)
    for attempt in range(LIMIT - 1):
        assert sign_in(guesser, "nurse@riverside.test", f"guess-{attempt}").status_code == 200

    locked = sign_in(guesser, "nurse@riverside.test", "guess-last")
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in body(locked)
    assert "emergency number" in body(locked)  # someone unwell is told not to wait
    # Even the right password waits now.
    assert sign_in(client_for(None), "nurse@riverside.test", PASSWORD).status_code == 429
    # The same login from elsewhere, and another login from here, still work.
    assert sign_in(client_for(None), "nurse@riverside.test", PASSWORD, address="198.51.100.20").status_code == 302
    assert sign_in(client_for(None), "physician@riverside.test", PASSWORD).status_code == 302


def test_a_patient_is_not_locked_out_by_guesses_from_another_address(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    for attempt in range(LIMIT + 2):
        sign_in(client_for(None), patient.email, f"guess-{attempt}", address="192.0.2.99")

    response = sign_in(client_for(None), patient.email, PASSWORD, address="203.0.113.50")

    assert (response.status_code, response.headers["Location"]) == (302, "/")


def test_a_success_clears_the_earlier_failures(world: World) -> None:
    for attempt in range(LIMIT - 1):
        sign_in(client_for(None), "nurse@riverside.test", f"guess-{attempt}")
    assert sign_in(client_for(None), "nurse@riverside.test", PASSWORD).status_code == 302

    for attempt in range(LIMIT - 1):
        assert sign_in(client_for(None), "nurse@riverside.test", f"again-{attempt}").status_code == 200


def test_the_email_is_read_whatever_its_case_and_spaces(world: World) -> None:
    # A phone keyboard capitalises the first letter; a pasted address brings a space.
    response = sign_in(client_for(None), " Nurse@Riverside.TEST ", PASSWORD)

    assert response.status_code == 302


def test_changing_the_case_of_the_email_buys_no_more_guesses(world: World) -> None:
    guesser = client_for(None)
    for attempt in range(LIMIT - 1):
        email = "nurse@riverside.test" if attempt % 2 else "NURSE@riverside.test"
        assert sign_in(guesser, email, f"guess-{attempt}").status_code == 200

    assert sign_in(guesser, "Nurse@Riverside.test", "guess-last").status_code == 429
