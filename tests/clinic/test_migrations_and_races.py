"""Tests that need real commits: migrations undone and done again with records in the database, and two
requests racing. They run with transactions of their own (not inside a test's savepoint), so they live
here, apart from the modules whose records are built once and kept in one transaction."""

from __future__ import annotations

import threading
import uuid
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from prpath.accounts.models import AccessLink, User, token_hash
from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions import access_links
from prpath.clinic.actions.access_links import (
    do_accept_access_link,
    do_invite_patient,
    do_issue_staff_link,
    do_join_with_account,
)
from prpath.clinic.actions.base import lock_patient
from prpath.clinic.actions.checkins import (
    CheckInReport,
    RefusedCheckIn,
    do_mark_note_read,
    do_record_checkin,
    do_triage_refused_checkin,
)
from prpath.clinic.actions.staff import do_set_staff_active
from prpath.clinic.models import Alert, CheckIn, CheckInVersion, Patient, Role, StaffMember
from prpath.core.problems import ProblemsFound
from tests.personas import (
    add_staff,
    check_in,
    clinic_today,
    enrol,
    injected_patient,
    make_world,
    now,
    patient_actor,
    protocol_of,
    staff,
)

NEW_PASSWORD = "a-longer-Passphrase-41"


@pytest.mark.django_db(transaction=True)
def test_the_newest_migrations_can_be_undone_with_an_alert_from_a_refused_form_in_the_database() -> None:
    world = make_world()
    patient = injected_patient(world, days_ago=4)
    kept = check_in(patient, days_after=1, temperature_c="38.4")
    other = injected_patient(world, days_ago=4)
    told = do_triage_refused_checkin(
        patient_actor(other),
        other,
        RefusedCheckIn(date=None, pain=None, temperature_c=None, symptoms={"saddle_numbness": "moderate"}),
        protocol=protocol_of(other),
        now=now(),
    )
    assert told is not None
    assert Alert.objects.count() == 2

    call_command("migrate", "clinic", "0001", verbosity=0)
    call_command("migrate", "audit", "0001", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM clinic_alert")
            assert cursor.fetchone() == (2,)  # both alerts stay, the one without a stored report too
            cursor.execute("UPDATE audit_auditevent SET detail = detail")  # undone: the triggers are gone
            assert cursor.rowcount > 0
    finally:
        call_command("migrate", verbosity=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = detail")  # done again: refused again
    assert Alert.objects.get(checkin__isnull=False).checkin == kept
    assert Alert.objects.get(checkin__isnull=True).unsent == "checkin"


@pytest.mark.django_db(transaction=True)
def test_the_same_colleague_added_twice_at_once_is_refused_not_a_server_error() -> None:
    """A double click: both requests pass the "already on this clinic's staff" check before either saves."""
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
            add_staff(
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
    assert StaffMember.objects.filter(email="sam.lee@riverside.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clinics_invitations_for_one_email_accepted_at_once_make_one_login() -> None:
    """The same person enrolled at both clinics opens both links and chooses a password in each at once:
    both pass the "does this email sign in" check before either saves. One makes the login; the other
    is told to sign in with it (and can join then), not a server error, and no second login is made."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; the race needs PostgreSQL (set DATABASE_URL)")
    world = make_world()
    here = enrol(world, email="dana.reyes@patients.test")
    there = enrol(world, world.other_clinic, email="dana.reyes@patients.test")
    tokens = [
        do_invite_patient(staff(world.nurse), here, now=now())[1],
        do_invite_patient(staff(world.other_nurse), there, now=now())[1],
    ]
    both_checked = threading.Barrier(2, timeout=10)
    checked = access_links.check_password
    outcomes: list[str] = []

    def after_the_check(password: str, user: User) -> None:  # runs between the check and the save
        both_checked.wait()
        checked(password, user)

    def accept(token: str) -> None:
        try:
            do_accept_access_link(token, NEW_PASSWORD, now=now())
            outcomes.append("joined")
        except ProblemsFound as found:
            outcomes.append(found.problems[0].message)
        finally:
            connection.close()

    with mock.patch.object(access_links, "check_password", after_the_check):
        threads = [threading.Thread(target=accept, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(outcomes) == sorted(["joined", access_links.SIGN_IN_TO_JOIN])
    assert User.objects.filter(email="dana.reyes@patients.test").count() == 1
    account = User.objects.get(email="dana.reyes@patients.test")
    waiting = next(token for token in tokens if not AccessLink.objects.get(token_hash=token_hash(token)).used_at)
    joined = do_join_with_account(waiting, account, now=now())
    assert {p.user for p in Patient.objects.filter(email="dana.reyes@patients.test")} == {account}
    assert joined.user == account


@pytest.mark.django_db(transaction=True)
def test_the_latest_migrations_can_be_undone_with_staff_links_in_the_database() -> None:
    # Was: migration 0005 (staff links) undone. The migrations start afresh in the restructure: links live in
    # accounts 0001, so what a rollback can undo now is the latest migration of the clinic and audit apps
    # (the triggers). Undoing and redoing them keeps every link, the staff member's and the patient's.
    world = make_world()
    staff_link, _ = do_issue_staff_link(staff(world.admin), StaffMember.objects.get(user=world.nurse), now=now())
    patient_link, _ = do_invite_patient(staff(world.nurse), enrol(world), now=now())
    # A colleague still to choose a password: their email is on the staff row alone until then.
    waiting = add_staff(
        world.clinic, email="sam.lee@riverside.test", given_name="Sam", family_name="Lee", role=Role.NURSE
    )
    do_set_staff_active(staff(world.admin), StaffMember.objects.get(user=world.coordinator), active=False, now=now())

    call_command("migrate", "clinic", "0001", verbosity=0)
    call_command("migrate", "audit", "0001", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM accounts_accesslink")
            assert cursor.fetchone() == (2,)  # the patient's link and the staff link both stay
    finally:
        call_command("migrate", verbosity=0)
    assert set(AccessLink.objects.values_list("pk", flat=True)) == {staff_link.pk, patient_link.pk}
    assert StaffMember.objects.get(pk=waiting.pk).email == "sam.lee@riverside.test"
    assert StaffMember.objects.get(user=world.nurse).email == "nurse@riverside.test"
    assert [m.user for m in StaffMember.objects.filter(is_active=False)] == [world.coordinator]


# --- changing a colleague's role ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_marking_a_note_read_does_not_wait_for_the_patient_row_a_report_holds() -> None:
    """A report locks the patient first, then the check-in. Marking its note read locks the check-in only:
    locking the patient too (FOR UPDATE through a join) takes the two in the other order, and on PostgreSQL
    the patient's amendment and the nurse's click then deadlock (one of them a server error)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; the lock order needs PostgreSQL (set DATABASE_URL)")
    world = make_world()
    patient = injected_patient(world, days_ago=4)
    checkin = check_in(patient, note="Feeling stiff")
    locked, done = threading.Event(), threading.Event()

    def a_report_in_progress() -> None:  # holds the patient row, as do_record_checkin does, until told
        try:
            with transaction.atomic():
                lock_patient(patient.pk)
                locked.set()
                done.wait(20)
        finally:
            connection.close()

    holder = threading.Thread(target=a_report_in_progress)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # waiting on the patient row fails, rather than hangs
        do_mark_note_read(staff(world.nurse), checkin, revision=1, now=now())
    finally:
        done.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert CheckIn.objects.get(pk=checkin.pk).note_read_by == world.nurse


@pytest.mark.django_db(transaction=True)
def test_fifty_copies_of_one_check_in_sent_at_once_are_stored_once() -> None:
    """A phone that retries, or a script: the same rendered form (one token) sent fifty times together."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; the race needs PostgreSQL (set DATABASE_URL)")
    world = make_world()
    patient = injected_patient(world, days_ago=3)
    once = uuid.uuid4()
    report = CheckInReport(date=clinic_today(patient.clinic), pain=4, temperature_c=None, symptoms={}, note="")
    start = threading.Barrier(50, timeout=20)
    made: list[str] = []

    def send() -> None:
        try:
            start.wait()
            checkin = do_record_checkin(
                patient_actor(patient), patient, report, protocol=protocol_of(patient), now=now(), once=once
            )
            made.append(str(checkin.uuid))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(made) == 50  # every copy was answered, none with an error
    assert len(set(made)) == 1  # and all with the first one's check-in
    assert CheckInVersion.objects.filter(checkin__patient=patient).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CHECKIN_RECORD, patient_id=patient.pk).count() == 1
