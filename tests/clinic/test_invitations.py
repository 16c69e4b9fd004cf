"""Inviting a patient, opening the link, and setting a password: ``do_invite_patient``, ``find_invitation``
and ``do_accept_invitation``. A link is single-use, expires after seven days, and only the newest works."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from prpath.clinic import services
from prpath.clinic.models import AuditEvent, Invitation, Patient
from prpath.core.problems import ProblemsFound
from tests.personas import PASSWORD, World, authenticates, enrol, with_account


def locations(found: pytest.ExceptionInfo[ProblemsFound]) -> set[str]:
    return {p.location for p in found.value.problems}


def test_it_invites_a_patient_with_a_link_that_works_for_seven_days(world: World) -> None:
    patient = enrol(world)
    now = timezone.now()

    invitation, token = services.do_invite_patient(world.nurse, patient, now=now)

    invitation.refresh_from_db()
    assert invitation.expires_at == now + dt.timedelta(days=services.INVITATION_DAYS) == now + dt.timedelta(days=7)
    assert invitation.created_by == world.nurse
    assert (invitation.accepted_at, invitation.revoked_at) == (None, None)
    assert invitation.token_hash != token  # only a hash of the token is kept
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert services.find_invitation(token, now=now) == invitation
    assert AuditEvent.objects.filter(patient=patient, what="patient.invite", actor=world.nurse).count() == 1


def test_it_finds_no_invitation_for_a_made_up_token(world: World) -> None:
    services.do_invite_patient(world.nurse, enrol(world))

    assert services.find_invitation("not-a-token") is None


def test_accepting_creates_the_patients_login(world: World) -> None:
    patient = enrol(world, email="Ada.Abara@Patients.test")
    invitation, token = services.do_invite_patient(world.nurse, patient)

    user = services.do_accept_invitation(token, PASSWORD)

    patient.refresh_from_db()
    invitation.refresh_from_db()
    assert patient.user == user
    assert user.username == user.email == "ada.abara@patients.test"  # enrolment lower-cases the email
    assert (user.first_name, user.last_name) == (patient.given_name, patient.family_name)
    assert invitation.accepted_at is not None
    assert authenticates("ada.abara@patients.test", PASSWORD) == user
    assert AuditEvent.objects.filter(patient=patient, what="patient.accept_invitation", actor=user).exists()


def test_a_link_works_only_once(world: World) -> None:
    patient = enrol(world)
    _, token = services.do_invite_patient(world.nurse, patient)
    services.do_accept_invitation(token, PASSWORD)

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "another-long-passphrase-42")

    assert locations(found) == {"token"}
    assert services.find_invitation(token) is None
    assert User.objects.filter(username=patient.email).count() == 1
    assert authenticates(patient.email, PASSWORD) is not None  # the first password stands


def test_a_link_still_works_just_before_seven_days(world: World) -> None:
    patient = enrol(world)
    sent = timezone.now()
    _, token = services.do_invite_patient(world.nurse, patient, now=sent)
    later = sent + dt.timedelta(days=7) - dt.timedelta(minutes=1)

    assert services.find_invitation(token, now=later) is not None
    services.do_accept_invitation(token, PASSWORD, now=later)

    patient.refresh_from_db()
    assert patient.user is not None


def test_a_link_older_than_seven_days_has_expired(world: World) -> None:
    patient = enrol(world)
    sent = timezone.now()
    invitation, token = services.do_invite_patient(world.nurse, patient, now=sent)
    later = sent + dt.timedelta(days=7, seconds=1)

    assert services.find_invitation(token, now=later) is None
    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, PASSWORD, now=later)

    assert locations(found) == {"token"}
    patient.refresh_from_db()
    invitation.refresh_from_db()
    assert patient.user is None
    assert invitation.accepted_at is None
    assert not User.objects.filter(username=patient.email).exists()


def test_a_new_invitation_revokes_the_earlier_ones(world: World) -> None:
    patient = enrol(world)
    first_sent = timezone.now() - dt.timedelta(days=2)
    first, first_token = services.do_invite_patient(world.nurse, patient, now=first_sent)
    resent = timezone.now()

    second, second_token = services.do_invite_patient(world.coordinator, patient, now=resent)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at == resent
    assert second.revoked_at is None
    assert services.find_invitation(first_token) is None
    assert services.find_invitation(second_token) == second
    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(first_token, PASSWORD)
    assert locations(found) == {"token"}
    services.do_accept_invitation(second_token, PASSWORD)
    patient.refresh_from_db()
    assert patient.user is not None


@pytest.mark.parametrize(
    "password",
    [
        "short",  # fewer than 10 characters
        "password123",  # a common password
        "83749205716",  # all digits
    ],
)
def test_a_weak_password_is_refused_and_no_login_is_made(world: World, password: str) -> None:
    patient = enrol(world)
    invitation, token = services.do_invite_patient(world.nurse, patient)

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, password)

    assert locations(found) == {"password"}
    patient.refresh_from_db()
    invitation.refresh_from_db()
    assert patient.user is None
    assert not User.objects.filter(username=patient.email).exists()
    assert invitation.accepted_at is None
    assert services.find_invitation(token) == invitation  # the patient can try again with a better one
    assert not AuditEvent.objects.filter(patient=patient, what="patient.accept_invitation").exists()


def test_a_password_like_the_patients_email_is_refused(world: World) -> None:
    patient = enrol(world, email="rosalind.quispe@patients.test")
    _, token = services.do_invite_patient(world.nurse, patient)

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "rosalind.quispe@patients.test")

    assert locations(found) == {"password"}
    assert not User.objects.filter(username=patient.email).exists()


def test_a_patient_who_has_an_account_is_not_invited_again(world: World) -> None:
    patient = with_account(world, enrol(world))
    before = Invitation.objects.filter(patient=patient).count()

    with pytest.raises(ProblemsFound) as found:
        services.do_invite_patient(world.nurse, patient)

    assert locations(found) == {"patient"}
    assert Invitation.objects.filter(patient=patient).count() == before
    assert AuditEvent.objects.filter(patient=patient, what="patient.invite").count() == before


def test_accepting_is_refused_when_the_email_already_has_a_login(world: World) -> None:
    # The same person enrolled at both clinics before either link was used: the first link made the login;
    # the second cannot make another.
    there = enrol(world, world.other_clinic, email="same.person@patients.test")
    invitation, token = services.do_invite_patient(world.other_nurse, there)
    here = with_account(world, enrol(world, email="same.person@patients.test"))

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "a-different-long-passphrase")

    assert locations(found) == {"email"}
    there.refresh_from_db()
    invitation.refresh_from_db()
    assert there.user is None
    assert invitation.accepted_at is None
    assert User.objects.filter(username="same.person@patients.test").count() == 1
    assert authenticates("same.person@patients.test", PASSWORD) == here.user


def test_enrolling_with_an_email_that_is_already_a_login_is_refused_at_once(world: World) -> None:
    # Otherwise the invitation made next could never be accepted, and nobody would know why until then.
    with_account(world, enrol(world, email="same.person@patients.test"))
    before = Patient.objects.count()

    for clinic, email in [(world.other_clinic, "Same.Person@patients.test"), (world.clinic, "nurse@riverside.test")]:
        with pytest.raises(ProblemsFound) as found:
            enrol(world, clinic, email=email)
        assert locations(found) == {"email"}
        assert "already the login of a prpath account" in found.value.problems[0].message

    assert Patient.objects.count() == before


def test_a_staff_email_cannot_be_taken_by_a_patient(world: World) -> None:
    # Enrolled before the staff member's account was made with the same email.
    world.nurse.username = world.nurse.email = "nurse.old@riverside.test"
    world.nurse.save()
    patient = enrol(world, email="nurse@riverside.test")
    _, token = services.do_invite_patient(world.coordinator, patient)
    world.nurse.username = world.nurse.email = "nurse@riverside.test"
    world.nurse.save()

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "a-different-long-passphrase")

    assert locations(found) == {"email"}
    world.nurse.refresh_from_db()
    assert world.nurse.check_password(PASSWORD)
    patient.refresh_from_db()
    assert patient.user is None


# --- new-password links -----------------------------------------------------------------------------


def test_a_new_password_link_lets_the_patient_choose_a_new_password(world: World) -> None:
    patient = with_account(world, enrol(world))
    invitation, token = services.do_issue_password_link(world.coordinator, patient)
    assert invitation.purpose == "new_password"
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)

    user = services.do_accept_invitation(token, "a-brand-new-passphrase")

    assert user == patient.user
    assert authenticates(patient.email, "a-brand-new-passphrase") == user
    assert authenticates(patient.email, PASSWORD) is None  # the old one stops working
    assert User.objects.filter(username=patient.email).count() == 1
    assert find_unusable(token)
    assert AuditEvent.objects.filter(what="patient.password_link", actor=world.coordinator, patient=patient).exists()
    assert AuditEvent.objects.filter(what="patient.set_password", actor=user, patient=patient).exists()


def find_unusable(token: str) -> bool:
    return services.find_invitation(token) is None


def test_a_new_password_link_works_once_and_a_newer_one_revokes_it(world: World) -> None:
    patient = with_account(world, enrol(world))
    _, first = services.do_issue_password_link(world.nurse, patient)
    _, second = services.do_issue_password_link(world.nurse, patient)

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(first, "a-brand-new-passphrase")
    assert locations(found) == {"token"}

    services.do_accept_invitation(second, "a-brand-new-passphrase")
    with pytest.raises(ProblemsFound):
        services.do_accept_invitation(second, "yet-another-passphrase")
    assert authenticates(patient.email, "a-brand-new-passphrase") is not None


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(world: World) -> None:
    patient = with_account(world, enrol(world))
    _, token = services.do_issue_password_link(world.nurse, patient)

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "password")

    assert locations(found) == {"password"}
    assert authenticates(patient.email, PASSWORD) is not None
    assert not find_unusable(token)  # still usable: the patient tries again


def test_links_match_the_account(world: World) -> None:
    # No new-password link without an account; no invitation once there is one.
    without = enrol(world)
    with pytest.raises(ProblemsFound) as found:
        services.do_issue_password_link(world.nurse, without)
    assert locations(found) == {"patient"}
    assert not Invitation.objects.filter(patient=without).exists()
