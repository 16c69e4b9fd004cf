"""Every page, at phone, desktop and 320 px: screenshot, axe-core, nothing loaded from outside, no sideways
scroll; the QR code of a link read back from the screen; the clinic chooser and the invitation that joins an
account that already signs in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from prpath.clinic.actions.access_links import do_invite_patient, do_join_with_account
from prpath.clinic.actions.alerts import do_resolve_alert
from prpath.clinic.actions.notes import do_add_note
from prpath.clinic.actions.staff import NewStaff, do_invite_staff
from prpath.clinic.models import CheckIn, Role
from tests.browser.pages import NARROW, SIZES, Visit
from tests.personas import (
    PASSWORD,
    World,
    check_in,
    enrol,
    injected_patient,
    make_world,
    screen,
    staff,
    with_account,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit_at(browser: Any, live_server: Any) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_at(size: str) -> Visit:
        visit = Visit(browser, live_server, size)
        opened.append(visit)
        return visit

    yield open_at
    for visit in opened:
        visit.close()


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_every_patient_page(live_server: Any, transactional_db: None, visit_at: Any, size: str) -> None:
    world: World = make_world()
    patient = injected_patient(world, days_ago=9, conditions=("herniated_disc",), symptoms={"leg_tingling": "mild"})
    for day in range(1, 9):
        site = {"injection_site_pain": "mild"} if day < 4 else {}
        check_in(patient, days_after=day, pain=max(2, 8 - day), **site)
    consult = CheckIn.objects.filter(patient=patient).order_by("-date").first()
    assert patient.has_joined
    assert consult is not None
    visit = visit_at(size)
    visit.sign_in(patient.email)
    for path, name in [
        ("/me/", "patient-today"),
        ("/me/check-in/", "patient-check-in"),
        (f"/me/check-ins/{consult.uuid}/", "patient-result"),
        ("/me/history/", "patient-history"),
        ("/me/learn/", "patient-learn"),
        ("/me/learn/conventional_treatments/", "patient-learn-topic"),
    ]:
        response = visit.go(path)
        assert response.status == 200, path
        visit.look(name)
        tabs = "(() => { const n = document.querySelector('.patient-nav'); return n.scrollWidth <= n.clientWidth; })()"
        assert visit.page.evaluate(tabs), f"{name}: the tabs do not fit at {size} size"
    # The chart is drawn on the server: one point per check-in.
    visit.go("/me/history/")
    assert visit.page.locator("svg circle.point").count() == 8


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_every_clinic_page(live_server: Any, transactional_db: None, visit_at: Any, size: str) -> None:
    world: World = make_world()
    waiting = with_account(world, enrol(world, given_name="Wendy"))
    screening = screen(waiting, history=("anticoagulant_use",))
    recovering = injected_patient(world, days_ago=5)
    for day in range(1, 5):
        check_in(recovering, days_after=day, pain=5, temperature_c="38.3" if day == 4 else None)
    do_add_note(staff(world.nurse), recovering, text="Called about the fever; GP visit booked.", now=timezone.now())
    visit = visit_at(size)
    visit.sign_in("physician@riverside.test")
    for path, name in [
        ("/clinic/alerts/", "staff-worklist"),
        ("/clinic/patients/", "staff-patient-list"),
        ("/clinic/patients/?stage=recovering&alerts=open", "staff-patient-list-filtered"),
        (f"/clinic/patients/{recovering.uuid}/", "staff-timeline"),
        (f"/clinic/patients/{waiting.uuid}/screenings/{screening.uuid}/", "staff-screening-review"),
        (f"/clinic/patients/{waiting.uuid}/procedures/new/", "staff-procedure-form"),
        ("/clinic/patients/new/", "staff-enrol"),
    ]:
        response = visit.go(path)
        assert response.status == 200, path
        visit.look(name)
    # The invitation page shows its link once, after the POST.
    newcomer = enrol(world, given_name="Nadia")
    visit.go(f"/clinic/patients/{newcomer.uuid}/")
    visit.page.get_by_role("button", name="Create invitation link").click()
    link = visit.page.get_by_role("textbox", name="Invitation link").input_value()
    assert "/join/" in link
    visit.look("staff-invitation")
    # Its QR code, as drawn on the screen and on paper, reads as exactly that link.
    assert visit.read_qr_code("QR code of the invitation link") == [link]
    visit.page.emulate_media(media="print")
    visit.look("staff-invitation-print")
    assert visit.read_qr_code("QR code of the invitation link") == [link]
    assert visit.page.locator(".link-text").inner_text() == link  # written out whole, where the box is not
    assert not visit.page.get_by_role("textbox", name="Invitation link").is_visible()


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_the_staff_pages_and_a_new_colleague_joining(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    make_world()
    admin = visit_at(size)
    admin.sign_in("admin@riverside.test")
    admin.go("/clinic/staff/")
    admin.look("staff-accounts")
    admin.page.get_by_label("Given name").fill("Sam")
    admin.page.get_by_label("Family name").fill("Lee")
    admin.page.get_by_label("Email").fill("sam.lee@riverside.test")
    admin.page.get_by_label("Role:", exact=True).select_option("nurse")
    admin.page.get_by_role("button", name="Add and make their link").click()
    link = admin.page.get_by_role("textbox", name="Sign-up link").input_value()
    admin.look("staff-sign-up-link")
    assert admin.read_qr_code("QR code of the sign-up link") == [link]

    newcomer = visit_at(size)
    newcomer.page.goto(link)
    assert newcomer.page.get_by_role("heading", level=1).inner_text() == "Welcome to prpath, Sam"
    newcomer.look("staff-join")
    newcomer.page.get_by_label("Choose a password").fill("a-longer-Passphrase-41")
    newcomer.page.get_by_label("The same password again").fill("a-longer-Passphrase-41")
    newcomer.page.get_by_role("button", name="Set my password").click()
    newcomer.page.wait_for_url("**/clinic/alerts/")
    assert "Your password is set." in newcomer.page.get_by_role("main").inner_text()

    admin.go("/clinic/staff/")
    admin.page.get_by_label("Role of Sam Lee").select_option("coordinator")
    admin.page.get_by_role("button", name="Change the role of Sam Lee").click()
    assert "Sam Lee's role is now coordinator." in admin.page.get_by_role("main").inner_text()
    assert admin.page.get_by_label("Role of Sam Lee").input_value() == "coordinator"
    admin.look("staff-accounts-role-changed")
    admin.page.get_by_role("button", name="Deactivate Sam Lee").click()
    assert "Sam Lee is deactivated" in admin.page.get_by_role("main").inner_text()
    admin.look("staff-accounts-after-deactivation")
    newcomer.go("/clinic/alerts/")
    assert "/accounts/login/" in newcomer.page.url


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_the_sign_in_and_start_pages(live_server: Any, transactional_db: None, visit_at: Any, size: str) -> None:
    visit = visit_at(size)
    visit.go("/accounts/login/")
    visit.look("sign-in")
    visit.page.get_by_label("Email").fill("nobody@example.org")
    visit.page.get_by_label("Password").fill("wrong password")
    visit.page.get_by_role("button", name="Sign in").click()
    assert "do not match an account" in visit.page.get_by_role("alert").inner_text()
    visit.look("sign-in-refused")
    for _ in range(9):  # ten failures in all: this login from this browser waits
        visit.page.get_by_label("Password").fill("wrong password")
        visit.page.get_by_role("button", name="Sign in").click()
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Too many attempts to sign in"
    visit.look("sign-in-locked-out")
    visit.go("/join/not-a-real-token/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "This invitation link cannot be used"
    visit.look("invitation-unusable")


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_today_after_screening_answers_that_need_the_emergency_department(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    world: World = make_world()
    patient = with_account(world, enrol(world, given_name="Esme"))
    screen(patient, symptoms={"bladder_control_loss": "moderate"}, days_ago=0)
    assert patient.has_joined
    visit = visit_at(size)
    visit.sign_in(patient.email)

    visit.go("/me/")

    card = visit.page.get_by_role("alert")
    assert "emergency" in card.inner_text().lower()
    assert card.get_by_role("link", name="Call 999").is_visible()
    visit.look("today-after-emergency-screening")


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_a_calmer_report_later_the_same_day_keeps_the_emergency_on_screen(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    world: World = make_world()
    patient = injected_patient(world, days_ago=3)
    check_in(patient, bladder_control_loss="moderate")
    evening = check_in(patient, pain=3)  # the same day, sounding fine
    assert patient.has_joined
    visit = visit_at(size)
    visit.sign_in(patient.email)

    visit.go(f"/me/check-ins/{evening.uuid}/")

    assert visit.page.get_by_role("heading", level=1).inner_text() == "Go to the emergency department now"
    assert "sounds calmer" in visit.page.get_by_role("alert").inner_text()
    visit.look("result-emergency-then-calmer")
    visit.go("/me/")
    assert "emergency" in visit.page.get_by_role("alert").inner_text().lower()
    visit.look("today-emergency-then-calmer")


LONG_LINK = "https://example.org/" + "a-very-long-pasted-path-without-any-breaks/" * 30 + "?q=" + "x" * 300


@pytest.mark.parametrize("size", ["narrow", "phone"])
def test_a_long_pasted_link_wraps_and_no_page_scrolls_sideways(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    """A nurse pasted a 1,400-character link in a note and the timeline scrolled sideways by 1,376 px.
    ``look`` fails a page wider than its window; the link is in a note, a patient's note and a message."""
    world: World = make_world()
    patient = injected_patient(world, days_ago=3)
    check_in(patient, pain=4, note=f"The leaflet I read: {LONG_LINK}")
    do_add_note(staff(world.nurse), patient, text=f"Sent her {LONG_LINK}", now=timezone.now())
    alert = check_in(patient, days_after=2, pain=5, temperature_c="38.4").alerts.get()
    do_resolve_alert(staff(world.nurse), alert, note=LONG_LINK, message=f"Read {LONG_LINK}", now=timezone.now())
    nurse = visit_at(size)
    nurse.sign_in("nurse@riverside.test")
    for path, name in [
        (f"/clinic/patients/{patient.uuid}/", "staff-timeline-long-link"),
        ("/clinic/alerts/", "staff-worklist-long-link"),
    ]:
        assert nurse.go(path).status == 200
        nurse.look(name)
    me = visit_at(size)
    me.sign_in(patient.email)
    for path, name in [("/me/", "today-long-link"), ("/me/for-the-emergency-team/", "emergency-summary-long-link")]:
        assert me.go(path).status == 200
        me.look(name)


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_the_clinic_chooser_for_a_patient_of_two_clinics_and_for_staff_who_is_a_patient_elsewhere(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    world: World = make_world()
    there = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    here = enrol(world, email=there.email, given_name=there.given_name, family_name=there.family_name)
    _, invitation = do_invite_patient(staff(world.nurse), here, now=timezone.now())
    do_join_with_account(invitation, there.user, now=timezone.now())
    patient = visit_at(size)
    patient.sign_in(there.email)
    assert patient.page.url.endswith("/choose/")
    assert patient.page.get_by_role("heading", level=1).inner_text() == "Choose a clinic"
    patient.look("choose-clinic-patient-of-two")
    patient.page.get_by_role("button", name="Riverside Spine: patient").click()
    patient.page.wait_for_url("**/me/")
    assert patient.page.get_by_role("link", name="Switch clinic").is_visible()
    patient.look("today-switch-clinic")
    patient.go("/choose/")
    assert patient.page.get_by_role("button", name="Riverside Spine: patient (now)").is_visible()
    patient.look("choose-clinic-one-chosen")

    colleague = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    member = NewStaff(colleague.email, colleague.given_name, colleague.family_name, Role.NURSE)
    _, _, token = do_invite_staff(staff(world.admin), world.clinic, member, now=timezone.now())
    do_join_with_account(token, colleague.user, now=timezone.now())
    nurse = visit_at(size)
    nurse.sign_in(colleague.email)
    assert nurse.page.url.endswith("/choose/")
    nurse.look("choose-clinic-staff-and-patient")
    nurse.page.get_by_role("button", name="Riverside Spine: nurse").click()
    nurse.page.wait_for_url("**/clinic/alerts/")
    assert nurse.page.get_by_role("link", name="Switch clinic").is_visible()
    nurse.look("staff-worklist-switch-clinic")


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_an_invitation_to_an_email_that_already_signs_in_asks_to_sign_in_then_to_join(
    live_server: Any, transactional_db: None, visit_at: Any, size: str
) -> None:
    world: World = make_world()
    there = with_account(world, enrol(world, world.other_clinic, given_name="Dana", email="dana.reyes@patients.test"))
    here = enrol(world, given_name="Dana", family_name=there.family_name, email=there.email)
    _, token = do_invite_patient(staff(world.nurse), here, now=timezone.now())
    someone = with_account(world, enrol(world, world.other_clinic, email="someone.else@patients.test"))

    stranger = visit_at(size)
    stranger.sign_in(someone.email)
    stranger.go(f"/join/{token}/")
    assert "sign out first" in stranger.page.get_by_role("main").inner_text()
    stranger.look("join-with-account-someone-else")

    visit = visit_at(size)
    visit.go(f"/join/{token}/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Sign in to accept, Dana"
    assert visit.page.get_by_label("Choose a password").count() == 0  # it sets no password
    visit.look("join-with-account-sign-in")
    visit.page.get_by_role("main").get_by_role("link", name="Sign in").click()
    visit.page.get_by_label("Email").fill(there.email)
    visit.page.get_by_label("Password").fill(PASSWORD)
    visit.page.get_by_role("button", name="Sign in").click()
    visit.page.wait_for_url(f"**/join/{token}/")
    assert visit.page.get_by_role("heading", level=1).inner_text() == "Join Riverside Spine"
    visit.look("join-with-account")
    visit.page.get_by_role("button", name="Join Riverside Spine").click()
    visit.page.wait_for_url("**/me/screening/")
    assert "You have joined Riverside Spine." in visit.page.get_by_role("main").inner_text()
    visit.look("join-with-account-joined")
