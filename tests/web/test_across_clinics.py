"""A clinic learns nothing of another clinic's people (issue 12, item 13).

One person may be a patient of two clinics, or staff at one and a patient at another. The enrol and staff
forms say nothing of what another clinic holds; an invitation to an email that already signs in joins
that account once its owner signs in, never sets its password; and each clinic sees only its own records.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from prpath.accounts.models import AccessLink, User
from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.access_links import do_invite_patient, do_issue_password_link
from prpath.clinic.models import Patient, Role, StaffMember
from prpath.core.problems import ProblemsFound
from tests.personas import (
    PASSWORD,
    World,
    authenticates,
    check_in,
    enrol,
    injected_patient,
    now,
    staff,
    with_account,
)
from tests.web.pages import body, client_for, error_beside, parse

OTHER_PASSWORD = "a-different-long-passphrase"


def enrolment(email: str) -> dict[str, Any]:
    return {
        "given_name": "Dana",
        "family_name": "Reyes",
        "date_of_birth": "1975-03-09",
        "sex": "female",
        "email": email,
        "conditions": ["herniated_disc"],
    }


def colleague(email: str) -> dict[str, Any]:
    return {"given_name": "Dana", "family_name": "Reyes", "email": email, "role": "nurse"}


def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, body(response)


def invitation_token(world: World, patient: Patient) -> str:
    actor = world.nurse if patient.clinic_id == world.clinic.pk else world.other_nurse
    _, token = do_invite_patient(staff(actor), patient, now=now())
    return token


def link_on(page: str) -> str:
    value = parse(page).find_all("input", id_="invitation-link")[0].attrs["value"]
    return value.rstrip("/").rsplit("/", 1)[-1]


def other_clinics_people(world: World) -> dict[str, str]:
    """Hillside's people, each a kind of record that exists only because of Hillside."""
    joined = with_account(world, enrol(world, world.other_clinic, email="joined@patients.test"))
    invited = enrol(world, world.other_clinic, email="invited@patients.test")
    invitation_token(world, invited)
    return {
        "a joined patient": joined.email,
        "an invited patient": invited.email,
        "a member of staff": "nurse@hillside.test",
    }


# --- 1. the forms say nothing of another clinic's people ---------------------------------------------


def test_enrolling_an_email_of_another_clinics_people_says_nothing_of_them(world: World) -> None:
    for what, email in other_clinics_people(world).items():
        response = client_for(world.nurse).post("/clinic/patients/new/", enrolment(email))

        assert response.status_code == 302, f"{what}: {body(response)}"
        assert Patient.objects.filter(clinic=world.clinic, email=email).exists(), what


def told(response: Any, email: str) -> str:
    """What a page says, its email and its link written the same way for everyone."""
    text = parse(body(response)).find_all("main")[0].text().replace(email, "EMAIL")
    return re.sub(r"/join/[^/ ]+/", "/join/TOKEN/", text)


def test_adding_staff_with_an_email_of_another_clinics_people_says_nothing_of_them(world: World) -> None:
    nobody = client_for(world.admin).post("/clinic/staff/", colleague("nobody.yet@patients.test"))

    for what, email in other_clinics_people(world).items():
        response = client_for(world.admin).post("/clinic/staff/", colleague(email))

        assert response.status_code == 200, f"{what}: {error_beside(response.content, name='email')}"
        assert told(response, email) == told(nobody, "nobody.yet@patients.test"), what
        assert StaffMember.objects.filter(clinic=world.clinic, email=email).exists(), what


def test_the_clinics_own_records_are_still_named(world: World) -> None:
    enrol(world, email="ours@patients.test")

    enrolled = client_for(world.nurse).post("/clinic/patients/new/", enrolment("ours@patients.test"))
    added = client_for(world.admin).post("/clinic/staff/", colleague("Nurse@riverside.test"))

    assert "already enrolled in this clinic" in error_beside(enrolled.content, name="email")
    assert "already on this clinic's staff" in error_beside(added.content, name="email")


# --- 2. one clinic's invitation does not block another's ---------------------------------------------


def test_an_email_invited_by_one_clinic_can_be_enrolled_invited_and_added_by_another(world: World) -> None:
    there = enrol(world, world.other_clinic, email="dana.reyes@patients.test")
    there_token = invitation_token(world, there)

    enrolled = client_for(world.nurse).post("/clinic/patients/new/", enrolment("dana.reyes@patients.test"))
    here = Patient.objects.get(clinic=world.clinic, email="dana.reyes@patients.test")
    invited = client_for(world.nurse).post(f"/clinic/patients/{here.uuid}/invite/")

    assert enrolled.status_code == 302
    assert invited.status_code == 200
    # The first link accepted makes the login; the other joins it once its owner signs in.
    person = client_for(None)
    accepted = person.post(f"/join/{link_on(body(invited))}/", {"password": PASSWORD, "password_again": PASSWORD})
    assert accepted.status_code == 302
    assert person.post(f"/join/{there_token}/", {"join": "yes"}).status_code == 302
    there.refresh_from_db()
    here.refresh_from_db()
    assert there.user == here.user
    assert User.objects.filter(email="dana.reyes@patients.test").count() == 1


# --- 3. an invitation to an existing account: sign in, then join; never a new password ---------------


@pytest.fixture
def joined_there(world: World) -> Patient:
    return with_account(world, enrol(world, world.other_clinic, email="dana.reyes@patients.test"))


def test_an_invitation_to_an_email_that_signs_in_asks_for_a_sign_in_not_a_password(
    world: World, joined_there: Patient
) -> None:
    here = enrol(world, email="dana.reyes@patients.test")
    token = invitation_token(world, here)
    stranger = client_for(None)

    page = stranger.get(f"/join/{token}/")
    taken = stranger.post(f"/join/{token}/", {"password": OTHER_PASSWORD, "password_again": OTHER_PASSWORD})

    assert page.status_code == 200
    assert f"/accounts/login/?next=/join/{token}/" in body(page)
    assert 'name="password"' not in body(page)
    assert taken.status_code == 400
    assert authenticates("dana.reyes@patients.test", PASSWORD) == joined_there.user
    assert authenticates("dana.reyes@patients.test", OTHER_PASSWORD) is None
    assert User.objects.filter(email="dana.reyes@patients.test").count() == 1
    here.refresh_from_db()
    assert here.user != joined_there.user
    assert not stranger.session.get("_auth_user_id")


def test_after_signing_in_the_invitation_joins_the_clinic_to_the_account(world: World, joined_there: Patient) -> None:
    here = enrol(world, email="dana.reyes@patients.test")
    token = invitation_token(world, here)
    person = client_for(None)
    sign_in(person, "dana.reyes@patients.test")

    page = person.get(f"/join/{token}/")
    joined = person.post(f"/join/{token}/", {"join": "yes"})

    assert "Join Riverside Spine" in body(page)
    assert joined.status_code == 302
    here.refresh_from_db()
    assert here.user == joined_there.user
    assert here.has_joined
    assert authenticates("dana.reyes@patients.test", PASSWORD) == joined_there.user  # the same password
    assert AccessLink.objects.get(token_hash__isnull=False, user__patients=None, used_at__isnull=False)
    assert AuditEvent.objects.filter(
        action=AuditAction.PATIENT_ACCEPT_INVITATION, patient=here, actor=joined_there.user
    ).exists()
    assert person.post(f"/join/{token}/", {"join": "yes"}).status_code == 404  # once


def test_someone_else_signed_in_cannot_use_the_invitation(world: World, joined_there: Patient) -> None:
    here = enrol(world, email="dana.reyes@patients.test")
    token = invitation_token(world, here)
    other = with_account(world, enrol(world, world.other_clinic, email="someone.else@patients.test"))
    intruder = client_for(other.user)

    page = intruder.get(f"/join/{token}/")
    refused = intruder.post(f"/join/{token}/", {"join": "yes"})

    assert 'name="join"' not in body(page)
    assert refused.status_code == 400
    here.refresh_from_db()
    assert here.user not in (other.user, joined_there.user)
    assert not here.has_joined


# --- 4. staff added with an email that signs in elsewhere -----------------------------------------------


def test_a_colleague_who_is_a_patient_elsewhere_joins_after_signing_in(world: World, joined_there: Patient) -> None:
    added = client_for(world.admin).post("/clinic/staff/", colleague("Dana.Reyes@patients.test"))
    token = link_on(body(added))
    person = client_for(None)

    page = person.get(f"/join/{token}/")
    taken = person.post(f"/join/{token}/", {"password": OTHER_PASSWORD, "password_again": OTHER_PASSWORD})
    sign_in(person, "dana.reyes@patients.test")
    joined = person.post(f"/join/{token}/", {"join": "yes"})

    assert 'name="password"' not in body(page)
    assert taken.status_code == 400
    assert joined.status_code == 302
    member = StaffMember.objects.get(clinic=world.clinic, email="dana.reyes@patients.test")
    assert member.user == joined_there.user
    assert authenticates("dana.reyes@patients.test", PASSWORD) == joined_there.user
    assert User.objects.filter(email="dana.reyes@patients.test").count() == 1


# --- 5. two memberships, each clinic its own records ---------------------------------------------------


def test_a_patient_of_two_clinics_chooses_one_and_sees_only_its_records(world: World) -> None:
    there = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    there_checkin = check_in(there, days_after=1)
    here = enrol(world, email=there.email)
    person = client_for(None)
    sign_in(person, there.email)
    person.post(f"/join/{invitation_token(world, here)}/", {"join": "yes"})

    later = client_for(None)  # signing in again: nothing chosen yet
    sign_in(later, there.email)
    chooser = later.get("/", follow=True)
    assert chooser.redirect_chain[-1][0] == "/choose/"
    assert "Riverside Spine: patient" in body(chooser)
    assert "Hillside Pain: patient" in body(chooser)
    assert later.get("/me/").headers["Location"] == "/choose/"
    person.post("/choose/", {"membership": f"patient:{here.uuid}"})
    today = body(person.get("/me/"))
    assert "Riverside Spine" in today
    assert "Hillside" not in today
    assert person.get(f"/me/check-ins/{there_checkin.uuid}/").status_code == 404  # Hillside's, unseen here

    person.post("/choose/", {"membership": f"patient:{there.uuid}"})
    assert person.get(f"/me/check-ins/{there_checkin.uuid}/").status_code == 200
    # Each clinic's staff see their own record of the person and nothing of the other's.
    assert client_for(world.nurse).get(f"/clinic/patients/{there.uuid}/").status_code == 404
    assert client_for(world.other_nurse).get(f"/clinic/patients/{here.uuid}/").status_code == 404


def test_staff_at_one_clinic_and_a_patient_at_another_uses_both_apart(world: World) -> None:
    there = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    added = client_for(world.admin).post("/clinic/staff/", colleague(there.email))
    person = client_for(None)
    sign_in(person, there.email)
    person.post(f"/join/{link_on(body(added))}/", {"join": "yes"})
    member = StaffMember.objects.get(clinic=world.clinic, email=there.email)

    person.post("/choose/", {"membership": f"staff:{member.uuid}"})
    assert person.get("/clinic/alerts/").status_code == 200
    assert person.get(f"/clinic/patients/{there.uuid}/").status_code == 404  # their own record at Hillside
    assert person.get("/me/").status_code == 404

    person.post("/choose/", {"membership": f"patient:{there.uuid}"})
    assert person.get("/me/").status_code == 200
    assert person.get("/clinic/alerts/").status_code == 404


def test_a_membership_of_someone_else_cannot_be_chosen(world: World) -> None:
    mine = with_account(world, enrol(world))
    theirs = with_account(world, enrol(world, world.other_clinic))
    person = client_for(mine.user)

    person.post("/choose/", {"membership": f"patient:{theirs.uuid}"})

    assert "Riverside Spine" in body(person.get("/me/"))
    assert person.post("/choose/", {"membership": f"staff:{world.other_nurse.staff.uuid}"}).status_code == 404


def test_no_clinic_resets_the_password_of_an_account_another_clinic_shares(world: World, joined_there: Patient) -> None:
    here = enrol(world, email="dana.reyes@patients.test")
    person = client_for(None)
    sign_in(person, "dana.reyes@patients.test")
    person.post(f"/join/{invitation_token(world, here)}/", {"join": "yes"})
    here.refresh_from_db()

    for patient, nurse in ((here, world.nurse), (joined_there, world.other_nurse)):
        with pytest.raises(ProblemsFound) as found:
            do_issue_password_link(staff(nurse), patient, now=now())
        assert "hillside" not in found.value.problems[0].message.lower()
        assert "riverside" not in found.value.problems[0].message.lower()


def test_deactivating_staff_who_is_a_patient_elsewhere_ends_only_the_staff_membership(
    world: World, joined_there: Patient
) -> None:
    added = client_for(world.admin).post("/clinic/staff/", colleague("dana.reyes@patients.test"))
    person = client_for(None)
    sign_in(person, "dana.reyes@patients.test")
    person.post(f"/join/{link_on(body(added))}/", {"join": "yes"})
    member = StaffMember.objects.get(clinic=world.clinic, email="dana.reyes@patients.test")

    client_for(world.admin).post(f"/clinic/staff/{member.uuid}/active/", {"active": "no"})

    assert person.get("/clinic/alerts/").status_code in (302, 404)
    person.post("/choose/", {"membership": f"staff:{member.uuid}"})
    assert person.get("/clinic/alerts/").status_code == 404
    person.post("/choose/", {"membership": f"patient:{joined_there.uuid}"})
    assert person.get("/me/").status_code == 200  # still a patient at Hillside
    assert authenticates("dana.reyes@patients.test", PASSWORD) == joined_there.user
    assert StaffMember.objects.get(pk=member.pk).role == Role.NURSE
