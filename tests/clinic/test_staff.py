"""A clinic's staff accounts: added without a password (the person sets it through a single-use link),
given a new-password link when they lose it, deactivated when they leave and reactivated if they return.
``do_add_staff``, ``do_issue_staff_link``, ``do_set_staff_active`` and the link's acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from prpath.accounts.models import AccessLink, LinkPurpose, User, new_token
from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.access_links import do_accept_access_link, do_invite_patient, do_issue_staff_link
from prpath.clinic.actions.staff import NewStaff, do_add_staff, do_change_staff_role, do_set_staff_active
from prpath.clinic.models import Patient, Role, StaffMember
from prpath.clinic.queries.access_links import find_access_link
from prpath.core.problems import ProblemsFound
from tests.personas import PASSWORD, World, add_staff, authenticates, enrol, now, staff

NEW_PASSWORD = "a-longer-Passphrase-41"


def locations(found: pytest.ExceptionInfo[ProblemsFound]) -> set[str]:
    return {p.location for p in found.value.problems}


def add_nurse(world: World, email: str = "sam.lee@riverside.test") -> StaffMember:
    return do_add_staff(staff(world.admin), world.clinic, NewStaff(email, "Sam", "Lee", Role.NURSE), now=now())


def test_a_new_account_cannot_sign_in_until_its_owner_sets_a_password_through_the_link(world: World) -> None:
    member = add_nurse(world)

    assert not member.user.has_usable_password()
    assert authenticates("sam.lee@riverside.test", "") is None
    link, token = do_issue_staff_link(staff(world.admin), member, now=now())
    assert (link.user, link.purpose) == (member.user, LinkPurpose.SIGN_UP)
    holder = find_access_link(token, now=now())
    assert holder is not None
    assert (holder.staff, holder.patient, holder.clinic) == (member, None, world.clinic)

    user = do_accept_access_link(token, NEW_PASSWORD, now=now())

    assert user == member.user
    assert authenticates("sam.lee@riverside.test", NEW_PASSWORD) == member.user
    assert (
        AuditEvent.objects.filter(action=AuditAction.STAFF_ADD, actor=world.admin, object_uuid=member.uuid).count() == 1
    )
    assert AuditEvent.objects.filter(action=AuditAction.STAFF_SET_PASSWORD, actor=member.user).count() == 1
    with pytest.raises(ProblemsFound) as found:  # single use
        do_accept_access_link(token, "another-Passphrase-77", now=now())
    assert locations(found) == {"token"}


def test_a_new_password_link_replaces_a_lost_password_and_only_the_newest_link_works(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    _, first = do_issue_staff_link(staff(world.admin), member, now=now())
    link, second = do_issue_staff_link(staff(world.admin), member, now=now())

    assert link.purpose == LinkPurpose.NEW_PASSWORD
    assert find_access_link(first, now=now()) is None
    do_accept_access_link(second, NEW_PASSWORD, now=now())
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert authenticates("nurse@riverside.test", NEW_PASSWORD) == world.nurse


def test_a_weak_password_is_refused_and_the_link_still_works(world: World) -> None:
    _, token = do_issue_staff_link(staff(world.admin), add_nurse(world), now=now())

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, "sam", now=now())

    assert locations(found) == {"password"}
    assert find_access_link(token, now=now()) is not None


def test_a_deactivated_account_cannot_sign_in_and_its_open_links_stop_working(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    _, token = do_issue_staff_link(staff(world.admin), member, now=now())
    at = now()

    do_set_staff_active(staff(world.admin), member, active=False, now=at)

    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert find_access_link(token, now=now()) is None
    assert AccessLink.objects.get(user=member.user).revoked_at == at
    with pytest.raises(ProblemsFound) as found:
        do_issue_staff_link(staff(world.admin), member, now=now())
    assert locations(found) == {"staff"}
    assert AuditEvent.objects.filter(action=AuditAction.STAFF_DEACTIVATE, object_uuid=member.uuid).count() == 1

    do_set_staff_active(staff(world.admin), member, active=True, now=now())

    # Back, but with no password: the old one (and every session made with it) stays dead.
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert AuditEvent.objects.filter(action=AuditAction.STAFF_REACTIVATE, object_uuid=member.uuid).count() == 1
    link, token = do_issue_staff_link(staff(world.admin), member, now=now())
    assert link.purpose == LinkPurpose.SIGN_UP
    do_accept_access_link(token, NEW_PASSWORD, now=now())
    assert authenticates("nurse@riverside.test", NEW_PASSWORD) == world.nurse


def test_a_link_made_before_deactivation_cannot_set_a_password_even_if_it_was_not_revoked(world: World) -> None:
    member = add_nurse(world)
    _, token = do_issue_staff_link(staff(world.admin), member, now=now())
    User.objects.filter(pk=member.user_id).update(is_active=False)  # as if by another route

    with pytest.raises(ProblemsFound) as found:
        do_accept_access_link(token, NEW_PASSWORD, now=now())

    assert locations(found) == {"token"}
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()


def test_nobody_deactivates_themself(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:
        do_set_staff_active(staff(world.admin), admin, active=False, now=now())

    assert locations(found) == {"staff"}
    assert User.objects.get(pk=world.admin.pk).is_active


def test_a_clinic_keeps_one_active_admin(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:  # as the command line or another admin might try
        do_set_staff_active(staff(world.physician), admin, active=False, now=now())
    assert "only admin who can sign in" in found.value.problems[0].message

    second = add_staff(
        world.clinic,
        email="second.admin@riverside.test",
        given_name="Kim",
        family_name="Ng",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    do_set_staff_active(staff(world.physician), admin, active=False, now=now())
    assert not User.objects.get(pk=world.admin.pk).is_active
    with pytest.raises(ProblemsFound):
        do_set_staff_active(staff(world.physician), second, active=False, now=now())


def test_setting_the_state_an_account_already_has_changes_nothing(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    before = AuditEvent.objects.count()

    do_set_staff_active(staff(world.admin), member, active=True, now=now())

    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "physician@riverside.test"}, "email"),
        ({"email": "PHYSICIAN@Riverside.test "}, "email"),
        ({"given_name": "  "}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"given_name": "x" * 151}, "given_name"),
        ({"role": "surgeon"}, "role"),
    ],
)
def test_bad_staff_details_are_named_and_nothing_is_stored(world: World, changes: dict[str, str], where: str) -> None:
    fields = {"email": "sam.lee@riverside.test", "given_name": "Sam", "family_name": "Lee", "role": "nurse"} | changes
    users, members = User.objects.count(), StaffMember.objects.count()

    with pytest.raises(ProblemsFound) as found:
        do_add_staff(staff(world.admin), world.clinic, NewStaff(**fields), now=now())

    assert where in locations(found)
    assert (User.objects.count(), StaffMember.objects.count()) == (users, members)


def test_a_link_is_for_a_patient_or_a_staff_member_never_both_or_neither(world: World) -> None:
    # A link now belongs to an account (``AccessLink.user``), and an account is one person's: a staff member's
    # or a patient's. The database refuses a link for nobody; a link for a colleague's account is theirs.
    member = StaffMember.objects.get(user=world.nurse)
    at = now()
    for holder in ({}, {"user": member.user}):
        token, hashed = new_token()
        fields = {"token_hash": hashed, "purpose": LinkPurpose.NEW_PASSWORD, "created_by": world.admin}
        if not holder:
            with pytest.raises(IntegrityError), transaction.atomic():
                AccessLink.objects.create(**fields, created_at=at, expires_at=at + dt.timedelta(days=1))
        else:
            AccessLink.objects.create(**fields, **holder, created_at=at, expires_at=at + dt.timedelta(days=1))
            found = find_access_link(token, now=now())
            assert found is not None
            assert (found.staff, found.patient) == (member, None)


def test_the_email_of_a_patient_who_has_not_joined_yet_may_be_added_at_another_clinic(world: World) -> None:
    # Was refused, which told the other clinic that someone was invited somewhere (issue 12, item 13).
    patient = enrol(world, email="ann@patients.test")
    _, token = do_invite_patient(staff(world.nurse), patient, now=now())

    member = add_staff(
        world.other_clinic, email="Ann@patients.test", given_name="Ann", family_name="Bell", role=Role.NURSE
    )

    assert member.email == "ann@patients.test"
    assert member.user.email is None  # no login taken until someone with the email chooses a password
    do_accept_access_link(token, NEW_PASSWORD, now=now())  # the patient can still join
    assert authenticates("ann@patients.test", NEW_PASSWORD) == Patient.objects.get(pk=patient.pk).user


def test_a_new_role_takes_effect_at_once_and_is_audited(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)

    do_change_staff_role(staff(world.admin), nurse, role=Role.COORDINATOR, now=now())

    assert StaffMember.objects.get(pk=nurse.pk).role == Role.COORDINATOR
    event = AuditEvent.objects.get(action=AuditAction.STAFF_ROLE)
    assert (event.actor, event.object_uuid, event.detail) == (
        world.admin,
        nurse.uuid,
        {"email": "nurse@riverside.test", "from": "nurse", "to": "coordinator"},
    )


def test_nobody_changes_their_own_role(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:
        do_change_staff_role(staff(world.admin), admin, role=Role.PHYSICIAN, now=now())

    assert locations(found) == {"role"}
    assert StaffMember.objects.get(pk=admin.pk).role == Role.ADMIN


def test_the_only_active_admin_keeps_the_role_until_another_is_made(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)
    physician = StaffMember.objects.get(user=world.physician)

    with pytest.raises(ProblemsFound) as found:  # as the command line or a second admin might try
        do_change_staff_role(staff(world.physician), admin, role=Role.NURSE, now=now())
    assert "only admin who can sign in" in found.value.problems[0].message

    do_change_staff_role(staff(world.admin), physician, role=Role.ADMIN, now=now())
    do_change_staff_role(staff(world.physician), admin, role=Role.NURSE, now=now())
    assert StaffMember.objects.get(pk=admin.pk).role == Role.NURSE


def test_a_deactivated_colleague_is_reactivated_before_a_new_role(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)
    do_set_staff_active(staff(world.admin), nurse, active=False, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_change_staff_role(staff(world.admin), nurse, role=Role.ADMIN, now=now())

    assert "reactivate them first" in found.value.problems[0].message
    assert StaffMember.objects.get(pk=nurse.pk).role == Role.NURSE


@pytest.mark.parametrize("role", ["surgeon", "", "ADMIN"])
def test_an_unknown_role_is_named_and_nothing_changes(world: World, role: str) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)

    with pytest.raises(ProblemsFound) as found:
        do_change_staff_role(staff(world.admin), nurse, role=role, now=now())

    assert locations(found) == {"role"}
    assert StaffMember.objects.get(pk=nurse.pk).role == Role.NURSE


def test_the_same_role_again_changes_nothing(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)
    before = AuditEvent.objects.count()

    do_change_staff_role(staff(world.admin), nurse, role=Role.NURSE, now=now())

    assert AuditEvent.objects.count() == before


def test_an_admin_who_has_not_chosen_a_password_yet_does_not_count_as_the_one_kept(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)
    invited = add_staff(
        world.clinic, email="new.admin@riverside.test", given_name="Kim", family_name="Ng", role=Role.ADMIN
    )

    with pytest.raises(ProblemsFound) as found:
        do_change_staff_role(staff(invited.user), admin, role=Role.NURSE, now=now())
    assert "only admin who can sign in" in found.value.problems[0].message
    with pytest.raises(ProblemsFound):
        do_set_staff_active(staff(invited.user), admin, active=False, now=now())

    _, token = do_issue_staff_link(staff(world.admin), invited, now=now())
    do_accept_access_link(token, "a-longer-Passphrase-41", now=now())
    # now someone else can sign in as admin
    do_change_staff_role(staff(invited.user), admin, role=Role.NURSE, now=now())
    assert StaffMember.objects.get(pk=admin.pk).role == Role.NURSE
