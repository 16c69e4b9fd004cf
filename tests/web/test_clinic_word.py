"""The clinic's word reaches the patient: what staff write on taking an alert on or closing it is shown on the
patient's Today with who and when, and an emergency the clinic has closed gives the day's guidance back. An
emergency not yet closed stays in view as before."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.models import Alert, AlertState, ClinicMessage, Patient
from tests.personas import World, check_in, enrol, injected_patient, now, staff, with_account
from tests.web.pages import body, client_for, parse

GO_NOW = "Go to the emergency department now"
GUIDANCE = "What you can do"


def emergency_reported(world: World) -> tuple[Patient, Alert]:
    patient = injected_patient(world, days_ago=3)
    checkin = check_in(patient, saddle_numbness="moderate")
    [alert] = checkin.alerts.all()
    assert alert.disposition == "emergency"
    return patient, alert


def today(patient: Patient) -> str:
    return body(client_for(patient.user).get("/me/"))


def test_an_emergency_resolved_with_a_message_shows_the_message_and_gives_the_guidance_back(world: World) -> None:
    patient, alert = emergency_reported(world)
    assert GO_NOW in today(patient)
    assert GUIDANCE not in today(patient)

    do_resolve_alert(
        staff(world.nurse),
        alert,
        note="Tapped the wrong answer, spoke to her.",
        message="We spoke on the phone: you tapped the wrong answer. Carry on as planned.",
        now=now(),
    )

    html = today(patient)
    assert GO_NOW not in html
    assert GUIDANCE in html
    words = [e.text() for e in parse(html).find_all("section") if "clinic-word" in e.classes]
    assert any("you tapped the wrong answer" in w for w in words), words
    assert any(world.nurse.get_full_name() in w for w in words), words
    assert "Tapped the wrong answer, spoke to her" not in html  # the clinic's own note stays with the clinic


def test_an_emergency_resolved_without_a_message_says_who_closed_it(world: World) -> None:
    patient, alert = emergency_reported(world)

    do_resolve_alert(staff(world.nurse), alert, note="Seen in the emergency department; fine.", now=now())

    html = today(patient)
    assert GO_NOW not in html
    assert GUIDANCE in html
    assert f"{world.nurse.get_full_name()} closed it" in html


def test_an_acknowledged_emergency_stays_in_view_with_the_message_beside_it(world: World) -> None:
    patient, alert = emergency_reported(world)

    do_acknowledge_alert(staff(world.nurse), alert, message="We are calling you now.", now=now())

    html = today(patient)
    assert GO_NOW in html
    assert GUIDANCE not in html
    assert "We are calling you now." in html


def test_a_new_emergency_after_the_clinic_closed_the_last_one_fills_today_again(world: World) -> None:
    patient, alert = emergency_reported(world)
    do_resolve_alert(staff(world.nurse), alert, note="Spoke to her.", message="All is well.", now=now())
    assert GO_NOW not in today(patient)

    check_in(patient, saddle_numbness="moderate", bladder_control_loss="moderate")

    html = today(patient)
    assert GO_NOW in html
    assert GUIDANCE not in html


def test_a_calmer_report_after_the_clinic_closed_an_emergency_does_not_bring_the_emergency_back(world: World) -> None:
    patient, alert = emergency_reported(world)
    do_resolve_alert(staff(world.nurse), alert, note="Spoke to her.", now=now())

    check_in(patient, pain=6, temperature_c="38.4")  # urgent: a new alert, about the same day

    html = today(patient)
    assert GO_NOW not in html
    assert GUIDANCE in html


def test_the_emergency_screen_of_a_closed_report_says_the_clinic_dealt_with_it(world: World) -> None:
    patient, alert = emergency_reported(world)
    do_resolve_alert(staff(world.nurse), alert, note="Spoke to her.", message="No need to go in.", now=now())
    assert alert.checkin is not None

    html = body(client_for(patient.user).get(f"/me/check-ins/{alert.checkin.uuid}/"))

    assert "has dealt with this report" in html
    assert "No need to go in." in html


def test_messages_older_than_a_week_leave_today(world: World) -> None:
    patient, alert = emergency_reported(world)
    do_resolve_alert(
        staff(world.nurse), alert, note="Spoke to her.", message="Old news.", now=now() - dt.timedelta(days=8)
    )

    assert "Old news." not in today(patient)


def test_the_resolve_form_keeps_the_message_and_the_card_and_timeline_show_it(world: World) -> None:
    patient, alert = emergency_reported(world)
    nurse = client_for(world.nurse)
    nurse.post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "Calling her back at 3."})

    response = nurse.post(
        f"/clinic/alerts/{alert.uuid}/resolve/", {"note": "Spoke to her.", "message": "Carry on as planned."}
    )

    assert response.status_code == 302
    [message] = ClinicMessage.objects.filter(patient=patient)
    assert (message.text, message.written_by, message.resolves) == ("Carry on as planned.", world.nurse, True)
    event = AuditEvent.objects.get(action=AuditAction.ALERT_RESOLVE, object_uuid=alert.uuid)
    assert event.detail["message"] == str(message.uuid)
    timeline = body(nurse.get(f"/clinic/patients/{patient.uuid}/"))
    assert "Calling her back at 3." in timeline  # the acknowledge note is shown, not only stored
    assert "Carry on as planned." in timeline


def test_the_acknowledge_note_shows_on_the_card(world: World) -> None:
    _, alert = emergency_reported(world)
    nurse = client_for(world.nurse)

    nurse.post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "Calling her back at 3."})

    cards = [e.text() for e in parse(body(nurse.get(reverse("worklist")))).find_all("li") if "alert-card" in e.classes]
    assert any("Calling her back at 3." in card for card in cards), cards


def test_a_message_over_the_limit_is_refused_by_name_and_nothing_is_stored(world: World) -> None:
    patient, alert = emergency_reported(world)

    response = client_for(world.nurse).post(
        f"/clinic/alerts/{alert.uuid}/resolve/", {"note": "Spoke to her.", "message": "x" * 1001}
    )

    assert response.status_code == 400
    assert "1,001" in body(response) or "1001" in body(response)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert not ClinicMessage.objects.filter(patient=patient).exists()


# --- data entered is kept (item 7) ----------------------------------------------------------------------


def test_the_diagnosis_entered_at_enrolment_is_ticked_on_the_first_screening_and_kept_in_the_baseline(
    world: World,
) -> None:
    patient = with_account(world, enrol(world, conditions=["spinal_stenosis"]))
    client = client_for(patient.user)

    page = parse(body(client.get("/me/screening/")))

    ticked = [e.attrs["value"] for e in page.find_all("input", name="conditions") if "checked" in e.attrs]
    assert ticked == ["spinal_stenosis"]
    form = {e.attrs["name"]: e.attrs["value"] for e in page.find_all("input") if "checked" in e.attrs}
    response = client.post("/me/screening/", {**form, "pain": "6", "pain_trend": "stable"})
    assert response.status_code == 302, body(response)
    patient.refresh_from_db()
    assert (patient.baseline_pain, patient.conditions) == (6, ["spinal_stenosis"])
    timeline = body(client_for(world.nurse).get(f"/clinic/patients/{patient.uuid}/"))
    assert "spinal stenosis" in timeline.lower()


def test_a_fever_reported_after_the_clinic_closed_an_emergency_is_summed_up_on_today(world: World) -> None:
    """Closed, the emergency leaves Today; a report sent since must not leave with it."""
    patient, alert = emergency_reported(world)
    do_resolve_alert(staff(world.nurse), alert, note="Spoke to her.", now=now())

    check_in(patient, pain=5, temperature_c="38.6")  # the same day, amended: urgent

    page = parse(today(patient))
    summaries = [e.text() for e in page.find_all("section") if "result-summary" in e.classes]
    assert len(summaries) == 1
    assert "call the clinic today" in summaries[0].lower()
    assert any(e.attrs.get("href", "").startswith("tel:") and "Call" in e.text() for e in page.find_all("a"))
