"""The read layer without pages: what each query decides (which emergency Today shows, what a result says,
whose records a list holds), scoped to one clinic and recorded in the audit trail."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from django.utils import timezone

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.checkins import RefusedCheckIn, do_triage_refused_checkin
from prpath.clinic.actions.protocols import do_activate_protocol, do_save_protocol_draft
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import ProtocolVersion, StaffMember
from prpath.clinic.queries import patient_pages, staff_pages
from prpath.clinic.queries.protocols import draft_review
from prpath.core.protocol.schema import Candidacy
from prpath.files.protocols import default_protocol_text
from tests.personas import (
    World,
    check_in,
    enrol,
    inject,
    injected_patient,
    patient_actor,
    protocol_of,
    screen,
    staff,
    with_account,
)


def reads(action: AuditAction) -> int:
    return AuditEvent.objects.filter(action=action).count()


def refused_emergency(patient: Any) -> None:
    told = do_triage_refused_checkin(
        patient_actor(patient),
        patient,
        RefusedCheckIn(date=None, pain=None, temperature_c=None, symptoms={"saddle_numbness": "moderate"}),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )
    assert told is not None


def test_today_puts_a_stored_emergency_first_and_keeps_the_guidance_back(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, bladder_control_loss="moderate")
    before = reads(AuditAction.PATIENT_TODAY)

    view = patient_pages.today(patient_actor(patient), patient, protocol_of(patient), now=timezone.now())

    assert view.emergency is not None
    assert (view.emergency.source, view.emergency.checkin_is_today) == ("checkin", True)
    assert (view.report, view.prompt_checkin, view.show_day_guidance) == (None, False, False)
    assert reads(AuditAction.PATIENT_TODAY) == before + 1


def test_a_refused_form_that_needed_the_emergency_department_stays_on_today(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, pain=3)  # a calm report today
    refused_emergency(patient)

    view = patient_pages.today(patient_actor(patient), patient, protocol_of(patient), now=timezone.now())

    assert view.emergency is not None
    assert view.emergency.source == "unsent"
    assert view.report is not None  # the calm report is still summed up beneath it
    assert not view.show_day_guidance


def test_an_open_screening_emergency_does_not_hide_a_refused_check_in_after_the_injection(world: World) -> None:
    # Before: the screening's open emergency alert suppressed the refused check-in's emergency on Today.
    patient = with_account(world, enrol(world))
    screen(patient, symptoms={"saddle_numbness": "moderate"})  # emergency, alert left open
    do_decide_candidacy(
        staff(world.physician),
        patient.screenings.get(),
        candidacy=Candidacy.ELIGIBLE,
        reason="Seen in clinic: no cauda equina.",
        now=timezone.now(),
    )
    inject(world, patient, days_ago=3)
    patient.refresh_from_db()
    refused_emergency(patient)

    view = patient_pages.today(patient_actor(patient), patient, protocol_of(patient), now=timezone.now())

    assert view.emergency is not None
    assert view.emergency.source == "unsent"


def test_before_the_injection_the_screening_emergency_stays_until_the_clinic_closes_it(world: World) -> None:
    patient = with_account(world, enrol(world))
    answered = screen(patient, symptoms={"bowel_control_loss": "moderate"})

    view = patient_pages.today(patient_actor(patient), patient, protocol_of(patient), now=timezone.now())

    assert view.emergency is not None
    assert (view.emergency.source, view.emergency.screening) == ("screening", answered)
    assert not view.show_before_injection


NEW_URGENT_WORDS = "Ring Riverside's nurse line today."


def activate_new_urgent_words(world: World) -> ProtocolVersion:
    """A second version of the clinic's protocol, the same rules with new words for "urgent", activated."""
    data: dict[str, Any] = copy.deepcopy(yaml.safe_load(default_protocol_text()))
    data["version"] = "riverside-2"
    data["dispositions"]["urgent"]["instruction"] = NEW_URGENT_WORDS
    draft = do_save_protocol_draft(
        staff(world.admin), world.clinic, document=yaml.safe_dump(data), now=timezone.now()
    ).version
    review = draft_review(draft)
    assert review.suite is not None
    reasons = {d.source: "Same rules, our words." for d in review.suite.to_accept}
    return do_activate_protocol(staff(world.admin), draft, reasons=reasons, now=timezone.now())


def test_a_result_keeps_the_words_of_the_version_it_was_answered_under(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    before = check_in(patient, days_after=3, temperature_c="38.4")
    draft = activate_new_urgent_words(world)

    first_words = yaml.safe_load(default_protocol_text())["dispositions"]["urgent"]["instruction"]
    old = patient_pages.checkin_result(patient_actor(patient), patient, before, now=timezone.now())
    # Every page that tells of the earlier report tells it in its own version's words.
    actor, protocol = patient_actor(patient), protocol_of(patient)
    today = patient_pages.today(actor, patient, protocol, now=timezone.now())
    assert today.report == before
    assert today.report_result is not None
    assert today.report_result.instruction == first_words
    [day] = patient_pages.history(actor, patient, protocol, now=timezone.now()).days
    assert day.result.instruction == first_words
    nurse = StaffMember.objects.get(user=world.nurse)
    [card] = staff_pages.worklist(staff(world.nurse), nurse, now=timezone.now()).cards
    assert card.result.instruction == first_words
    timeline = staff_pages.timeline(staff(world.nurse), nurse, patient, protocol, now=timezone.now())
    assert [e.result.instruction for e in timeline.events if e.kind == "checkin" and e.result] == [first_words]

    after = check_in(patient, days_after=4, temperature_c="38.4")
    new = patient_pages.checkin_result(patient_actor(patient), patient, after, now=timezone.now())

    assert old.result.instruction == first_words
    assert old.protocol_label.startswith("#1")
    assert new.result.instruction == NEW_URGENT_WORDS
    assert new.protocol_label.startswith(f"#{draft.number}")


def test_the_worklist_holds_only_this_clinics_alerts_and_names_them_in_one_read(world: World) -> None:
    ours = injected_patient(world, days_ago=4)
    theirs = injected_patient(world, days_ago=4, clinic=world.other_clinic)
    check_in(ours, temperature_c="38.4")
    check_in(theirs, temperature_c="38.4")
    nurse = StaffMember.objects.get(user=world.nurse)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    view = staff_pages.worklist(staff(world.nurse), nurse, now=timezone.now())

    assert [card.alert.patient for card in view.cards] == [ours]
    assert view.cards[0].evidence == ["temperature 38.4 °C"]
    [event] = AuditEvent.objects.filter(pk__gt=last)
    assert (event.action, event.patient) == (AuditAction.ALERT_WORKLIST, ours)


def test_the_timeline_names_the_version_each_assessment_was_made_under(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=2)
    nurse = StaffMember.objects.get(user=world.nurse)

    view = staff_pages.timeline(staff(world.nurse), nurse, patient, protocol_of(world.clinic), now=timezone.now())

    kinds = [e.kind for e in view.events]
    assert {"screening", "procedure", "checkin"} <= set(kinds)
    assert {e.protocol_label for e in view.events if e.kind in ("screening", "checkin")} == {
        protocol_of(world.clinic).version.label
    }


def test_an_alert_is_told_in_the_words_of_the_report_that_set_its_severity(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, temperature_c="38.4")  # urgent, under version #1
    first_words = yaml.safe_load(default_protocol_text())["dispositions"]["urgent"]["instruction"]
    activate_new_urgent_words(world)
    nurse = StaffMember.objects.get(user=world.nurse)

    check_in(patient, days_after=4, itching="moderate")  # calmer, under #2: its finding joins the alert

    [card] = staff_pages.worklist(staff(world.nurse), nurse, now=timezone.now()).cards
    assert {f.rule for f in card.alert.findings} >= {"recovery.fever", "recovery.itching"}
    assert card.result.instruction == first_words  # the fever set it, under #1

    check_in(patient, days_after=4, temperature_c="38.6")  # urgent again, under #2: it now sets it

    [card] = staff_pages.worklist(staff(world.nurse), nurse, now=timezone.now()).cards
    assert card.result.instruction == NEW_URGENT_WORDS
