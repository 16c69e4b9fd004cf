"""The patient's own words in a real Chromium: a red flag in the note is asked back and becomes the
emergency; a note about someone else is expected, and reaches the nurse as a note to read. With and
without JavaScript, at phone size (and the narrowest phone and a desktop, for the pages to be looked at)."""

from __future__ import annotations

from typing import Any

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Alert, CheckIn, Patient
from tests.browser.pages import Visit, choose_pain
from tests.personas import World, injected_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLOWS = [("phone", True), ("phone", False), ("narrow", True), ("desktop", True)]


def _visit(visits: list[Visit], browser: Any, live_server: Any, size: str, javascript: bool) -> Visit:
    visit = Visit(browser, live_server, size, javascript=javascript)
    visits.append(visit)
    return visit


def _signed_in_patient(
    visits: list[Visit], browser: Any, live_server: Any, world: World, size: str, javascript: bool
) -> tuple[Patient, Visit]:
    """A patient on day 8 after the injection, signed in on a phone or a desktop."""
    patient = injected_patient(world, days_ago=8)
    visit = _visit(visits, browser, live_server, size, javascript)
    visit.sign_in(patient.email)
    return patient, visit


def _name(base: str, javascript: bool) -> str:
    return base if javascript else f"{base}-nojs"


def _write_note(visit: Visit, note: str) -> None:
    page = visit.page
    visit.go("/me/check-in/")
    choose_pain(page, 3)
    page.get_by_label("Anything else you want the clinic to know?").fill(note)
    page.get_by_role("button", name="Send my check-in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("size", "javascript"), FLOWS)
def test_wet_myself_is_asked_back_and_yes_is_the_emergency_on_the_nurses_worklist(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str, javascript: bool
) -> None:
    patient, visit = _signed_in_patient(visits, browser, live_server, live_world, size, javascript)
    page = visit.page

    _write_note(visit, "I wet myself")

    questions = page.get_by_role("region", name="Before we send it: one question about your note")
    question = questions.get_by_role("group", name="You wrote “wet myself”.", exact=False)
    assert "Have you lost control of your bladder since the injection?" in question.inner_text()
    assert page.get_by_label("Anything else you want the clinic to know?").input_value() == "I wet myself"
    assert not CheckIn.objects.filter(patient=patient).exists()
    if javascript:  # the page opens at the question
        assert page.evaluate("document.activeElement.id") == "note-questions-title"
    visit.look(_name("check-in-asked-back", javascript))
    question.get_by_role("radio", name="Yes").check()
    questions.get_by_role("button", name="Send my check-in").click()  # beside the question: no scrolling down

    page.wait_for_url("**/me/check-ins/*/")
    assert "Go to the emergency department now" in page.get_by_role("main").inner_text()
    visit.look(_name("emergency-from-note", javascript))
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.disposition, checkin.note_answers) == ("emergency", {"bladder_control_loss": "yes"})

    nurse = _visit(visits, browser, live_server, size, javascript)
    nurse.sign_in("nurse@riverside.test")
    card = nurse.page.locator(f"#alert-{Alert.objects.get(patient=patient).uuid}")
    text = card.inner_text()
    assert "Emergency" in text
    assert 'you wrote "wet myself"' in text
    assert "I wet myself" in card.locator(".patient-words").inner_text()
    nurse.look(_name("worklist-note-emergency", javascript))


@pytest.mark.parametrize(("size", "javascript"), FLOWS)
def test_a_note_about_someone_else_is_expected_and_a_note_to_read(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str, javascript: bool
) -> None:
    patient, visit = _signed_in_patient(visits, browser, live_server, live_world, size, javascript)
    page = visit.page

    _write_note(visit, "my husband has a fever")

    page.wait_for_url("**/me/check-ins/*/")  # no question: the fever is his
    main = page.get_by_role("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "This is expected"
    assert "a member of the care team reads it by the end of the next working day" in main
    visit.look(_name("result-note-expected", javascript))

    nurse = _visit(visits, browser, live_server, size, javascript)
    nurse.sign_in("nurse@riverside.test")
    checkin = CheckIn.objects.get(patient=patient)
    item = nurse.page.locator(f"#note-{checkin.uuid}")
    assert "my husband has a fever" in item.inner_text()
    assert nurse.page.locator("#notes-to-read-count").inner_text() == "1"
    nurse.look(_name("worklist-note-to-read", javascript))
    item.get_by_role("button", name="Mark as read").click()

    if javascript:  # the item is swapped in place
        nurse.page.locator(f"#note-{checkin.uuid}").get_by_text("Read by", exact=False).wait_for()
    else:  # the worklist again, saying so, without the note
        nurse.page.get_by_text(f"Note from {patient.full_name} marked read.").wait_for()
        assert nurse.page.locator(f"#note-{checkin.uuid}").count() == 0
    checkin.refresh_from_db()
    assert checkin.note_read_at is not None
    assert AuditEvent.objects.filter(action="checkin.note_read", patient=patient).count() == 1


@pytest.mark.parametrize("javascript", [True, False])
def test_a_note_over_the_limit_is_counted_and_comes_back_whole(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], javascript: bool
) -> None:
    patient, visit = _signed_in_patient(visits, browser, live_server, live_world, "phone", javascript)
    page = visit.page
    long = "My back is stiff in the mornings. " * 70  # 2,380 characters

    visit.go("/me/check-in/")
    choose_pain(page, 3)
    box = page.get_by_label("Anything else you want the clinic to know?")
    box.fill(long)
    if javascript:
        counter = page.locator("#id_note_count")
        used = len(long.strip())  # as the server counts: spaces at either end do not count
        assert counter.inner_text().startswith(f"{used:,} of 2,000 characters: {used - 2000} too many")
    page.get_by_role("button", name="Send my check-in").click()
    page.wait_for_load_state()

    assert page.get_by_label("Anything else you want the clinic to know?").input_value() == long  # all of it
    said = page.locator(".field--error").inner_text()
    assert f"This is {len(long.strip()):,} characters long; it can hold 2,000." in said
    assert not CheckIn.objects.filter(patient=patient).exists()
    visit.look(_name("check-in-note-too-long", javascript))
