"""The staff page (clinic admins): who works here, adding someone with a link to set their password,
new-password links, deactivating and reactivating. Bad input is named beside its field and stores nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prpath.accounts.models import AccessLink, User
from prpath.clinic.actions.access_links import do_accept_access_link
from prpath.clinic.actions.staff import do_set_staff_active
from prpath.clinic.models import Role, StaffMember
from tests.personas import PASSWORD, World, add_staff, authenticates, enrol, now, staff
from tests.web.pages import body, client_for, error_beside, parse

NEW_PASSWORD = "a-longer-Passphrase-41"


def form(**changes: Any) -> dict[str, Any]:
    data = {"given_name": "Sam", "family_name": "Lee", "email": "Sam.Lee@Riverside.test", "role": "physician"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def link_on(page: str) -> str:
    value = parse(page).find_all("input", id_="invitation-link")[0].attrs["value"]
    match = re.search(r"/join/([^/]+)/$", value)
    assert match is not None, value
    return match.group(1)


def test_the_page_lists_the_clinics_staff_and_no_one_elses(world: World) -> None:
    page = body(client_for(world.admin).get("/clinic/staff/"))

    for email in ("admin@riverside.test", "physician@riverside.test", "nurse@riverside.test"):
        assert email in page
    assert "hillside" not in page.lower()
    assert "(you)" in parse(page).find_all("tr", id_=f"staff-{world.admin.staff.uuid}")[0].text()


def test_adding_someone_shows_their_link_once_and_the_link_lets_them_in(world: World) -> None:
    response = client_for(world.admin).post("/clinic/staff/", form())

    assert response.status_code == 200
    member = StaffMember.objects.get(email="sam.lee@riverside.test")
    assert (member.clinic, member.role) == (world.clinic, Role.PHYSICIAN)
    token = link_on(body(response))
    joining = client_for(None)
    assert "Welcome to prpath, Sam" in body(joining.get(f"/join/{token}/"))

    accepted = joining.post(f"/join/{token}/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})

    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/clinic/alerts/"
    assert joining.get("/clinic/alerts/").status_code == 200
    assert authenticates("sam.lee@riverside.test", NEW_PASSWORD) == member.user
    assert (
        "Active"
        in parse(body(client_for(world.admin).get("/clinic/staff/")))
        .find_all("tr", id_=f"staff-{member.uuid}")[0]
        .text()
    )


BAD_INPUT = [
    ("email missing", {"email": None}, "email", "This field is required"),
    ("email not an address", {"email": "sam at home"}, "email", "Enter a valid email address"),
    ("email already on the staff", {"email": "Nurse@riverside.test"}, "email", "lready on this clinic's staff"),
    ("given name missing", {"given_name": ""}, "given_name", "This field is required"),
    ("role tampered", {"role": "superuser"}, "role", "Select a valid choice"),
    ("role not chosen", {"role": ""}, "role", "This field is required"),
]


@pytest.mark.parametrize(("what", "changes", "field", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_named_beside_its_field_and_nothing_is_stored(
    world: World, what: str, changes: dict[str, Any], field: str, message: str
) -> None:
    before = (User.objects.count(), StaffMember.objects.count(), AccessLink.objects.count())

    response = client_for(world.admin).post("/clinic/staff/", form(**changes))

    assert response.status_code == 400, what
    assert message in error_beside(response.content, name=field)
    assert (User.objects.count(), StaffMember.objects.count(), AccessLink.objects.count()) == before


def test_a_new_password_link_for_a_colleague(world: World) -> None:
    nurse = world.nurse.staff

    response = client_for(world.admin).post(f"/clinic/staff/{nurse.uuid}/link/")

    assert response.status_code == 200
    assert "New-password link for Nurse Riverside" in body(response)
    do_accept_access_link(link_on(body(response)), NEW_PASSWORD, now=now())
    assert authenticates("nurse@riverside.test", NEW_PASSWORD) == world.nurse


def test_deactivating_ends_their_session_for_good_and_reactivating_needs_a_new_password(world: World) -> None:
    nurse_client = client_for(world.nurse)
    assert nurse_client.get("/clinic/alerts/").status_code == 200
    admin = client_for(world.admin)

    response = admin.post(f"/clinic/staff/{world.nurse.staff.uuid}/active/", {"active": "no"}, follow=True)

    assert "Nurse Riverside is deactivated and can no longer sign in." in body(response)
    assert nurse_client.get("/clinic/alerts/").status_code == 302  # to the sign-in page
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    row = parse(body(response)).find_all("tr", id_=f"staff-{world.nurse.staff.uuid}")[0].text()
    assert "Deactivated" in row
    assert "Reactivate" in row

    back = admin.post(f"/clinic/staff/{world.nurse.staff.uuid}/active/", {"active": "yes"}, follow=True)

    assert "Nurse Riverside is active again: make them a sign-up link" in body(back)
    assert nurse_client.get("/clinic/alerts/").status_code == 302  # the old session stays dead
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    row = parse(body(back)).find_all("tr", id_=f"staff-{world.nurse.staff.uuid}")[0].text()
    assert "Waiting for a password" in row
    assert "New sign-up link" in row


def test_a_deactivated_physician_is_not_offered_as_the_operator(world: World) -> None:
    add_staff(world.clinic, email="kim.ng@riverside.test", given_name="Kim", family_name="Ng", role=Role.PHYSICIAN)
    do_set_staff_active(staff(world.admin), world.physician.staff, active=False, now=now())
    patient = enrol(world)
    page = body(
        client_for(StaffMember.objects.get(email="kim.ng@riverside.test").user).get(
            f"/clinic/patients/{patient.uuid}/procedures/new/"
        )
    )

    operators = parse(page).find_all("select", name="operator")[0].text()
    assert "Kim Ng" in operators
    assert "Physician Riverside" not in operators


@pytest.mark.parametrize("value", ["maybe", ""])
def test_a_tampered_active_value_changes_nothing_and_says_so(world: World, value: str) -> None:
    response = client_for(world.admin).post(
        f"/clinic/staff/{world.nurse.staff.uuid}/active/", {"active": value}, follow=True
    )

    assert "Nothing changed" in body(response)
    assert User.objects.get(pk=world.nurse.pk).is_active


def test_the_admin_is_told_why_they_cannot_deactivate_themself(world: World) -> None:
    response = client_for(world.admin).post(
        f"/clinic/staff/{world.admin.staff.uuid}/active/", {"active": "no"}, follow=True
    )

    assert "You cannot deactivate your own account." in body(response)
    assert User.objects.get(pk=world.admin.pk).is_active


def test_the_staff_page_makes_as_many_queries_for_twelve_people_as_for_two(world: World) -> None:
    client = client_for(world.admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/clinic/staff/").status_code == 200
        return len(captured)

    few = queries()
    for i in range(10):
        member = add_staff(
            world.clinic, email=f"extra{i}@riverside.test", given_name="Extra", family_name=f"N{i}", role=Role.NURSE
        )
        if i % 3 == 0:
            do_set_staff_active(staff(world.admin), member, active=False, now=now())
    many = queries()

    assert StaffMember.objects.filter(clinic=world.clinic).count() == 14
    assert few == many


def test_no_role_is_preselected(world: World) -> None:
    page = body(client_for(world.admin).get("/clinic/staff/"))

    options = parse(page).find_all("select", name="role")[0].find_all("option")
    assert options[0].attrs["value"] == ""
    assert [option.attrs["value"] for option in options if "selected" in option.attrs] in ([], [""])


def test_a_colleagues_new_role_applies_to_their_very_next_request(world: World) -> None:
    nurse_client = client_for(world.nurse)
    assert nurse_client.get("/clinic/staff/").status_code == 403

    response = client_for(world.admin).post(
        f"/clinic/staff/{world.nurse.staff.uuid}/role/", {"new_role": "admin"}, follow=True
    )

    assert "Nurse Riverside's role is now clinic admin." in parse(body(response)).text()
    assert nurse_client.get("/clinic/staff/").status_code == 200
    (select,) = parse(body(response)).find_all("select", id_=f"role-{world.nurse.staff.uuid}")
    chosen = [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]
    assert chosen == ["admin"]


@pytest.mark.parametrize("role", ["surgeon", ""])
def test_a_tampered_role_changes_nothing_and_says_so(world: World, role: str) -> None:
    response = client_for(world.admin).post(
        f"/clinic/staff/{world.nurse.staff.uuid}/role/", {"new_role": role}, follow=True
    )

    assert "That role was not understood:" in body(response)
    assert "Nothing changed" in body(response)
    assert StaffMember.objects.get(user=world.nurse).role == Role.NURSE


def test_the_admin_cannot_change_their_own_role_and_is_offered_no_control_for_it(world: World) -> None:
    admin = client_for(world.admin)
    page = parse(body(admin.get("/clinic/staff/")))
    assert page.find_all("select", id_=f"role-{world.admin.staff.uuid}") == []

    response = admin.post(f"/clinic/staff/{world.admin.staff.uuid}/role/", {"new_role": "nurse"}, follow=True)

    assert "You cannot change your own role" in body(response)
    assert StaffMember.objects.get(user=world.admin).role == Role.ADMIN
