"""Changing one's own password: staff and patients alike; the other sessions of the account end."""

from __future__ import annotations

import pytest

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
