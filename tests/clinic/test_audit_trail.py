"""The audit trail holds: rows are only ever added. The database itself refuses UPDATE and DELETE, on
SQLite and on PostgreSQL, whatever asks (the ORM or plain SQL); and each row says who acted."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from prpath.audit.models import Access, ActorKind, AuditAction, AuditEvent
from tests.personas import World, check_in, injected_patient


def an_event(world: World) -> AuditEvent:
    patient = injected_patient(world, days_ago=3)
    check_in(patient, days_after=2, temperature_c="38.4")
    return AuditEvent.objects.filter(action=AuditAction.CHECKIN_RECORD).latest("pk")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'patient.today' WHERE id = %s",
        "UPDATE audit_auditevent SET detail = '{}' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
    ids=["update action", "update detail", "delete"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_row(world: World, sql: str) -> None:
    event = an_event(world)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])

    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.action, kept.detail) == (event.action, event.detail)


def test_the_orm_is_refused_too(world: World) -> None:
    event = an_event(world)

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.actor_label = "changed"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).actor_label == ""


def test_each_row_names_its_actor_and_whether_it_read_or_wrote(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    check_in(patient, days_after=2)

    created = AuditEvent.objects.filter(action=AuditAction.CLINIC_CREATE, clinic=world.clinic).get()
    enrolled = AuditEvent.objects.get(action=AuditAction.PATIENT_ENROL, patient=patient)
    recorded = AuditEvent.objects.get(action=AuditAction.CHECKIN_RECORD, patient=patient)

    assert (created.actor_kind, created.actor, created.actor_label) == (ActorKind.SYSTEM, None, "tests")
    assert (enrolled.actor_kind, enrolled.actor) == (ActorKind.STAFF, world.nurse)
    assert (recorded.actor_kind, recorded.actor) == (ActorKind.PATIENT, patient.user)
    assert {created.access, enrolled.access, recorded.access} == {Access.WRITE}
    assert AuditAction.PATIENT_TIMELINE.access == Access.READ
