"""What ``do_record_checkin`` keeps on the patient for the worklists (``last_checkin_on``,
``next_checkin_due``: daily on days 1-14, then weekly to day 42), the reports it refuses, and how a
back-filled earlier day is triaged."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.checkins import CheckInReport, do_record_checkin
from prpath.clinic.actions.procedures import ProcedureRecord, do_record_procedure
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import Alert, CheckIn, Patient
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Candidacy
from tests.personas import (
    TIME_ZONE,
    World,
    check_in,
    clinic_today,
    enrol,
    injected_patient,
    patient_actor,
    protocol_of,
    screen,
    staff,
    with_account,
)


def on_day(patient: Patient, day: int) -> dt.date:
    assert patient.injected_on is not None
    return patient.injected_on + dt.timedelta(days=day)


def test_a_new_patient_is_due_on_day_one(world: World) -> None:
    patient = injected_patient(world, days_ago=0)

    assert patient.last_checkin_on is None
    assert patient.next_checkin_due == on_day(patient, 1)


def test_check_ins_are_due_every_day_to_day_fourteen(world: World) -> None:
    patient = injected_patient(world, days_ago=14)

    for day in range(1, 14):
        check_in(patient, days_after=day, pain=5)
        patient.refresh_from_db()
        assert patient.last_checkin_on == on_day(patient, day)
        assert patient.next_checkin_due == on_day(patient, day + 1), f"after day {day}"


@pytest.mark.parametrize(("day", "next_day"), [(14, 21), (21, 28), (28, 35), (35, 42)])
def test_after_day_fourteen_check_ins_are_weekly(world: World, day: int, next_day: int) -> None:
    patient = injected_patient(world, days_ago=42)

    check_in(patient, days_after=day, pain=3)

    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, day)
    assert patient.next_checkin_due == on_day(patient, next_day)


def test_an_unscheduled_day_counts_and_the_next_weekly_one_is_due(world: World) -> None:
    patient = injected_patient(world, days_ago=20)

    check_in(patient, days_after=17, pain=3)

    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, 17)
    assert patient.next_checkin_due == on_day(patient, 21)


def test_nothing_is_due_after_week_six(world: World) -> None:
    patient = injected_patient(world, days_ago=42)

    check_in(patient, days_after=42, pain=2)

    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, 42)
    assert patient.next_checkin_due is None


def test_a_missed_day_stays_due_until_a_later_check_in(world: World) -> None:
    patient = injected_patient(world, days_ago=6)
    check_in(patient, days_after=2)

    patient.refresh_from_db()
    assert patient.next_checkin_due == on_day(patient, 3)  # overdue now: the worklist shows it

    check_in(patient, days_after=6)
    patient.refresh_from_db()
    assert patient.next_checkin_due == on_day(patient, 7)


def test_amending_a_day_keeps_the_dates(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    check_in(patient, days_after=3, pain=4)

    check_in(patient, days_after=3, pain=5)

    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, 3)
    assert patient.next_checkin_due == on_day(patient, 4)


def test_a_date_in_the_future_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    check_in(patient, days_after=2)
    assert patient.user is not None
    tomorrow = clinic_today(world.clinic) + dt.timedelta(days=1)

    with pytest.raises(ProblemsFound) as found:
        do_record_checkin(
            patient_actor(patient.user),
            patient,
            CheckInReport(date=tomorrow, pain=4, temperature_c=None, symptoms={}),
            protocol=protocol_of(patient),
            now=timezone.now(),
        )

    assert [p.location for p in found.value.problems] == ["date"]
    assert not CheckIn.objects.filter(patient=patient, date=tomorrow).exists()
    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, 2)
    assert patient.next_checkin_due == on_day(patient, 3)


@pytest.mark.parametrize("temperature", ["60.0", "29.9", "45.1"])
def test_an_implausible_temperature_is_refused_and_nothing_is_saved(world: World, temperature: str) -> None:
    patient = injected_patient(world, days_ago=3)

    with pytest.raises(ProblemsFound) as found:
        check_in(patient, days_after=3, temperature_c=temperature)

    assert [p.location for p in found.value.problems] == ["temperature_c"]
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert not Alert.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(patient=patient, action="checkin.record").exists()
    patient.refresh_from_db()
    assert patient.last_checkin_on is None


@pytest.mark.parametrize("temperature", ["30.0", "45.0"])
def test_the_ends_of_the_temperature_range_are_accepted(world: World, temperature: str) -> None:
    patient = injected_patient(world, days_ago=3)

    checkin = check_in(patient, days_after=3, temperature_c=temperature)

    checkin.refresh_from_db()
    assert checkin.temperature_c == Decimal(temperature)


def test_a_severity_of_bad_is_refused_naming_the_symptoms(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    with pytest.raises(ProblemsFound) as found:
        check_in(patient, days_after=3, injection_site_pain="bad")

    assert [p.location for p in found.value.problems] == ["symptoms"]
    assert not CheckIn.objects.filter(patient=patient).exists()
    patient.refresh_from_db()
    assert patient.last_checkin_on is None


def test_an_unknown_symptom_is_refused_naming_the_symptoms(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    with pytest.raises(ProblemsFound) as found:
        check_in(patient, days_after=3, sore_toe="mild")

    assert [p.location for p in found.value.problems] == ["symptoms"]
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_a_back_filled_day_is_triaged_without_the_later_days(world: World) -> None:
    patient = injected_patient(world, days_ago=5)  # baseline pain 6
    day_5 = check_in(patient, days_after=5, pain=6, temperature_c="38.5")
    alert = Alert.objects.get(patient=patient)

    day_4 = check_in(patient, days_after=4, pain=5)  # remembered the next morning: nothing wrong on day 4

    assert day_4.day == 4
    assert day_4.disposition == "self_care"
    assert "recovery.fever" not in [f.rule for f in day_4.findings]
    alert.refresh_from_db()
    assert alert.checkin == day_5
    day_5.refresh_from_db()
    assert day_5.disposition == "urgent"  # the stored assessment of day 5 is not rewritten
    patient.refresh_from_db()
    assert patient.last_checkin_on == on_day(patient, 5)  # the latest date, not the latest report
    assert patient.next_checkin_due == on_day(patient, 6)


def test_a_back_filled_day_is_compared_with_the_day_before_it(world: World) -> None:
    # CLINICAL.md, worsening pain: day >= 3, pain >= baseline + 2 and higher than at the check-in before.
    # Day 4 (pain 9) is compared with day 2 (pain 5): worse. Against day 6 (pain 10) it would not be.
    patient = injected_patient(world, days_ago=6)  # baseline pain 6
    check_in(patient, days_after=2, pain=5)
    check_in(patient, days_after=6, pain=10)

    day_4 = check_in(patient, days_after=4, pain=9)

    assert "recovery.worsening_pain" in [f.rule for f in day_4.findings]
    assert day_4.disposition == "urgent"


def test_just_after_midnight_in_the_clinic_it_is_already_the_next_day(world: World) -> None:
    # 00:30 in London in summer is 23:30 the day before in UTC (the server's zone): the 3rd is today there.
    patient = with_account(world, enrol(world))
    do_decide_candidacy(
        staff(world.physician),
        screen(patient, days_ago=900),
        candidacy=Candidacy.ELIGIBLE,
        reason="",
        now=timezone.now(),
    )
    assert patient.user is not None
    london = zoneinfo.ZoneInfo(TIME_ZONE)
    do_record_procedure(
        staff(world.physician),
        patient,
        ProcedureRecord(
            performed_at=dt.datetime(2025, 7, 1, 10, tzinfo=london),
            target="intradiscal",
            spinal_level="L4-L5",
            side="midline",
            image_guidance="fluoroscopy",
            blood_drawn_ml=Decimal("60"),
            spin_protocol="two spins",
            platelet_concentration_x=Decimal("5.0"),
            leukocytes="poor",
            activation="none",
            volume_injected_ml=Decimal("3.5"),
            operator=world.physician,
        ),
        protocol=protocol_of(patient),
        now=dt.datetime(2025, 7, 1, 11, tzinfo=london),
    )
    just_after_midnight = dt.datetime(2025, 7, 3, 0, 30, tzinfo=london)
    assert just_after_midnight.astimezone(dt.UTC).date() == dt.date(2025, 7, 2)

    checkin = do_record_checkin(
        patient_actor(patient.user),
        patient,
        CheckInReport(date=dt.date(2025, 7, 3), pain=4, temperature_c=None, symptoms={}),
        protocol=protocol_of(patient),
        now=just_after_midnight,
    )

    assert (checkin.date, checkin.day) == (dt.date(2025, 7, 3), 2)
