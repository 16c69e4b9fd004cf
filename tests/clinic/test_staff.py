"""A clinic's staff accounts: added without a password (the person sets it through a single-use link),
given a new-password link when they lose it, deactivated when they leave and reactivated if they return.
``do_add_staff``, ``do_issue_staff_link``, ``do_set_staff_active`` and the link's acceptance."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from prpath.clinic import services
from prpath.clinic.models import AuditEvent, Invitation, LinkPurpose, Patient, Role, StaffMember
from prpath.core.problems import ProblemsFound
from tests.personas import PASSWORD, World, authenticates, enrol, make_world

NEW_PASSWORD = "a-longer-Passphrase-41"


def locations(found: pytest.ExceptionInfo[ProblemsFound]) -> set[str]:
    return {p.location for p in found.value.problems}


def add_nurse(world: World, email: str = "sam.lee@riverside.test") -> StaffMember:
    return services.do_add_staff(
        world.clinic, email=email, given_name="Sam", family_name="Lee", role=Role.NURSE, actor=world.admin
    )


def test_a_new_account_cannot_sign_in_until_its_owner_sets_a_password_through_the_link(world: World) -> None:
    member = add_nurse(world)

    assert not member.user.has_usable_password()
    assert authenticates("sam.lee@riverside.test", "") is None
    invitation, token = services.do_issue_staff_link(world.admin, member)
    assert (invitation.staff, invitation.patient, invitation.purpose) == (member, None, LinkPurpose.JOIN)
    assert invitation.clinic == world.clinic

    user = services.do_accept_invitation(token, NEW_PASSWORD)

    assert user == member.user
    assert authenticates("sam.lee@riverside.test", NEW_PASSWORD) == member.user
    assert AuditEvent.objects.filter(what="staff.add", actor=world.admin, object_uuid=member.uuid).count() == 1
    assert AuditEvent.objects.filter(what="staff.set_password", actor=member.user).count() == 1
    with pytest.raises(ProblemsFound) as found:  # single use
        services.do_accept_invitation(token, "another-Passphrase-77")
    assert locations(found) == {"token"}


def test_a_new_password_link_replaces_a_lost_password_and_only_the_newest_link_works(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    _, first = services.do_issue_staff_link(world.admin, member)
    invitation, second = services.do_issue_staff_link(world.admin, member)

    assert invitation.purpose == LinkPurpose.NEW_PASSWORD
    assert services.find_invitation(first) is None
    services.do_accept_invitation(second, NEW_PASSWORD)
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert authenticates("nurse@riverside.test", NEW_PASSWORD) == world.nurse


def test_a_weak_password_is_refused_and_the_link_still_works(world: World) -> None:
    _, token = services.do_issue_staff_link(world.admin, add_nurse(world))

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, "sam")

    assert locations(found) == {"password"}
    assert services.find_invitation(token) is not None


def test_a_deactivated_account_cannot_sign_in_and_its_open_links_stop_working(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    _, token = services.do_issue_staff_link(world.admin, member)
    now = timezone.now()

    services.do_set_staff_active(world.admin, member, active=False, now=now)

    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert services.find_invitation(token) is None
    assert Invitation.objects.get(staff=member).revoked_at == now
    with pytest.raises(ProblemsFound) as found:
        services.do_issue_staff_link(world.admin, member)
    assert locations(found) == {"staff"}
    assert AuditEvent.objects.filter(what="staff.deactivate", object_uuid=member.uuid).count() == 1

    services.do_set_staff_active(world.admin, member, active=True)

    # Back, but with no password: the old one (and every session made with it) stays dead.
    assert authenticates("nurse@riverside.test", PASSWORD) is None
    assert AuditEvent.objects.filter(what="staff.reactivate", object_uuid=member.uuid).count() == 1
    invitation, token = services.do_issue_staff_link(world.admin, member)
    assert invitation.purpose == LinkPurpose.JOIN
    services.do_accept_invitation(token, NEW_PASSWORD)
    assert authenticates("nurse@riverside.test", NEW_PASSWORD) == world.nurse


def test_a_link_made_before_deactivation_cannot_set_a_password_even_if_it_was_not_revoked(world: World) -> None:
    member = add_nurse(world)
    _, token = services.do_issue_staff_link(world.admin, member)
    User.objects.filter(pk=member.user_id).update(is_active=False)  # as if by another route

    with pytest.raises(ProblemsFound) as found:
        services.do_accept_invitation(token, NEW_PASSWORD)

    assert locations(found) == {"token"}
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()


def test_nobody_deactivates_themself(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:
        services.do_set_staff_active(world.admin, admin, active=False)

    assert locations(found) == {"staff"}
    assert User.objects.get(pk=world.admin.pk).is_active


def test_a_clinic_keeps_one_active_admin(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:  # as the command line or another admin might try
        services.do_set_staff_active(world.physician, admin, active=False)
    assert "only admin who can sign in" in found.value.problems[0].message

    second = services.do_add_staff(
        world.clinic,
        email="second.admin@riverside.test",
        given_name="Kim",
        family_name="Ng",
        role=Role.ADMIN,
        password=PASSWORD,
    )
    services.do_set_staff_active(world.physician, admin, active=False)
    assert not User.objects.get(pk=world.admin.pk).is_active
    with pytest.raises(ProblemsFound):
        services.do_set_staff_active(world.physician, second, active=False)


def test_setting_the_state_an_account_already_has_changes_nothing(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    before = AuditEvent.objects.count()

    services.do_set_staff_active(world.admin, member, active=True)

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
        services.do_add_staff(world.clinic, actor=world.admin, **fields)

    assert where in locations(found)
    assert (User.objects.count(), StaffMember.objects.count()) == (users, members)


def test_a_link_is_for_a_patient_or_a_staff_member_never_both_or_neither(world: World) -> None:
    member = StaffMember.objects.get(user=world.nurse)
    now = timezone.now()
    for holder in ({}, {"staff": member, "patient": None}):
        fields = {"token_hash": f"x{len(holder)}", "created_by": world.admin, "created_at": now}
        if not holder:
            with pytest.raises(IntegrityError), transaction.atomic():
                Invitation.objects.create(**fields, expires_at=now + dt.timedelta(days=1))
        else:
            Invitation.objects.create(**fields, **holder, expires_at=now + dt.timedelta(days=1))


def test_the_email_of_a_patient_who_has_not_joined_yet_is_refused_in_any_clinic(world: World) -> None:
    patient = enrol(world, email="ann@patients.test")
    _, token = services.do_invite_patient(world.nurse, patient)

    with pytest.raises(ProblemsFound) as found:
        services.do_add_staff(
            world.other_clinic, email="Ann@patients.test", given_name="Ann", family_name="Bell", role=Role.NURSE
        )

    assert locations(found) == {"email"}
    services.do_accept_invitation(token, NEW_PASSWORD)  # the patient can still join
    assert authenticates("ann@patients.test", NEW_PASSWORD) == Patient.objects.get(pk=patient.pk).user


@pytest.mark.django_db(transaction=True)
def test_the_same_colleague_added_twice_at_once_is_refused_not_a_server_error() -> None:
    """A double click: both requests pass the "already has an account" check before either saves."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; the race needs PostgreSQL (set DATABASE_URL)")
    world = make_world()
    both_checked = threading.Barrier(2, timeout=10)
    unusable = User.set_unusable_password
    outcomes: list[str] = []

    def after_the_check(user: User) -> None:  # runs between the check and the save
        both_checked.wait()
        unusable(user)

    def add() -> None:
        try:
            services.do_add_staff(
                world.clinic, email="sam.lee@riverside.test", given_name="Sam", family_name="Lee", role=Role.NURSE
            )
            outcomes.append("added")
        except ProblemsFound as found:
            outcomes.append(f"refused: {found.problems[0].location}")
        finally:
            connection.close()

    with mock.patch.object(User, "set_unusable_password", after_the_check):
        threads = [threading.Thread(target=add) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(outcomes) == ["added", "refused: email"]
    assert User.objects.filter(username="sam.lee@riverside.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_migration_0005_can_be_undone_with_staff_links_in_the_database() -> None:
    world = make_world()
    services.do_issue_staff_link(world.admin, StaffMember.objects.get(user=world.nurse))
    patient_link, _ = services.do_invite_patient(world.nurse, enrol(world))

    call_command("migrate", "clinic", "0004", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM clinic_invitation")
            assert cursor.fetchone() == (1,)  # the patient's link stays; the staff link is gone
    finally:
        call_command("migrate", "clinic", verbosity=0)
    assert Invitation.objects.get().pk == patient_link.pk


# --- changing a colleague's role ---------------------------------------------------------------------


def test_a_new_role_takes_effect_at_once_and_is_audited(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)

    services.do_change_staff_role(world.admin, nurse, role=Role.COORDINATOR)

    assert StaffMember.objects.get(pk=nurse.pk).role == Role.COORDINATOR
    event = AuditEvent.objects.get(what="staff.role")
    assert (event.actor, event.object_uuid, event.detail) == (
        world.admin,
        nurse.uuid,
        {"email": "nurse@riverside.test", "from": "nurse", "to": "coordinator"},
    )


def test_nobody_changes_their_own_role(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)

    with pytest.raises(ProblemsFound) as found:
        services.do_change_staff_role(world.admin, admin, role=Role.PHYSICIAN)

    assert locations(found) == {"role"}
    assert StaffMember.objects.get(pk=admin.pk).role == Role.ADMIN


def test_the_only_active_admin_keeps_the_role_until_another_is_made(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)
    physician = StaffMember.objects.get(user=world.physician)

    with pytest.raises(ProblemsFound) as found:  # as the command line or a second admin might try
        services.do_change_staff_role(world.physician, admin, role=Role.NURSE)
    assert "only admin who can sign in" in found.value.problems[0].message

    services.do_change_staff_role(world.admin, physician, role=Role.ADMIN)
    services.do_change_staff_role(world.physician, admin, role=Role.NURSE)
    assert StaffMember.objects.get(pk=admin.pk).role == Role.NURSE


def test_a_deactivated_colleague_is_reactivated_before_a_new_role(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)
    services.do_set_staff_active(world.admin, nurse, active=False)

    with pytest.raises(ProblemsFound) as found:
        services.do_change_staff_role(world.admin, nurse, role=Role.ADMIN)

    assert "reactivate them first" in found.value.problems[0].message
    assert StaffMember.objects.get(pk=nurse.pk).role == Role.NURSE


@pytest.mark.parametrize("role", ["surgeon", "", "ADMIN"])
def test_an_unknown_role_is_named_and_nothing_changes(world: World, role: str) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)

    with pytest.raises(ProblemsFound) as found:
        services.do_change_staff_role(world.admin, nurse, role=role)

    assert locations(found) == {"role"}
    assert StaffMember.objects.get(pk=nurse.pk).role == Role.NURSE


def test_the_same_role_again_changes_nothing(world: World) -> None:
    nurse = StaffMember.objects.get(user=world.nurse)
    before = AuditEvent.objects.count()

    services.do_change_staff_role(world.admin, nurse, role=Role.NURSE)

    assert AuditEvent.objects.count() == before


def test_an_admin_who_has_not_chosen_a_password_yet_does_not_count_as_the_one_kept(world: World) -> None:
    admin = StaffMember.objects.get(user=world.admin)
    invited = services.do_add_staff(
        world.clinic, email="new.admin@riverside.test", given_name="Kim", family_name="Ng", role=Role.ADMIN
    )

    with pytest.raises(ProblemsFound) as found:
        services.do_change_staff_role(invited.user, admin, role=Role.NURSE)
    assert "only admin who can sign in" in found.value.problems[0].message
    with pytest.raises(ProblemsFound):
        services.do_set_staff_active(invited.user, admin, active=False)

    _, token = services.do_issue_staff_link(world.admin, invited)
    services.do_accept_invitation(token, "a-longer-Passphrase-41")
    services.do_change_staff_role(invited.user, admin, role=Role.NURSE)  # now someone else can sign in as admin
    assert StaffMember.objects.get(pk=admin.pk).role == Role.NURSE
