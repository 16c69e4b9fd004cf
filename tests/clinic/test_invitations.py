"""Inviting a patient, opening the link, and setting a password: ``do_invite_patient``, ``find_access_link``
and ``do_accept_access_link``. A link is single-use, expires after seven days, and only the newest works."""

from __future__ import annotations

import datetime as dt

import pytest

from prpath.accounts.models import LINK_DAYS, AccessLink, LinkPurpose, User
from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.access_links import do_accept_access_link, do_invite_patient, do_issue_password_link
from prpath.clinic.models import Patient
from prpath.clinic.queries.access_links import find_access_link
from prpath.core.problems import ProblemsFound
from tests.personas import PASSWORD, World, authenticates, enrol, now, staff, with_account


def locations(found: pytest.ExceptionInfo[ProblemsFound]) -> set[str]:
    return {p.location for p in found.value.problems}


def found_link(token: str, at: dt.datetime | None = None) -> AccessLink | None:
    """The link a token opens, if it can still be used."""
    holder = find_access_link(token, now=at or now())
    return holder.link if holder is not None else None


def cannot_sign_in_yet(patient: Patient) -> bool:
    """The patient's account (made at enrolment) has no password of theirs: no login until they accept."""
    patient.refresh_from_db()
    patient.user.refresh_from_db()
    return not patient.user.has_joined and not patient.user.has_usable_password()


def test_it_invites_a_patient_with_a_link_that_works_for_seven_days(world: World) -> None:
    patient = enrol(world)
    at = now()

    invitation, token = do_invite_patient(staff(world.nurse), patient, now=at)

    invitation.refresh_from_db()
    assert invitation.expires_at == at + dt.timedelta(days=LINK_DAYS) == at + dt.timedelta(days=7)
    assert invitation.created_by == world.nurse
    assert (invitation.used_at, invitation.revoked_at) == (None, None)
    assert invitation.token_hash != token  # only a hash of the token is kept
    assert not AccessLink.objects.filter(token_hash=token).exists()
    assert found_link(token, at) == invitation
    assert AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_INVITE, actor=world.nurse).count() == 1


def test_it_finds_no_invitation_for_a_made_up_token(world: World) -> None:
    do_invite_patient(staff(world.nurse), enrol(world), now=now())

    assert find_access_link("not-a-token", now=now()) is None


def test_accepting_creates_the_patients_login(world: World) -> None:
    # The account is made at enrolment, but it is no login until the invitation is accepted.
    patient = enrol(world, email="Ada.Abara@Patients.test")
    invitation, token = do_invite_patient(staff(world.nurse), patient, now=now())
    assert cannot_sign_in_yet(patient)

    user = do_accept_access_link(token, PASSWORD, now=now())

    patient.refresh_from_db()
    invitation.refresh_from_db()
    assert patient.user == user
    assert user.has_joined
    assert user.email == "ada.abara@patients.test"  # enrolment lower-cases the email
    assert (user.given_name, user.family_name) == (patient.given_name, patient.family_name)
    assert invitation.used_at is not None
    assert authenticates("ada.abara@patients.test", PASSWORD) == user
    assert AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_ACCEPT_INVITATION, actor=user).exists()


def test_a_link_works_only_once(world: World) -> None:
    patient = enrol(world)
    _, token = do_invite_patient(staff(world.nurse), patient, now=now())
    do_accept_access_link(token, PASSWORD, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "another-long-passphrase-42", now=now())

    assert locations(found) == {"token"}
    assert find_access_link(token, now=now()) is None
    assert User.objects.filter(email=patient.email).count() == 1
    assert authenticates(patient.email, PASSWORD) is not None  # the first password stands


def test_a_link_still_works_just_before_seven_days(world: World) -> None:
    patient = enrol(world)
    sent = now()
    _, token = do_invite_patient(staff(world.nurse), patient, now=sent)
    later = sent + dt.timedelta(days=7) - dt.timedelta(minutes=1)

    assert find_access_link(token, now=later) is not None
    do_accept_access_link(token, PASSWORD, now=later)

    patient.refresh_from_db()
    assert patient.user.has_joined


def test_a_link_older_than_seven_days_has_expired(world: World) -> None:
    patient = enrol(world)
    sent = now()
    invitation, token = do_invite_patient(staff(world.nurse), patient, now=sent)
    later = sent + dt.timedelta(days=7, seconds=1)

    assert find_access_link(token, now=later) is None
    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, PASSWORD, now=later)

    assert locations(found) == {"token"}
    invitation.refresh_from_db()
    assert cannot_sign_in_yet(patient)
    assert invitation.used_at is None
    assert authenticates(patient.email, PASSWORD) is None


def test_a_new_invitation_revokes_the_earlier_ones(world: World) -> None:
    patient = enrol(world)
    first_sent = now() - dt.timedelta(days=2)
    first, first_token = do_invite_patient(staff(world.nurse), patient, now=first_sent)
    resent = now()

    second, second_token = do_invite_patient(staff(world.coordinator), patient, now=resent)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at == resent
    assert second.revoked_at is None
    assert find_access_link(first_token, now=now()) is None
    assert found_link(second_token) == second
    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(first_token, PASSWORD, now=now())
    assert locations(found) == {"token"}
    do_accept_access_link(second_token, PASSWORD, now=now())
    patient.refresh_from_db()
    assert patient.user.has_joined


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
    invitation, token = do_invite_patient(staff(world.nurse), patient, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, password, now=now())

    assert locations(found) == {"password"}
    invitation.refresh_from_db()
    assert cannot_sign_in_yet(patient)
    assert authenticates(patient.email, password) is None
    assert invitation.used_at is None
    assert found_link(token) == invitation  # the patient can try again with a better one
    assert not AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_ACCEPT_INVITATION).exists()


def test_a_password_like_the_patients_email_is_refused(world: World) -> None:
    patient = enrol(world, email="rosalind.quispe@patients.test")
    _, token = do_invite_patient(staff(world.nurse), patient, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "rosalind.quispe@patients.test", now=now())

    assert locations(found) == {"password"}
    assert cannot_sign_in_yet(patient)


def test_a_patient_who_has_an_account_is_not_invited_again(world: World) -> None:
    patient = with_account(world, enrol(world))
    before = AccessLink.objects.filter(user=patient.user).count()

    with pytest.raises(ProblemsFound) as found:
        do_invite_patient(staff(world.nurse), patient, now=now())

    assert locations(found) == {"patient"}
    assert AccessLink.objects.filter(user=patient.user).count() == before
    assert AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_INVITE).count() == before


def test_accepting_is_refused_when_the_email_already_has_a_login(world: World) -> None:
    # The same person enrolled at both clinics before either link was used: the first link made the login;
    # the second cannot make another.
    there = enrol(world, world.other_clinic, email="same.person@patients.test")
    invitation, token = do_invite_patient(staff(world.other_nurse), there, now=now())
    here = with_account(world, enrol(world, email="same.person@patients.test"))

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "a-different-long-passphrase", now=now())

    assert locations(found) == {"email"}
    there.refresh_from_db()
    invitation.refresh_from_db()
    assert cannot_sign_in_yet(there)
    assert invitation.used_at is None
    assert User.objects.filter(email="same.person@patients.test").count() == 1
    assert authenticates("same.person@patients.test", PASSWORD) == here.user


def test_enrolling_with_an_email_that_is_already_a_login_tells_the_clinic_nothing(world: World) -> None:
    # Was refused ("already the login of a prpath account"), which told one clinic of another's patient or
    # staff (issue 12, item 13). The invitation is accepted by signing in with the account instead.
    joined = with_account(world, enrol(world, email="same.person@patients.test"))

    for clinic, email in [(world.other_clinic, "Same.Person@patients.test"), (world.clinic, "nurse@riverside.test")]:
        patient = enrol(world, clinic, email=email)
        _, token = do_invite_patient(
            staff(world.other_nurse if clinic == world.other_clinic else world.nurse), patient, now=now()
        )
        with pytest.raises(ProblemsFound) as found:
            do_accept_access_link(token, "a-different-long-passphrase", now=now())
        assert "sign in with its password" in found.value.problems[0].message

    assert authenticates("same.person@patients.test", PASSWORD) == joined.user
    assert authenticates("nurse@riverside.test", PASSWORD) == world.nurse


def test_a_staff_email_cannot_be_taken_by_a_patient(world: World) -> None:
    # Enrolled before the staff member's account was given the same email.
    world.nurse.email = "nurse.old@riverside.test"
    world.nurse.save()
    patient = enrol(world, email="nurse@riverside.test")
    _, token = do_invite_patient(staff(world.coordinator), patient, now=now())
    world.nurse.email = "nurse@riverside.test"
    world.nurse.save()

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "a-different-long-passphrase", now=now())

    assert locations(found) == {"email"}
    world.nurse.refresh_from_db()
    assert world.nurse.check_password(PASSWORD)
    patient.refresh_from_db()
    assert cannot_sign_in_yet(patient)
    assert patient.user != world.nurse


# --- new-password links -----------------------------------------------------------------------------


def test_a_new_password_link_lets_the_patient_choose_a_new_password(world: World) -> None:
    patient = with_account(world, enrol(world))
    invitation, token = do_issue_password_link(staff(world.coordinator), patient, now=now())
    assert invitation.purpose == LinkPurpose.NEW_PASSWORD
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)

    user = do_accept_access_link(token, "a-brand-new-passphrase", now=now())

    assert user == patient.user
    assert authenticates(patient.email, "a-brand-new-passphrase") == user
    assert authenticates(patient.email, PASSWORD) is None  # the old one stops working
    assert User.objects.filter(email=patient.email).count() == 1
    assert find_unusable(token)
    assert AuditEvent.objects.filter(
        action=AuditAction.PATIENT_PASSWORD_LINK, actor=world.coordinator, patient=patient
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_SET_PASSWORD, actor=user, patient=patient).exists()


def find_unusable(token: str) -> bool:
    return find_access_link(token, now=now()) is None


def test_a_new_password_link_works_once_and_a_newer_one_revokes_it(world: World) -> None:
    patient = with_account(world, enrol(world))
    _, first = do_issue_password_link(staff(world.nurse), patient, now=now())
    _, second = do_issue_password_link(staff(world.nurse), patient, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(first, "a-brand-new-passphrase", now=now())
    assert locations(found) == {"token"}

    do_accept_access_link(second, "a-brand-new-passphrase", now=now())
    with pytest.raises(ProblemsFound):
        do_accept_access_link(second, "yet-another-passphrase", now=now())
    assert authenticates(patient.email, "a-brand-new-passphrase") is not None


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(world: World) -> None:
    patient = with_account(world, enrol(world))
    _, token = do_issue_password_link(staff(world.nurse), patient, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "password", now=now())

    assert locations(found) == {"password"}
    assert authenticates(patient.email, PASSWORD) is not None
    assert not find_unusable(token)  # still usable: the patient tries again


def test_links_match_the_account(world: World) -> None:
    # No new-password link without an account; no invitation once there is one.
    without = enrol(world)
    with pytest.raises(ProblemsFound) as found:
        do_issue_password_link(staff(world.nurse), without, now=now())
    assert locations(found) == {"patient"}
    assert not AccessLink.objects.filter(user=without.user).exists()
