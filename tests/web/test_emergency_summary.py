"""A summary for the emergency department (issue 12, item 5): from the emergency screen and from Today,
"Show this to the emergency team" opens one page with the injection (date, target, level, side, guidance,
PRP preparation), the screening's medicines and history, the latest findings and the clinic's phone. Its
read is audited; it needs no script and asks for nothing once open."""

from __future__ import annotations

from prpath.audit.models import AuditAction, AuditEvent
from tests.personas import World, check_in, enrol, injected_patient, with_account
from tests.web.pages import body, client_for, parse

URL = "/me/for-the-emergency-team/"


def test_the_summary_has_what_an_emergency_doctor_needs_first(world: World) -> None:
    patient = injected_patient(world, days_ago=4, history=("anticoagulant_use",))
    check_in(patient, pain=8, saddle_numbness="moderate", note="Numb down below since this morning.")
    procedure = patient.procedures.get()

    response = client_for(patient.user).get(URL)

    assert response.status_code == 200
    text = parse(body(response)).text()
    assert procedure.performed_at.strftime("%Y") in text
    assert procedure.spinal_level in text
    assert procedure.get_side_display().lower() in text
    assert procedure.get_image_guidance_display() in text
    assert f"{procedure.blood_drawn_ml} mL of blood drawn" in text
    assert procedure.get_leukocytes_display().lower() in text
    assert "blood thinner" in text  # the screening's medicines
    assert "numbness" in text.lower()
    assert "(yes)" in text  # a red flag asked yes or no reads yes, not a grade
    assert "Numb down below since this morning." in text
    assert world.clinic.phone in text
    event = AuditEvent.objects.get(action=AuditAction.PATIENT_EMERGENCY_SUMMARY)
    assert event.patient_id == patient.pk


def test_the_emergency_screen_and_today_lead_to_it(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    checkin = check_in(patient, bladder_control_loss="moderate")
    client = client_for(patient.user)

    for page in (f"/me/check-ins/{checkin.uuid}/", "/me/"):
        links = [e.attrs.get("href") for e in parse(body(client.get(page))).find_all("a")]
        assert URL in links, page


def test_the_summary_asks_for_nothing_once_open(world: World) -> None:
    patient = injected_patient(world, days_ago=4)

    html = body(client_for(patient.user).get(URL))

    page = parse(html)
    assert [e for e in page.find_all("script") if "counter.js" not in e.attrs.get("src", "")] == []
    assert "hx-get" not in html
    assert "hx-trigger" not in html


def test_before_an_injection_the_summary_says_so(world: World) -> None:
    patient = with_account(world, enrol(world))

    html = body(client_for(patient.user).get(URL))

    assert "No injection yet" in html


def test_staff_and_outsiders_cannot_open_a_patients_summary(world: World) -> None:
    assert client_for(world.nurse).get(URL).status_code in (403, 404)
    assert client_for(None).get(URL).status_code == 302
