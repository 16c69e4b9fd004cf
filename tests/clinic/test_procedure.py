"""Recording the injection (``do_record_procedure``): day 0 of the recovery, in the clinic's time zone.
A record that breaks a rule is refused whole, naming the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.procedures import ProcedureRecord, do_record_procedure
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import Patient, Procedure, Stage
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Candidacy
from tests.personas import (
    TIME_ZONE,
    World,
    check_in,
    clinic_today,
    enrol,
    inject,
    protocol_of,
    screen,
    staff,
    with_account,
)

LONDON = zoneinfo.ZoneInfo(TIME_ZONE)


def approved_patient(world: World, *, screened_days_ago: int = 90) -> Patient:
    patient = with_account(world, enrol(world))
    record = screen(patient, days_ago=screened_days_ago)
    do_decide_candidacy(staff(world.physician), record, candidacy=Candidacy.ELIGIBLE, reason="", now=timezone.now())
    patient.refresh_from_db()
    return patient


def two_days_ago_at_ten(world: World) -> dt.datetime:
    day = clinic_today(world.clinic) - dt.timedelta(days=2)
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)


def procedure_fields(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "performed_at": two_days_ago_at_ten(world),
        "target": "facet_joint",
        "spinal_level": "L5-S1",
        "side": "left",
        "image_guidance": "fluoroscopy",
        "blood_drawn_ml": Decimal("60.0"),
        "spin_protocol": "Two spins: 1500 g 10 min, 3000 g 10 min",
        "platelet_concentration_x": Decimal("4.5"),
        "leukocytes": "poor",
        "activation": "none",
        "volume_injected_ml": Decimal("3.0"),
        "operator": world.physician,
        "notes": "",
    }
    return {**values, **changes}


def test_it_records_the_injection_and_starts_the_recovery(world: World) -> None:
    patient = approved_patient(world)
    performed_at = two_days_ago_at_ten(world)

    procedure = do_record_procedure(
        staff(world.nurse),
        patient,
        ProcedureRecord(**procedure_fields(world)),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )

    patient.refresh_from_db()
    procedure.refresh_from_db()
    day_0 = performed_at.date()
    assert procedure.performed_on == day_0
    assert (procedure.operator, procedure.recorded_by) == (world.physician, world.nurse)
    assert patient.stage == Stage.INJECTED
    assert patient.injected_on == day_0
    assert patient.last_checkin_on is None
    assert patient.next_checkin_due == day_0 + dt.timedelta(days=1)  # the first check-in is due on day 1
    assert AuditEvent.objects.filter(patient=patient, action="procedure.record", object_uuid=procedure.uuid).exists()


def test_a_platelet_count_alone_is_enough(world: World) -> None:
    patient = approved_patient(world)

    procedure = do_record_procedure(
        staff(world.physician),
        patient,
        ProcedureRecord(**procedure_fields(world, platelet_concentration_x=None, platelet_count_per_ul=1_200_000)),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )

    procedure.refresh_from_db()
    assert (procedure.platelet_concentration_x, procedure.platelet_count_per_ul) == (None, 1_200_000)


def test_day_zero_is_the_clinics_date_not_the_servers(world: World) -> None:
    # 00:30 in London in summer is 23:30 the day before in UTC: the patient was injected on the 2nd.
    patient = approved_patient(world, screened_days_ago=900)
    performed_at = dt.datetime(2025, 7, 2, 0, 30, tzinfo=LONDON)
    assert performed_at.astimezone(dt.UTC).date() == dt.date(2025, 7, 1)

    procedure = do_record_procedure(
        staff(world.physician),
        patient,
        ProcedureRecord(**procedure_fields(world, performed_at=performed_at)),
        protocol=protocol_of(patient),
        now=performed_at,
    )

    patient.refresh_from_db()
    assert procedure.performed_on == dt.date(2025, 7, 2)
    assert patient.injected_on == dt.date(2025, 7, 2)
    assert patient.next_checkin_due == dt.date(2025, 7, 3)


def invalid_cases(world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    now = timezone.now()
    return {
        "unknown target": ("target", {"target": "knee"}),
        "no platelet figure": ("platelet_concentration_x", {"platelet_concentration_x": None}),
        "nurse as operator": ("operator", {"operator": world.nurse}),
        "coordinator as operator": ("operator", {"operator": world.coordinator}),
        "other clinic's physician": ("operator", {"operator": world.other_physician}),
        "future": ("performed_at", {"performed_at": now + dt.timedelta(hours=1)}),
        "more injected than drawn": (
            "volume_injected_ml",
            {"blood_drawn_ml": Decimal("20.0"), "volume_injected_ml": Decimal("20.5")},
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown target",
        "no platelet figure",
        "nurse as operator",
        "coordinator as operator",
        "other clinic's physician",
        "future",
        "more injected than drawn",
    ],
)
def test_an_invalid_record_is_refused_and_nothing_is_saved(world: World, case: str) -> None:
    patient = approved_patient(world)
    field, change = invalid_cases(world)[case]

    with pytest.raises(ProblemsFound) as found:
        do_record_procedure(
            staff(world.physician),
            patient,
            ProcedureRecord(**procedure_fields(world, **change)),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert [p.location for p in found.value.problems] == [field]
    patient.refresh_from_db()
    assert patient.stage == Stage.APPROVED
    assert (patient.injected_on, patient.next_checkin_due) == (None, None)
    assert not Procedure.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(patient=patient, action="procedure.record").exists()


def test_every_problem_is_named_at_once(world: World) -> None:
    patient = approved_patient(world)

    with pytest.raises(ProblemsFound) as found:
        do_record_procedure(
            staff(world.physician),
            patient,
            ProcedureRecord(
                **procedure_fields(world, target="knee", operator=world.nurse, platelet_concentration_x=None)
            ),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert {p.location for p in found.value.problems} == {"target", "operator", "platelet_concentration_x"}
    assert not Procedure.objects.filter(patient=patient).exists()


def test_a_few_minutes_of_clock_difference_is_not_the_future(world: World) -> None:
    patient = approved_patient(world)
    now = timezone.now()

    do_record_procedure(
        staff(world.physician),
        patient,
        ProcedureRecord(**procedure_fields(world, performed_at=now + dt.timedelta(minutes=2))),
        protocol=protocol_of(patient),
        now=now,
    )

    patient.refresh_from_db()
    assert patient.stage == Stage.INJECTED


def test_the_same_volume_as_drawn_is_accepted(world: World) -> None:
    patient = approved_patient(world)

    do_record_procedure(
        staff(world.physician),
        patient,
        ProcedureRecord(**procedure_fields(world, blood_drawn_ml=Decimal("20.0"), volume_injected_ml=Decimal("20.0"))),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )

    assert Procedure.objects.filter(patient=patient).count() == 1


def test_a_repeat_injection_restarts_the_check_in_schedule(world: World) -> None:
    patient = approved_patient(world)
    inject(world, patient, days_ago=60)
    patient.refresh_from_db()
    check_in(patient, days_after=1)
    check_in(patient, days_after=2)

    inject(world, patient, days_ago=1)

    patient.refresh_from_db()
    today = clinic_today(world.clinic)
    assert patient.injected_on == today - dt.timedelta(days=1)
    assert patient.last_checkin_on is None  # no check-in yet after the repeat injection
    assert patient.next_checkin_due == today


def test_recording_an_older_injection_late_keeps_the_latest_as_day_zero(world: World) -> None:
    patient = with_account(world, enrol(world))
    do_decide_candidacy(
        staff(world.physician),
        screen(patient, days_ago=120),
        candidacy=Candidacy.ELIGIBLE,
        reason="",
        now=timezone.now(),
    )
    inject(world, patient, days_ago=3)
    patient.refresh_from_db()
    check_in(patient, days_after=1)

    inject(world, patient, days_ago=70)  # entered from paper afterwards

    patient.refresh_from_db()
    today = clinic_today(world.clinic)
    assert patient.injected_on == today - dt.timedelta(days=3)
    assert patient.last_checkin_on == today - dt.timedelta(days=2)
    assert patient.next_checkin_due == today - dt.timedelta(days=1)  # day 2 still to do


@pytest.mark.parametrize("decision", [None, Candidacy.DEFER])
def test_a_procedure_waits_for_a_screening_decided_eligible(world: World, decision: Candidacy | None) -> None:
    patient = with_account(world, enrol(world))
    screening = screen(patient, history=("active_infection",))
    if decision is not None:
        do_decide_candidacy(staff(world.physician), screening, candidacy=decision, reason="", now=timezone.now())

    with pytest.raises(ProblemsFound) as found:
        do_record_procedure(
            staff(world.physician),
            patient,
            ProcedureRecord(**procedure_fields(world)),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert [p.location for p in found.value.problems] == ["patient"]
    assert "candidacy decision" in found.value.problems[0].message
    assert not Procedure.objects.filter(patient=patient).exists()
    patient.refresh_from_db()
    assert patient.stage != Stage.INJECTED


def test_a_patient_never_screened_cannot_be_recorded_as_injected(world: World) -> None:
    patient = enrol(world)

    with pytest.raises(ProblemsFound):
        do_record_procedure(
            staff(world.physician),
            patient,
            ProcedureRecord(**procedure_fields(world)),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert not Procedure.objects.filter(patient=patient).exists()


def test_an_injection_dated_before_the_first_screening_is_refused(world: World) -> None:
    patient = approved_patient(world, screened_days_ago=60)

    with pytest.raises(ProblemsFound) as found:
        do_record_procedure(
            staff(world.physician),
            patient,
            ProcedureRecord(**procedure_fields(world, performed_at=timezone.now() - dt.timedelta(days=80))),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert [p.location for p in found.value.problems] == ["performed_at"]
    assert "first screening" in found.value.problems[0].message
    assert not Procedure.objects.filter(patient=patient).exists()
