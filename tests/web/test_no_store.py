"""Pages with patient data are never cached: a shared clinic computer's back button after signing out, or a
proxy, must not show them again."""

from __future__ import annotations

import pytest

from prpath.clinic.actions.access_links import do_invite_patient
from tests.personas import World, enrol, injected_patient, now, staff
from tests.web.pages import client_for


@pytest.mark.parametrize("who", ["patient", "nurse"])
def test_every_signed_in_page_says_no_store(world: World, who: str) -> None:
    patient = injected_patient(world, days_ago=3)
    assert patient.user.has_joined
    user, pages = (
        (patient.user, ["/me/", "/me/check-in/", "/me/history/", "/me/learn/"])
        if who == "patient"
        else (world.nurse, ["/clinic/alerts/", "/clinic/patients/", f"/clinic/patients/{patient.uuid}/"])
    )
    client = client_for(user)

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" in response.headers.get("Cache-Control", ""), page


def test_the_invitation_page_says_no_store(world: World) -> None:
    _, token = do_invite_patient(staff(world.nurse), enrol(world), now=now())

    response = client_for(None).get(f"/join/{token}/")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_the_public_start_page_may_be_cached(world: World) -> None:
    assert "no-store" not in client_for(None).get("/").headers.get("Cache-Control", "")
