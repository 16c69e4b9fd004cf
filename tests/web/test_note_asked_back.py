"""The patient's own words: what a note reports and the form did not is asked back before anything is
stored, and every note reaches the clinic (on its alert's card, or as a note to read on the worklist)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django.test import Client
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Alert, AlertState, CheckIn, Patient
from tests.personas import World, clinic_today, injected_patient
from tests.web.pages import Element, body, client_for, error_beside, parse

BLADDER = "bladder_control_loss"
BLADDER_QUESTION = "Have you lost control of your bladder since the injection?"


def signed_in_patient(world: World, days_ago: int = 8) -> tuple[Patient, Client]:
    patient = injected_patient(world, days_ago=days_ago)
    return patient, client_for(patient.user)


def form(patient: Patient, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"date": clinic_today(patient.clinic).isoformat(), "pain": "3", "note": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def first(html: bytes, tag: str, **attrs: str) -> Element | None:
    found = parse(html).find_all(tag, **attrs)
    return found[0] if found else None


def questions(html: bytes) -> list[str]:
    return [legend.text() for legend in parse(html).find_all("legend") if legend.text().startswith("You wrote")]


def ask_about_wetting(patient: Patient, client: Client) -> dict[str, Any]:
    """Sends "I wet myself" with every answer at No, checks it is asked back, and returns what was sent."""
    sent = form(patient, note="I wet myself")
    response = client.post("/me/check-in/", sent)
    assert response.status_code == 200
    assert questions(response.content) == [f"You wrote “wet myself”. {BLADDER_QUESTION}"]
    assert not CheckIn.objects.filter(patient=patient).exists()
    return sent


# --- asked back before it is stored -------------------------------------------------------------------


def test_a_red_flag_in_the_note_is_asked_back_and_yes_is_the_emergency(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    response = client.post("/me/check-in/", {**sent, "asked": BLADDER, f"ask__{BLADDER}": "yes"})

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.symptoms, checkin.note_answers) == (
        "emergency",
        {BLADDER: "moderate"},
        {BLADDER: "yes"},
    )
    page = body(client.get(response.headers["Location"]))
    assert "Go to the emergency department now" in page
    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.checkin, alert.unsent, alert.asked_back) == ("emergency", checkin, "", False)


def test_while_the_patient_is_asked_the_clinic_already_has_the_emergency(world: World) -> None:
    # They may close the phone instead of answering: what the note says must not wait for them.
    patient, client = signed_in_patient(world)
    ask_about_wetting(patient, client)

    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.unsent, alert.asked_back, alert.checkin) == ("emergency", "checkin", True, None)
    assert AuditEvent.objects.filter(action="checkin.asked_back", patient=patient).count() == 1
    worklist = body(client_for(world.nurse).get("/clinic/alerts/"))
    assert "they are being asked whether it is so" in worklist
    today = body(client.get("/me/"))
    assert "waiting for your answer to a question about your note" in today


def test_asking_again_does_not_raise_a_second_alert(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    client.post("/me/check-in/", sent)  # shown the question again: say, the page was reloaded

    assert Alert.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.filter(action="checkin.asked_back", patient=patient).count() == 1


def test_no_is_recorded_as_denied_and_withdraws_the_held_emergency(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    response = client.post("/me/check-in/", {**sent, "asked": BLADDER, f"ask__{BLADDER}": "no"})

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.symptoms, checkin.note_answers) == ("self_care", {}, {BLADDER: "no"})
    assert checkin.versions.get().case["checkins"][-1]["denied"] == [BLADDER]
    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.checkin, alert.asked_back, alert.unsent) == (AlertState.RESOLVED, checkin, False, "")
    assert "answered no (losing control of your bladder: no)" in alert.resolution_note
    assert AuditEvent.objects.filter(action="alert.withdraw", patient=patient).count() == 1
    page = body(client.get(response.headers["Location"]))
    assert "you answered no" in page
    assert "reads it by the end of the next working day" in page


def test_sending_without_answering_counts_the_note_as_reported(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    response = client.post("/me/check-in/", {**sent, "asked": BLADDER})

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.note_answers) == ("emergency", {BLADDER: "unanswered"})
    assert any('you wrote "wet myself"' in line for f in checkin.findings for line in f.evidence)
    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.disposition, alert.checkin) == (AlertState.OPEN, "emergency", checkin)


def test_an_answer_that_is_not_yes_or_no_counts_as_unanswered(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    client.post("/me/check-in/", {**sent, "asked": BLADDER, f"ask__{BLADDER}": "nope<script>"})

    assert CheckIn.objects.get(patient=patient).note_answers == {BLADDER: "unanswered"}


def test_a_symptom_the_form_already_reports_is_not_asked(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, note="I wet myself", **{f"symptom__{BLADDER}": "moderate"}))

    assert response.status_code == 302
    assert CheckIn.objects.get(patient=patient).note_answers == {}


def test_a_fever_is_not_asked_when_the_thermometer_already_says_so(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, note="I have a fever", temperature_c="38.6"))

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.note_answers) == ("urgent", {})


def test_a_note_changed_on_the_question_page_is_asked_about_afresh(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    response = client.post(
        "/me/check-in/",
        {**sent, "note": "I wet myself and my legs are numb", "asked": BLADDER, f"ask__{BLADDER}": "no"},
    )

    assert response.status_code == 200
    asked = questions(response.content)
    assert len(asked) == 2
    assert asked[0].startswith("You wrote “wet myself”.")
    assert asked[1].endswith("Does a leg feel numb?")
    page = parse(response.content)
    checked = [e.attrs["value"] for e in page.find_all("input", name=f"ask__{BLADDER}") if "checked" in e.attrs]
    assert checked == ["no"]  # what was answered stays answered
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_the_question_page_keeps_everything_typed(world: World) -> None:
    patient, client = signed_in_patient(world)
    typed = "Sore, and I wet myself this morning.\nAlso: <b>markup</b> & \x07 bell"

    response = client.post(
        "/me/check-in/", form(patient, pain="6", note=typed, temperature_c="37.2", symptom__injection_site_pain="mild")
    )

    page = parse(response.content)
    assert escape(typed) in body(response)  # the note's text, line break and all, in its box
    assert [e.attrs["value"] for e in page.find_all("input", name="pain") if "checked" in e.attrs] == ["6"]
    assert [e.attrs["value"] for e in page.find_all("input", name="temperature_c")] == ["37.2"]
    checked = [
        e.attrs["value"] for e in page.find_all("input", name="symptom__injection_site_pain") if "checked" in e.attrs
    ]
    assert checked == ["mild"]
    assert b"<b>markup</b>" not in response.content


def test_a_note_over_the_limit_comes_back_whole_with_its_count(world: World) -> None:
    patient, client = signed_in_patient(world)
    long = "My back is a bit stiff. " * 100  # 2,400 characters

    response = client.post("/me/check-in/", form(patient, note=long))

    assert response.status_code == 400
    assert f"This is {len(long.strip()):,} characters long; it can hold 2,000." in error_beside(
        response.content, name="note"
    )
    assert escape(long.strip()) in body(response)
    box = first(response.content, "textarea", name="note")
    assert box is not None
    assert "maxlength" not in box.attrs
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_line_breaks_count_once_as_the_counter_counts_them(world: World) -> None:
    patient, client = signed_in_patient(world)
    note = ("x" * 99 + "\r\n") * 20  # 2,000 characters as typed; 2,020 as a browser sends them

    response = client.post("/me/check-in/", form(patient, note=note))

    assert response.status_code == 302
    assert CheckIn.objects.get(patient=patient).note == note.replace("\r\n", "\n").strip()


# --- every note reaches the clinic --------------------------------------------------------------------


def test_a_note_that_raises_no_alert_is_a_note_to_read(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, note="My husband has a fever, hope I don't catch it."))

    assert response.status_code == 302  # nothing to ask: the fever is his
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.disposition == "self_care"
    assert not Alert.objects.filter(patient=patient).exists()
    result = body(client.get(response.headers["Location"]))
    assert "a member of the care team reads it by the end of the next working day" in result
    nurse = client_for(world.nurse)
    item = first(nurse.get("/clinic/alerts/").content, "li", id_=f"note-{checkin.uuid}")
    assert item is not None
    assert "My husband has a fever, hope I don't catch it." in item.text()

    marked = nurse.post(f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "1"})

    assert marked.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.note_read_by, checkin.note_read_at is not None) == (world.nurse, True)
    assert AuditEvent.objects.filter(action="checkin.note_read", actor=world.nurse, patient=patient).count() == 1
    assert first(nurse.get("/clinic/alerts/").content, "li", id_=f"note-{checkin.uuid}") is None


def test_marking_read_a_note_sent_again_since_is_refused(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="Feeling stiff"))
    client.post("/me/check-in/", form(patient, note="Feeling stiff, and a headache"))
    checkin = CheckIn.objects.get(patient=patient)

    response = client_for(world.nurse).post(
        f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "1"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert "sent this check-in again since you opened it" in body(response)
    checkin.refresh_from_db()
    assert checkin.note_read_at is None


def test_amending_the_day_with_other_words_makes_the_note_unread_again(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="Feeling stiff"))
    checkin = CheckIn.objects.get(patient=patient)
    client_for(world.nurse).post(f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "1"})

    client.post("/me/check-in/", form(patient, pain="4", note="Feeling stiff"))  # the same words
    assert CheckIn.objects.get(pk=checkin.pk).note_read_at is not None
    client.post("/me/check-in/", form(patient, note="Stiffer tonight"))

    amended = CheckIn.objects.get(pk=checkin.pk)
    assert (amended.note_read_at, amended.note_read_by) == (None, None)


def test_a_note_behind_an_alert_is_quoted_on_its_card_and_read_with_it(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, temperature_c="38.6", note="Feeling rough since lunch"))
    checkin = CheckIn.objects.get(patient=patient)
    alert = Alert.objects.get(patient=patient)
    nurse = client_for(world.nurse)

    page = nurse.get("/clinic/alerts/").content

    card = first(page, "li", id_=f"alert-{alert.uuid}")
    assert card is not None
    assert "Feeling rough since lunch" in card.text()
    assert first(page, "li", id_=f"note-{checkin.uuid}") is None  # shown once, on the card
    sent = {e.attrs["name"]: e.attrs["value"] for e in card.find_all("input") if e.attrs.get("type") == "hidden"}
    nurse.post(f"/clinic/alerts/{alert.uuid}/acknowledge/", sent)  # as the card's form sends it
    checkin.refresh_from_db()
    assert sent["note_revision"] == "1"
    assert checkin.note_read_by == world.nurse


def test_a_note_of_markup_is_shown_as_text(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note='<img src=x onerror="alert(1)"><script>alert(2)</script>'))

    page = client_for(world.nurse).get("/clinic/alerts/").content

    assert b"<script>alert(2)" not in page
    assert b"<img src=x" not in page
    assert b"&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_staff_of_another_clinic_cannot_mark_a_note_read(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="Feeling stiff"))
    checkin = CheckIn.objects.get(patient=patient)

    response = client_for(world.other_nurse).post(f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "1"})

    assert response.status_code == 404
    checkin.refresh_from_db()
    assert checkin.note_read_at is None


def test_a_mangled_mark_read_form_is_refused_without_a_5xx(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="Feeling stiff"))
    checkin = CheckIn.objects.get(patient=patient)

    for sent in ({}, {"revision": "x"}, {"revision": "99999999"}):
        response = client_for(world.nurse).post(f"/clinic/checkins/{checkin.uuid}/note-read/", sent)
        assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.note_read_at is None


def test_the_timeline_shows_the_note_what_was_answered_and_who_read_it(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)
    client.post("/me/check-in/", {**sent, "asked": BLADDER, f"ask__{BLADDER}": "no"})
    checkin = CheckIn.objects.get(patient=patient)
    nurse = client_for(world.nurse)

    before = body(nurse.get(f"/clinic/patients/{patient.uuid}/"))
    nurse.post(f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "1"})
    after = body(nurse.get(f"/clinic/patients/{patient.uuid}/"))

    assert "Asked about their note: losing control of your bladder: no." in before
    assert "Note not yet marked read" in before
    assert f"Note read by {world.nurse.get_full_name()}" in after


def test_a_note_of_control_characters_is_stored_as_text(world: World) -> None:
    patient, client = signed_in_patient(world)
    note = "\x01\x02\x1b[31m\x7f"

    response = client.post("/me/check-in/", form(patient, note=note))

    assert response.status_code == 302
    assert CheckIn.objects.get(patient=patient).note == note
    assert client_for(world.nurse).get("/clinic/alerts/").status_code == 200


def test_a_note_with_a_nul_is_refused_beside_the_field(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, note="sore\x00 here"))

    assert response.status_code == 400
    assert "Null characters are not allowed" in error_beside(response.content, name="note")
    assert not CheckIn.objects.filter(patient=patient).exists()


# --- what a held alert becomes (review) ----------------------------------------------------------------


def test_words_deleted_on_the_question_page_do_not_withdraw_the_held_emergency(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    client.post("/me/check-in/", {**sent, "note": "", "asked": BLADDER})  # no "no": the words were just deleted

    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.disposition, alert.asked_back) == (AlertState.OPEN, "emergency", False)
    assert alert.checkin == CheckIn.objects.get(patient=patient)
    assert "not answered" in alert.reopened_note


def test_another_days_calm_check_in_neither_withdraws_nor_explains_a_held_emergency(world: World) -> None:
    patient, client = signed_in_patient(world)
    ask_about_wetting(patient, client)  # and the phone is put down
    yesterday = clinic_today(patient.clinic) - dt.timedelta(days=1)

    client.post("/me/check-in/", form(patient, date=yesterday.isoformat()))  # a calm report, no note

    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.asked_back, alert.unsent, alert.checkin) == (AlertState.OPEN, True, "checkin", None)


def test_an_alert_a_nurse_has_taken_on_is_left_to_the_nurse(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)
    alert = Alert.objects.get(patient=patient)
    client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"seen": alert.updated_at.isoformat()})

    client.post("/me/check-in/", {**sent, "asked": BLADDER, f"ask__{BLADDER}": "no"})

    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, world.nurse)


def test_answers_that_already_need_the_clinic_are_not_held_behind_a_question(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, note="a bit feverish", **{f"symptom__{BLADDER}": "moderate"}))

    assert response.status_code == 302  # told at once: the emergency comes from the form itself
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.note_answers) == ("emergency", {})
    assert any("you wrote" in line for f in checkin.findings for line in f.evidence)


def test_a_held_report_that_reads_as_urgent_is_told_to_the_clinic_at_once(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=4)
    sent = form(patient, note="Temperature 38.6 this evening")

    response = client.post("/me/check-in/", sent)

    assert response.status_code == 200  # asked whether they feel feverish
    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.asked_back, alert.asked_about) == ("urgent", True, ["fever"])


def test_acknowledging_marks_read_only_the_words_the_card_showed(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, temperature_c="38.6", note="Feeling rough"))
    alert = Alert.objects.get(patient=patient)
    shown = CheckIn.objects.get(patient=patient).revision
    client.post("/me/check-in/", form(patient, temperature_c="38.6", note="Feeling rough, and now a headache"))

    client_for(world.nurse).post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/",
        {"seen": Alert.objects.get(pk=alert.pk).updated_at.isoformat(), "note_revision": str(shown)},
    )

    assert CheckIn.objects.get(patient=patient).note_read_at is None


def test_words_amended_away_before_anyone_read_them_are_still_to_read(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="I am struggling to cope at home"))
    client.post("/me/check-in/", form(patient, note=""))
    checkin = CheckIn.objects.get(patient=patient)
    nurse = client_for(world.nurse)

    item = first(nurse.get("/clinic/alerts/").content, "li", id_=f"note-{checkin.uuid}")

    assert item is not None
    assert "I am struggling to cope at home" in item.text()
    nurse.post(f"/clinic/checkins/{checkin.uuid}/note-read/", {"revision": "2"})
    assert first(nurse.get("/clinic/alerts/").content, "li", id_=f"note-{checkin.uuid}") is None


def test_a_red_flag_at_the_end_of_a_note_too_long_to_keep_is_still_read(world: World) -> None:
    patient, client = signed_in_patient(world)
    note = "My back has been stiff and sore in the mornings. " * 45 + "This morning I wet myself."

    response = client.post("/me/check-in/", form(patient, note=note))

    assert response.status_code == 400
    assert Alert.objects.get(patient=patient).disposition == "emergency"


def test_a_new_note_to_read_is_announced_on_an_open_worklist(world: World) -> None:
    patient, client = signed_in_patient(world)
    since = timezone.now()
    client.post("/me/check-in/", form(patient, note="Feeling stiff"))

    changes = client_for(world.nurse).get("/clinic/alerts/changes/", {"since": since.isoformat()})

    assert "1 new note to read" in body(changes)


def test_a_yes_already_given_is_not_held_behind_a_new_question(world: World) -> None:
    patient, client = signed_in_patient(world)
    sent = ask_about_wetting(patient, client)

    response = client.post(
        "/me/check-in/",
        {**sent, "note": "I wet myself. Also a rash", "asked": BLADDER, f"ask__{BLADDER}": "yes"},
    )

    assert response.status_code == 302  # the emergency is told now, not after a question about the rash
    assert CheckIn.objects.get(patient=patient).disposition == "emergency"


def test_a_red_flag_in_the_middle_of_a_very_long_note_is_read(world: World) -> None:
    patient, client = signed_in_patient(world)
    filler = "My back has been stiff and sore in the mornings. "
    note = filler * 180 + "This morning I wet myself. " + filler * 60

    response = client.post("/me/check-in/", form(patient, note=note))

    assert response.status_code == 400
    assert Alert.objects.get(patient=patient).disposition == "emergency"


def test_the_card_shows_words_amended_away_and_taking_it_on_reads_them(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, note="Please call me, I am frightened"))
    client.post("/me/check-in/", form(patient, temperature_c="38.6", note="Feeling rough"))
    alert = Alert.objects.get(patient=patient)
    nurse = client_for(world.nurse)

    card = first(nurse.get("/clinic/alerts/").content, "li", id_=f"alert-{alert.uuid}")

    assert card is not None
    assert "Please call me, I am frightened" in card.text()
    sent = {e.attrs["name"]: e.attrs["value"] for e in card.find_all("input") if e.attrs.get("type") == "hidden"}
    nurse.post(f"/clinic/alerts/{alert.uuid}/acknowledge/", sent)
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.note_unread, checkin.note_read_by) == (False, world.nurse)
