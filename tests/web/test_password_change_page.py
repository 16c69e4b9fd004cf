"""Changing one's own password: staff and patients alike; the other sessions of the account end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from prpath.accounts.models import User
from tests.personas import PASSWORD, World, authenticates, injected_patient
from tests.web.pages import body, client_for, error_beside

NEW = "a-fresh-long-passphrase"


def change(old: str, new: str = NEW, again: str = NEW) -> dict[str, str]:
    return {"old_password": old, "new_password1": new, "new_password2": again}


@pytest.mark.parametrize("who", ["nurse", "patient"])
def test_changing_the_password_keeps_this_session_and_ends_the_others(world: World, who: str) -> None:
    user = world.nurse if who == "nurse" else injected_patient(world, days_ago=3).user
    assert user is not None
    here, elsewhere = client_for(user), client_for(user)
    home = "/clinic/alerts/" if who == "nurse" else "/me/"
    assert 'href="/accounts/password/"' in body(here.get(home))  # offered on their pages

    response = here.post("/accounts/password/", change(PASSWORD))

    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password/done/")
    assert "Your password is changed" in body(here.get("/accounts/password/done/"))
    assert here.get(home).status_code == 200
    assert elsewhere.get(home).status_code == 302  # signed out
    assert authenticates(str(user.email), NEW) == user
    assert authenticates(str(user.email), PASSWORD) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (change("not-my-password"), "id_old_password", "Your old password was entered incorrectly"),
        (change(PASSWORD, again="something-else-entirely"), "id_new_password2", "didn’t match"),
        (change(PASSWORD, new="short", again="short"), "id_new_password2", "too short"),
    ],
)
def test_a_bad_change_is_refused_beside_the_field(world: World, data: dict[str, str], field: str, message: str) -> None:
    response = client_for(world.nurse).post("/accounts/password/", data)

    assert response.status_code == 400
    assert message in error_beside(response.content, id_=field)
    assert authenticates(str(world.nurse.email), PASSWORD) == world.nurse


# --- guessing the old password: counted and paused as signing in is (tests/web/test_sign_in_page.py) -----

LIMIT = 10
HERE = "203.0.113.7"


def change_from(client: Client, old: str, address: str = HERE) -> Any:
    return client.post("/accounts/password/", change(old), REMOTE_ADDR=address)


def test_wrong_old_passwords_pause_the_change_after_the_sign_in_limit_even_for_the_right_one(world: World) -> None:
    nurse = client_for(world.nurse)
    for attempt in range(LIMIT - 1):
        refused = change_from(nurse, f"guess-{attempt}")
        assert refused.status_code == 400
        assert "Your old password was entered incorrectly" in error_beside(refused.content, id_="id_old_password")

    paused = change_from(nurse, "guess-last")

    assert paused.status_code == 429
    assert "Too many wrong passwords" in body(paused)
    assert "paused for 15 minutes" in body(paused)
    # Even the right old password is refused now, and the password stays as it was.
    assert change_from(nurse, PASSWORD).status_code == 429
    assert User.objects.get(pk=world.nurse.pk).check_password(PASSWORD)
    # They are one count: signing in with that email from that address waits too; from elsewhere it does not.
    sign_in = {"username": "nurse@riverside.test", "password": PASSWORD}
    assert client_for(None).post("/accounts/login/", sign_in, REMOTE_ADDR=HERE).status_code == 429
    assert client_for(None).post("/accounts/login/", sign_in, REMOTE_ADDR="198.51.100.20").status_code == 302
    # The nurse is still signed in here, and after the pause the right password changes it.
    assert nurse.get("/clinic/alerts/").status_code == 200
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert change_from(nurse, PASSWORD).status_code == 302
    assert authenticates("nurse@riverside.test", NEW) == world.nurse


def test_the_right_old_password_before_the_limit_works_and_clears_the_count(world: World) -> None:
    nurse = client_for(world.nurse)
    for attempt in range(LIMIT - 1):
        assert change_from(nurse, f"guess-{attempt}").status_code == 400

    assert change_from(nurse, PASSWORD).status_code == 302

    for attempt in range(LIMIT - 1):  # as after a sign-in: the earlier failures no longer count
        assert change_from(nurse, f"again-{attempt}").status_code == 400
