"""The alert a check-in raises, and how the clinic works it (``do_acknowledge_alert``, ``do_resolve_alert``).

The policy: one unresolved alert per patient per injection, updated by later reports; it never drops in
severity on its own, and goes back to open when it rises; each clinic sees only its own patients' alerts.
"""

from __future__ import annotations

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.models import Alert, AlertState, Patient
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Disposition
from tests.personas import World, check_in, inject, injected_patient, now, staff


def unresolved(patient: Patient) -> list[Alert]:
    return list(Alert.objects.filter(patient=patient).exclude(state=AlertState.RESOLVED))


def test_a_fever_raises_one_open_urgent_alert_in_the_patients_clinic(world: World) -> None:
    patient = injected_patient(world, days_ago=4)

    checkin = check_in(patient, days_after=4, temperature_c="38.4")

    alert = Alert.objects.get(patient=patient)
    assert (alert.clinic, alert.checkin, alert.screening) == (world.clinic, checkin, None)
    assert (alert.state, alert.disposition, alert.severity_rank) == (
        AlertState.OPEN,
        Disposition.URGENT,
        Disposition.URGENT.rank,
    )
    assert "Fever" in alert.summary
    assert [f.rule for f in alert.findings if f.disposition == "urgent"] == ["recovery.fever"]


def test_expected_soreness_raises_nothing(world: World) -> None:
    # CLINICAL.md: site pain within days 0-5 and a flare that meets no pain rule are self_care.
    patient = injected_patient(world, days_ago=2)

    first = check_in(patient, days_after=1, pain=8, injection_site_pain="moderate")
    second = check_in(patient, days_after=2, pain=7, injection_site_pain="mild", injection_site_bruising="mild")

    assert (first.disposition, second.disposition) == ("self_care", "self_care")
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_fever_reported_again_the_next_day_updates_the_same_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    day_4 = check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)

    day_5 = check_in(patient, days_after=5, temperature_c="38.7", chills="moderate")

    assert Alert.objects.filter(patient=patient).count() == 1
    alert.refresh_from_db()
    assert alert.checkin == day_5  # the nurse opens the newest report, not day 4's
    assert alert.checkin != day_4
    assert alert.disposition == Disposition.URGENT
    assert alert.updated_at > alert.raised_at


def test_the_same_finding_again_leaves_an_acknowledged_alert_acknowledged(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, note="Called; coming in this afternoon.", now=now())

    check_in(patient, days_after=5, temperature_c="38.3")

    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.acknowledged_by == world.nurse


def test_an_emergency_reopens_an_acknowledged_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())

    day_5 = check_in(patient, days_after=5, temperature_c="38.4", bladder_control_loss="severe")

    assert unresolved(patient) == [alert]
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert (alert.acknowledged_by, alert.acknowledged_at) == (None, None)
    assert (alert.disposition, alert.severity_rank) == (Disposition.EMERGENCY, Disposition.EMERGENCY.rank)
    assert alert.checkin == day_5
    assert "Cauda equina" in alert.summary


def test_a_milder_later_report_never_lowers_the_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    day_3 = check_in(patient, days_after=3, urinary_retention="moderate")
    alert = Alert.objects.get(patient=patient)
    assert alert.disposition == Disposition.EMERGENCY

    day_4 = check_in(patient, days_after=4, temperature_c="38.2")  # urgent only
    day_5 = check_in(patient, days_after=5, pain=4)  # self_care

    assert (day_4.disposition, day_5.disposition) == ("urgent", "self_care")
    assert unresolved(patient) == [alert]
    alert.refresh_from_db()
    assert (alert.disposition, alert.severity_rank) == (Disposition.EMERGENCY, Disposition.EMERGENCY.rank)
    assert alert.checkin == day_3  # still shows the report that made it an emergency
    assert "Cauda equina" in alert.summary


def test_an_evening_amendment_that_sounds_better_does_not_lower_the_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.9")

    amended = check_in(patient, days_after=4, temperature_c="37.0", pain=4)

    assert (amended.revision, amended.disposition) == (2, "self_care")
    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.disposition) == (AlertState.OPEN, Disposition.URGENT)


def test_after_resolving_a_new_finding_raises_a_new_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.4")
    first = Alert.objects.get(patient=patient)
    do_resolve_alert(staff(world.nurse), first, note="Seen: viral, no infection at the site.", now=now())

    day_5 = check_in(patient, days_after=5, injection_site_discharge="mild")

    first.refresh_from_db()
    assert first.state == AlertState.RESOLVED
    second = Alert.objects.exclude(pk=first.pk).get(patient=patient)
    assert (second.state, second.checkin, second.disposition) == (AlertState.OPEN, day_5, Disposition.URGENT)


def test_a_repeat_injection_has_its_own_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=40)
    check_in(patient, days_after=4, temperature_c="38.4")
    first = Alert.objects.get(patient=patient)
    inject(world, patient, days_ago=2)
    patient.refresh_from_db()

    check_in(patient, days_after=1, temperature_c="38.5")

    assert len(unresolved(patient)) == 2
    first.refresh_from_db()
    assert first.checkin is not None
    assert first.checkin.day == 4  # the first injection's alert is left as it was


def test_acknowledging_records_who_and_when(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)

    do_acknowledge_alert(staff(world.nurse), alert, note="  Called the patient.  ", now=now())

    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert (alert.acknowledged_by, alert.acknowledge_note) == (world.nurse, "Called the patient.")
    assert alert.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_uuid=alert.uuid, actor=world.nurse).exists()


def test_acknowledging_twice_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())

    with pytest.raises(ProblemsFound) as found:
        do_acknowledge_alert(staff(world.physician), alert, now=now())

    assert [p.location for p in found.value.problems] == ["state"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.nurse
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_uuid=alert.uuid).count() == 1


def test_acknowledging_a_resolved_alert_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_resolve_alert(staff(world.nurse), alert, note="Seen in clinic.", now=now())

    with pytest.raises(ProblemsFound) as found:
        do_acknowledge_alert(staff(world.physician), alert, now=now())

    assert [p.location for p in found.value.problems] == ["state"]
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_resolving_an_open_alert_acknowledges_it_too(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)

    do_resolve_alert(staff(world.physician), alert, note="Bloods normal; reassured.", now=now())

    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert (alert.acknowledged_by, alert.resolved_by) == (world.physician, world.physician)
    assert alert.resolution_note == "Bloods normal; reassured."
    assert AuditEvent.objects.filter(action="alert.resolve", object_uuid=alert.uuid).count() == 1


def test_resolving_twice_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_resolve_alert(staff(world.nurse), alert, note="Seen in clinic.", now=now())

    with pytest.raises(ProblemsFound) as found:
        do_resolve_alert(staff(world.physician), alert, note="Also seen.", now=now())

    assert [p.location for p in found.value.problems] == ["state"]
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.resolution_note) == (world.nurse, "Seen in clinic.")


def test_each_clinic_sees_only_its_own_patients_alerts(world: World) -> None:
    ours = injected_patient(world, days_ago=4)
    theirs = injected_patient(world, days_ago=4, clinic=world.other_clinic)

    check_in(ours, days_after=4, temperature_c="38.4")
    check_in(theirs, days_after=3, leg_weakness="moderate")

    assert [a.patient for a in Alert.objects.filter(clinic=world.clinic)] == [ours]
    assert [a.patient for a in Alert.objects.filter(clinic=world.other_clinic)] == [theirs]
    assert Alert.objects.get(patient=theirs).disposition == Disposition.EMERGENCY  # new weakness


def test_a_back_filled_report_leaves_the_alert_on_the_newest_check_in(world: World) -> None:
    # The alert points at the newest check-in: a fever remembered for day 4 must not hide day 5's report.
    patient = injected_patient(world, days_ago=5)
    day_5 = check_in(patient, days_after=5, temperature_c="38.6")

    day_4 = check_in(patient, days_after=4, temperature_c="38.1")

    assert day_4.disposition == "urgent"
    alert = Alert.objects.get(patient=patient)
    assert alert.checkin == day_5


def test_a_new_kind_of_finding_reopens_an_acknowledged_alert_and_is_added_to_it(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.3")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, note="Called; monitoring.", now=now())

    check_in(patient, days_after=5, temperature_c="38.3", injection_site_discharge="mild")

    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN  # the discharge is news: someone must look again
    assert alert.acknowledged_by is None
    rules = [f.rule for f in alert.findings]
    assert "recovery.fever" in rules
    assert "recovery.discharge" in rules
    assert "Discharge" in alert.summary
    assert "Fever" in alert.summary
    assert alert.reopened_note == "new: Discharge from the site"


def test_an_urgent_finding_after_an_emergency_stays_on_the_alert_once_the_emergency_is_resolved(
    world: World,
) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, leg_weakness="moderate")  # new weakness: emergency
    check_in(patient, days_after=4, injection_site_discharge="mild")  # urgent: must not vanish into it

    alert = Alert.objects.get(patient=patient)
    assert alert.disposition == Disposition.EMERGENCY
    assert {"recovery.new_weakness", "recovery.discharge"} <= {f.rule for f in alert.findings}
    assert alert.state == AlertState.OPEN


def test_an_escalated_alert_says_what_it_was(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())

    check_in(patient, days_after=4, temperature_c="38.4", bowel_control_loss="moderate")

    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert alert.reopened_note.startswith("escalated from Urgent to Emergency; new: ")
    assert "Cauda equina" in alert.reopened_note


def test_what_changed_is_cleared_once_the_reopened_alert_is_acknowledged(world: World) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.3")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())
    check_in(patient, days_after=5, temperature_c="38.3", injection_site_discharge="mild")
    alert.refresh_from_db()
    assert alert.reopened_note

    do_acknowledge_alert(staff(world.nurse), alert, note="Seen the discharge; asked for a photo.", now=now())

    alert.refresh_from_db()
    assert (alert.state, alert.reopened_note) == (AlertState.ACKNOWLEDGED, "")


def test_an_emergency_reported_again_reopens_the_alert_that_was_acknowledged(world: World) -> None:
    # Acknowledged at noon; the next morning the patient still reports it: they may not have gone.
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, bladder_control_loss="severe")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, note="Told her to go to A&E.", now=now())

    day_5 = check_in(patient, days_after=5, bladder_control_loss="severe")

    alert.refresh_from_db()
    assert unresolved(patient) == [alert]
    assert (alert.state, alert.acknowledged_by, alert.checkin) == (AlertState.OPEN, None, day_5)
    assert alert.reopened_note.startswith("reported again since it was acknowledged: ")
    assert "Cauda equina" in alert.reopened_note


def test_an_urgent_finding_reported_again_after_acknowledgement_does_not_reopen(world: World) -> None:
    # The counterpart: a fever the nurse has taken on stays hers (CLINICAL policy: only news reopens).
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())

    check_in(patient, days_after=5, temperature_c="38.4")

    alert.refresh_from_db()
    assert (alert.state, alert.reopened_note) == (AlertState.ACKNOWLEDGED, "")


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_acting_on_an_alert_that_changed_since_it_was_read_is_refused(world: World, action: str) -> None:
    patient = injected_patient(world, days_ago=5)
    check_in(patient, days_after=4, temperature_c="38.4")
    read = Alert.objects.get(patient=patient)  # the card on the nurse's screen: an urgent fever
    check_in(patient, days_after=5, temperature_c="38.4", bladder_control_loss="severe")  # meanwhile

    act = do_acknowledge_alert if action == "acknowledge" else do_resolve_alert
    with pytest.raises(ProblemsFound) as found:
        act(staff(world.nurse), read, note="Fever noted.", seen=read.updated_at, now=now())

    assert [p.location for p in found.value.problems] == ["alert"]
    assert "changed since you opened it" in found.value.problems[0].message
    again = Alert.objects.get(pk=read.pk)
    assert (again.state, again.disposition, again.acknowledged_by) == (AlertState.OPEN, "emergency", None)
    assert not AuditEvent.objects.filter(action=f"alert.{action}").exists()

    act(staff(world.nurse), again, note="Emergency seen; calling her now.", seen=again.updated_at, now=now())
    assert Alert.objects.get(pk=read.pk).acknowledged_by == world.nurse
