from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.models import Alert, AlertState, CheckIn, CheckInVersion, Patient
from prpath.core.problems import ProblemsFound
from tests.personas import World, check_in, injected_patient, staff


def test_fever_on_day_four_raises_an_urgent_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=4)

    checkin = check_in(patient, pain=5, temperature_c="38.4")

    assert checkin.day == 4
    assert checkin.disposition == "urgent"
    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.state, alert.checkin) == ("urgent", AlertState.OPEN, checkin)
    assert "Fever" in alert.summary
    assert AuditEvent.objects.filter(patient=patient, action="checkin.record", object_uuid=checkin.uuid).exists()


def test_an_evening_report_amends_the_day_and_keeps_the_morning_version(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    morning = check_in(patient, pain=4)
    assert morning.disposition == "self_care"
    assert not Alert.objects.filter(patient=patient).exists()

    evening = check_in(patient, pain=5, temperature_c="38.6", note="Shivery since six")

    assert evening.pk == morning.pk
    assert (evening.revision, evening.disposition, evening.temperature_c) == (2, "urgent", Decimal("38.6"))
    versions = list(CheckInVersion.objects.filter(checkin=evening).values_list("revision", "disposition", "pain"))
    assert versions == [(1, "self_care", 4), (2, "urgent", 5)]
    assert Alert.objects.get(patient=patient).disposition == "urgent"


def test_pain_eleven_is_refused_and_nothing_is_saved(world: World) -> None:
    patient = injected_patient(world, days_ago=2)

    with pytest.raises(ProblemsFound) as found:
        check_in(patient, pain=11)

    assert [p.location for p in found.value.problems] == ["pain"]
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(patient=patient, action="checkin.record").exists()


def test_a_check_in_before_the_injection_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=2)

    with pytest.raises(ProblemsFound) as found:
        check_in(patient, days_after=-1)

    assert found.value.problems[0].location == "date"
    assert "before the injection" in found.value.problems[0].message


def test_resolving_needs_a_note(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)

    with pytest.raises(ProblemsFound):
        do_resolve_alert(staff(world.nurse), alert, note="  ", now=timezone.now())
    do_acknowledge_alert(staff(world.nurse), alert, now=timezone.now())
    do_resolve_alert(staff(world.nurse), alert, note="Called: seen in clinic, antibiotics started.", now=timezone.now())

    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.resolved_by == world.nurse


def test_a_code_an_earlier_protocol_stored_does_not_block_the_report(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    # Stored under a protocol that knew a symptom this one does not.
    Patient.objects.filter(pk=patient.pk).update(baseline_symptoms={"retired_symptom": "mild"})
    patient.refresh_from_db()

    checkin = check_in(patient, saddle_numbness="severe")

    assert checkin.disposition == "emergency"
    assert Alert.objects.get(patient=patient).disposition == "emergency"


def test_a_red_flag_sent_with_a_grade_is_stored_as_the_yes_the_form_offers(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    checkin = check_in(patient, pain=6, bladder_control_loss="severe", injection_site_pain="mild")

    # Red flags are yes or no: "severe" is stored as the same yes; a graded symptom keeps its grade.
    assert checkin.symptoms == {"bladder_control_loss": "moderate", "injection_site_pain": "mild"}
    assert checkin.disposition == "emergency"
