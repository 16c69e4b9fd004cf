"""The flows the clinic and its patients depend on, in a real Chromium on a live server."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from prpath.clinic.actions.access_links import do_invite_patient
from prpath.clinic.models import Alert, AlertState, CheckIn
from tests.browser.pages import SIZES, Visit, anything_new, choose_pain
from tests.personas import PASSWORD, World, check_in, enrol, injected_patient, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_visit(visits: list[Visit], browser: Any, live_server: Any, size: str, **options: Any) -> Visit:
    visit = Visit(browser, live_server, size, **options)
    visits.append(visit)
    return visit


@pytest.mark.parametrize("size", SIZES)
def test_a_patient_accepts_the_invitation_answers_screening_and_sees_their_guidance(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    patient = enrol(live_world, given_name="Amira")
    _, token = do_invite_patient(staff(live_world.nurse), patient, now=timezone.now())
    visit = open_visit(visits, browser, live_server, size)
    page = visit.page

    visit.go(f"/join/{token}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Amira"
    visit.look("invitation")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url("**/me/screening/")
    visit.look("screening")
    page.get_by_label("Degenerative disc disease").check()
    page.get_by_role("group", name="How bad is your back pain on a usual day?").get_by_role("radio", name="6").check()
    page.get_by_label("About the same").check()
    page.get_by_label("Taking anti-inflammatory painkillers (NSAIDs) such as ibuprofen or naproxen").check()
    page.get_by_role("button", name="Send my answers").click()

    page.wait_for_url("**/me/screening/*/")
    assert "your answers are with the clinic" in page.get_by_role("heading", level=1).inner_text()
    visit.look("screening-result")
    page.get_by_role("link", name="Back to today").click()
    page.wait_for_url("**/me/")
    guidance = page.get_by_role("region", name="Until your injection").inner_text()
    assert "7 days before" in guidance  # the NSAID pause, from the protocol's rule
    visit.look("today-before-injection")
    patient.refresh_from_db()
    assert patient.baseline_pain == 6
    assert patient.history == ["nsaid_use"]


@pytest.mark.parametrize("size", SIZES)
def test_a_fever_on_day_four_is_urgent_for_the_patient_and_tops_the_nurses_worklist(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    # An older, milder alert from another patient: the fever must still come first.
    earlier = injected_patient(live_world, days_ago=2)
    check_in(earlier, itching="mild")
    patient = injected_patient(live_world, days_ago=4)
    assert patient.has_joined

    visit = open_visit(visits, browser, live_server, size)
    page = visit.page
    visit.sign_in(patient.email)
    assert "Day 4 after your injection" in page.get_by_role("main").inner_text()
    visit.look("today-day-4")
    page.get_by_role("link", name="Check in now").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Daily check-in: day 4"
    visit.look("check-in")
    choose_pain(page, 5)
    anything_new(page, "Yes")
    page.get_by_label("Temperature (if you took it)").fill("38.4")
    page.get_by_role("button", name="Send my check-in").click()

    page.wait_for_url("**/me/check-ins/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Call the clinic today"
    reasons = page.get_by_role("region", name="Why").inner_text()
    assert "Temperature 38.4 °C on day 4 after the injection" in reasons
    assert page.get_by_role("link", name="Call Riverside Spine: +44 20 7946 0000").is_visible()
    visit.look("result-urgent")

    nurse = open_visit(visits, browser, live_server, size)
    nurse.sign_in("nurse@riverside.test")
    cards = nurse.page.locator(".worklist > li")
    assert cards.count() == 2
    first = cards.first
    assert patient.full_name in first.inner_text()
    assert "Fever" in first.inner_text()
    nurse.look("worklist")

    first.get_by_role("button", name="Acknowledge").click()
    nurse.page.locator(".worklist > li").first.get_by_text("Acknowledged", exact=True).wait_for()
    alert = Alert.objects.get(patient=patient)
    assert alert.state == AlertState.ACKNOWLEDGED
    first = nurse.page.locator(".worklist > li").first
    first.get_by_role("button", name="Resolve").click()  # no note yet: the row comes back with the message
    nurse.page.locator(".worklist > li").first.get_by_text("Note is required").wait_for()
    assert Alert.objects.get(patient=patient).state == AlertState.ACKNOWLEDGED
    first = nurse.page.locator(".worklist > li").first
    first.get_by_label("Note").fill("Phoned: seen in clinic today, bloods taken.")
    first.get_by_role("button", name="Resolve").click()
    nurse.page.get_by_text("Resolved by Nurse Riverside: Phoned: seen in clinic today, bloods taken.").wait_for()
    assert nurse.page.locator("#worklist-count").inner_text() == "1 to work"  # updated with the card
    nurse.look("worklist-after-resolve")
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by, alert.resolution_note) == (
        AlertState.RESOLVED,
        live_world.nurse,
        "Phoned: seen in clinic today, bloods taken.",
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_patient_reporting_loss_of_bladder_control_sees_the_emergency_instruction(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    patient = injected_patient(live_world, days_ago=6)
    assert patient.has_joined
    visit = open_visit(visits, browser, live_server, size)
    page = visit.page
    visit.sign_in(patient.email)
    visit.go("/me/check-in/")
    choose_pain(page, 7)
    anything_new(page, "Yes")
    page.get_by_role("group", name="Losing control of your bladder").get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send my check-in").click()

    page.wait_for_url("**/me/check-ins/*/")
    emergency = page.get_by_role("alert")
    assert emergency.get_by_role("heading", level=1).inner_text() == "Go to the emergency department now"
    assert emergency.get_by_role("link", name="Call 999").get_attribute("href") == "tel:999"
    # The instruction fills the screen: red, and most of the viewport's height before any scrolling.
    box = emergency.bounding_box()
    assert box is not None
    assert box["height"] >= 0.6 * SIZES[size][1]
    assert page.eval_on_selector(".emergency", "el => getComputedStyle(el).backgroundColor") == "rgb(176, 0, 32)"
    visit.look("result-emergency")
    assert Alert.objects.get(patient=patient).disposition == "emergency"


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_check_in_still_shows_an_emergency_first_and_a_comma_temperature_is_read(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    patient = injected_patient(live_world, days_ago=4)
    assert patient.has_joined
    visit = open_visit(visits, browser, live_server, size)
    page = visit.page
    visit.sign_in(patient.email)
    visit.go("/me/check-in/")
    choose_pain(page, 6)
    anything_new(page, "Yes")
    page.get_by_label("Temperature (if you took it)").fill("83.4")  # a slip of the fingers
    page.get_by_role("group", name="Losing control of your bladder").get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send my check-in").click()
    page.wait_for_load_state()

    # The form is back to fix, and nothing was stored; but the emergency comes first, on screen at once.
    emergency = page.locator(".emergency[role=alert]")
    assert "Go to the emergency department now" in emergency.inner_text()
    box = emergency.bounding_box()
    assert box is not None
    assert box["y"] < SIZES[size][1] / 4
    assert emergency.get_by_role("link", name="Call 999").is_visible()
    assert "83.4 is not a body temperature" in page.locator(".field--error").inner_text()
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert "Riverside Spine has been told that you were asked to go" in emergency.inner_text()
    visit.look("check-in-refused-emergency")
    nurse = open_visit(visits, browser, live_server, size)
    nurse.sign_in("nurse@riverside.test")
    first = nurse.page.locator(".worklist > li").first
    assert patient.full_name in first.inner_text()
    assert "Not stored: the patient's latest check-in was refused" in first.inner_text()
    nurse.look("worklist-unsent-emergency")
    visit.go("/me/")  # the patient comes back to their page rather than to the form
    assert "Send your check-in again" in page.get_by_role("alert").inner_text()
    visit.look("today-unsent-emergency")
    visit.go("/me/check-in/")

    # Written with a comma, as many phones and thermometers write it: read, not dropped by the browser.
    choose_pain(page, 6)
    anything_new(page, "Yes")
    page.get_by_role("group", name="Losing control of your bladder").get_by_role("radio", name="No").check()
    page.get_by_label("Temperature (if you took it)").fill("38,4")
    page.get_by_role("button", name="Send my check-in").click()
    page.wait_for_url("**/me/check-ins/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Call the clinic today"
    assert "Temperature 38.4 °C on day 4" in page.get_by_role("region", name="Why").inner_text()


def test_a_nurse_whose_session_ended_is_taken_to_sign_in_not_shown_it_in_a_card(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    patient = injected_patient(live_world, days_ago=4)
    check_in(patient, temperature_c="38.4")
    nurse = open_visit(visits, browser, live_server, "desktop")
    nurse.sign_in("nurse@riverside.test")
    nurse.context.clear_cookies(name="sessionid")  # the session ends while the worklist is on screen

    nurse.page.locator(".worklist > li").first.get_by_role("button", name="Acknowledge").click()

    nurse.page.wait_for_url("**/accounts/login/?*")
    assert "was not received" in nurse.page.get_by_role("alert").first.inner_text()
    assert Alert.objects.get(patient=patient).state == AlertState.OPEN
    nurse.look("signed-out-worklist")
    nurse.page.get_by_label("Email").fill("nurse@riverside.test")
    nurse.page.get_by_label("Password").fill(PASSWORD)
    nurse.page.get_by_role("button", name="Sign in").click()
    nurse.page.wait_for_url("**/clinic/alerts/")
    assert patient.full_name in nurse.page.locator(".worklist > li").first.inner_text()


def test_the_check_in_and_acknowledge_work_with_javascript_off(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    patient = injected_patient(live_world, days_ago=3)
    assert patient.has_joined
    visit = open_visit(visits, browser, live_server, "phone", javascript=False)
    visit.sign_in(patient.email)
    visit.go("/me/check-in/")
    choose_pain(visit.page, 6)
    anything_new(visit.page, "Yes")  # the groups open on "Yes" by CSS alone: no script needed
    visit.page.get_by_label("Temperature (if you took it)").fill("38.2")
    visit.page.get_by_role("button", name="Send my check-in").click()
    visit.page.wait_for_url("**/me/check-ins/*/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Call the clinic today"
    visit.look("result-no-javascript")

    nurse = open_visit(visits, browser, live_server, "desktop", javascript=False)
    nurse.sign_in("nurse@riverside.test")
    card = nurse.page.locator(".worklist > li").first
    card.get_by_role("button", name="Acknowledge").click()
    nurse.page.wait_for_load_state()
    assert "acknowledged" in nurse.page.get_by_role("status").first.inner_text()
    assert Alert.objects.get(patient=patient).state == AlertState.ACKNOWLEDGED
    card = nurse.page.locator(".worklist > li").first
    card.get_by_role("button", name="Resolve").click()  # no note: refused, with the message beside the field
    nurse.page.wait_for_load_state()
    assert "Note is required" in nurse.page.locator(".worklist > li").first.inner_text()
    assert Alert.objects.get(patient=patient).state == AlertState.ACKNOWLEDGED
    nurse.look("worklist-problem-no-javascript")


def test_a_patient_checks_in_with_the_keyboard_only(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    patient = injected_patient(live_world, days_ago=2)
    assert patient.has_joined
    visit = open_visit(visits, browser, live_server, "phone")
    visit.sign_in(patient.email)
    visit.go("/me/check-in/")
    keys = visit.page.keyboard

    def focused(attribute: str) -> Any:
        return visit.page.evaluate(f"document.activeElement.{attribute}")

    # Tab from the top of the page until the pain buttons have focus, as a keyboard user would.
    for _ in range(20):
        keys.press("Tab")
        if focused("name") == "pain":
            break
    assert focused("name") == "pain"
    keys.press("Space")  # 0: none is chosen in advance
    for _ in range(3):
        keys.press("ArrowRight")  # 3
    keys.press("Tab")
    assert focused("name") == "anything_new"
    keys.press("ArrowRight")  # "Yes": the groups open
    keys.press("Tab")
    keys.type("37.1")
    keys.press("Tab")  # into the first symptom's choices: "No" is selected; arrow to "Mild"
    keys.press("ArrowRight")
    # Every question is passed on the way to the one send button: none can be skipped by an early exit.
    for _ in range(80):
        keys.press("Tab")
        if focused("type") == "submit":
            break
    assert visit.page.evaluate("document.activeElement.textContent.trim()") == "Send my check-in"
    keys.press("Enter")
    visit.page.wait_for_url("**/me/check-ins/*/")
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.pain == 3
    assert str(checkin.temperature_c) == "37.1"
    assert checkin.symptoms == {"injection_site_pain": "mild"}


def test_a_nurse_acknowledges_and_resolves_with_the_keyboard_only(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    patient = injected_patient(live_world, days_ago=4)
    check_in(patient, temperature_c="38.5")
    nurse = open_visit(visits, browser, live_server, "desktop")
    nurse.sign_in("nurse@riverside.test")
    page, keys = nurse.page, nurse.page.keyboard

    def tab_to(predicate: str) -> None:
        for _ in range(40):
            keys.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
                return
        raise AssertionError(f"Tab never reached an element where {predicate}")

    tab_to("el.textContent.trim() === 'Acknowledge'")
    keys.press("Enter")
    page.locator(".worklist > li").first.get_by_text("Acknowledged", exact=True).wait_for()
    tab_to("el.tagName === 'TEXTAREA'")
    keys.type("Called back; advised urgent GP review today.")
    tab_to("el.textContent.trim() === 'Resolve'")
    keys.press("Enter")
    page.get_by_text("Resolved by Nurse Riverside").wait_for()
    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.resolution_note) == (AlertState.RESOLVED, "Called back; advised urgent GP review today.")


def test_the_open_worklist_says_when_an_emergency_arrives(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit]
) -> None:
    # It checks every 30 seconds; the test asks for the check at once rather than waiting for one.
    fever = injected_patient(live_world, days_ago=4)
    check_in(fever, temperature_c="38.4")
    nurse = open_visit(visits, browser, live_server, "desktop")
    nurse.sign_in("nurse@riverside.test")
    nurse.page.locator(".worklist textarea").first.fill("Half-typed note")
    patient = injected_patient(live_world, days_ago=3)

    check_in(patient, bladder_control_loss="moderate")

    poll = nurse.page.locator("#worklist-changes")
    assert "every 30s" in (poll.get_attribute("hx-trigger") or "")
    nurse.page.evaluate("htmx.trigger('#worklist-changes', 'check')")
    banner = nurse.page.locator("#worklist-changes .worklist-changes--emergency")
    banner.wait_for(timeout=10_000)
    assert "1 alert new or changed since this page was loaded, 1 of them emergency." in banner.inner_text()
    assert nurse.page.locator(".worklist textarea").first.input_value() == "Half-typed note"  # not swapped
    nurse.look("worklist-out-of-date")
    banner.get_by_role("link", name="Reload the worklist").click()
    assert patient.full_name in nurse.page.locator(".worklist > li").first.inner_text()


@pytest.mark.parametrize("size", ["narrow", "phone"])
def test_a_nurse_closes_an_emergency_with_a_message_and_the_patient_reads_it_on_today(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    patient = injected_patient(live_world, days_ago=3)
    check_in(patient, bladder_control_loss="moderate")
    nurse = open_visit(visits, browser, live_server, size)
    nurse.sign_in("nurse@riverside.test")
    card = nurse.page.locator(".worklist > li").first
    card.get_by_label("Note").fill("Tapped the wrong answer, spoke to her.")
    card.get_by_label("Message for the patient").fill("We spoke: you tapped the wrong answer. Carry on as planned.")
    nurse.look("worklist-resolving-with-a-message")
    card.get_by_role("button", name="Resolve").click()
    nurse.page.get_by_text("Resolved by Nurse Riverside").wait_for()

    visit = open_visit(visits, browser, live_server, size)
    visit.sign_in(patient.email)
    visit.go("/me/")
    page = visit.page
    assert page.get_by_role("alert").count() == 0  # the emergency instruction has been dealt with
    message = page.get_by_role("region", name="A message from Riverside Spine")
    assert "Carry on as planned." in message.inner_text()
    assert "Nurse Riverside" in message.inner_text()
    assert page.get_by_role("heading", name="What you can do").is_visible()  # the day's guidance is back
    visit.look("today-after-the-clinic-closed-an-emergency")


@pytest.mark.parametrize("size", ["narrow", "phone"])
def test_a_nothing_new_check_in_and_a_fever_check_in_counted_in_taps_screens_and_seconds(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    """What the page may say about the check-in is measured here: the taps and screens each takes at phone
    size, and the seconds the page itself takes to answer (a person's reading time is on top of it)."""
    figures = {}

    def measure(name: str, answer: Callable[[Any], int]) -> CheckIn:
        patient = injected_patient(live_world, days_ago=3)
        check_in(patient, days_after=2, pain=4)
        visit = open_visit(visits, browser, live_server, size)
        page = visit.page
        visit.sign_in(patient.email)
        visit.go("/me/check-in/")
        height = page.evaluate("window.innerHeight")
        started = time.monotonic()
        taps = answer(page)
        screens = page.evaluate("document.documentElement.scrollHeight") / height
        visit.look(f"check-in-{name.replace(' ', '-')}")
        page.get_by_role("button", name="Send my check-in").click()
        page.wait_for_url("**/me/check-ins/*/")
        figures[name] = (taps + 1, round(screens, 1), round(time.monotonic() - started, 2))
        return CheckIn.objects.get(patient=patient, day=3)

    def nothing_new(page: Any) -> int:
        choose_pain(page, 3)
        anything_new(page, "No, nothing new")
        return 2

    def fever(page: Any) -> int:
        choose_pain(page, 5)
        anything_new(page, "Yes")
        page.get_by_label("Temperature (if you took it)").fill("38.4")  # a tap on the box, then typing
        page.get_by_role("group", name="Chills or shivering").get_by_role("radio", name="Moderate").check()
        return 4

    assert measure("nothing new", nothing_new).disposition == "self_care"
    assert measure("fever", fever).disposition == "urgent"
    for name, (taps, screens, seconds) in figures.items():
        print(f"check-in, {name}, {size}: {taps} taps, {screens} screens tall, {seconds} s in the browser")
    assert figures["nothing new"][0] == 3  # what Today says: three taps if nothing is new
    assert figures["nothing new"][1] < figures["fever"][1]  # the groups stay folded until "Yes"


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_the_summary_for_the_emergency_team_opens_from_the_emergency_screen_reads_offline_and_prints_on_a_page(
    browser: Any, live_server: Any, live_world: World, visits: list[Visit], size: str
) -> None:
    patient = injected_patient(live_world, days_ago=2, history=("anticoagulant_use", "nsaid_use"))
    check_in(patient, days_after=1, pain=6, injection_site_pain="moderate", note="Sore where the needle went in.")
    checkin = check_in(
        patient, pain=9, bladder_control_loss="moderate", saddle_numbness="moderate", note="Numb and I wet myself."
    )
    visit = open_visit(visits, browser, live_server, size)
    page = visit.page
    visit.sign_in(patient.email)
    visit.go(f"/me/check-ins/{checkin.uuid}/")
    page.get_by_role("link", name="Show this to the emergency team").click()
    page.wait_for_url("**/me/for-the-emergency-team/")
    visit.look("emergency-summary")

    visit.context.set_offline(True)  # in the ambulance bay: no signal, the page stays as it was
    page.wait_for_timeout(300)
    summary = page.get_by_role("article", name="For the emergency team")
    assert "Losing control of your bladder (yes)".lower() in summary.inner_text().lower()
    assert "blood thinner" in summary.inner_text()
    visit.context.set_offline(False)

    pdf = page.pdf(format="A4")  # printed as the browser prints it, print styles applied
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the summary prints on {pages} pages"
    page.emulate_media(media="print")
    visit.look("emergency-summary-print")
