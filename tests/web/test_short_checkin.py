"""A check-in that fits a phone (issue 12, item 3): it starts with "Anything new or worse since your last
check-in?"; "No, nothing new" sends the pain and that answer; "Yes" opens the groups. The pain starts unset,
with the last answer beside it. A symptom sent is read whichever answer was chosen."""

from __future__ import annotations

from typing import Any

from prpath.clinic.models import CheckIn, Patient
from tests.personas import World, check_in, clinic_today, injected_patient
from tests.web.pages import Element, body, client_for, parse


def form_page(patient: Patient) -> Element:
    return parse(body(client_for(patient.user).get("/me/check-in/")))


def folded(page: Element) -> bool:
    [more] = [e for e in page.find_all("div") if "checkin-more" in e.classes]
    return "checkin-more--folded" in more.classes


def sent(patient: Patient, **fields: Any) -> CheckIn:
    data = {"date": clinic_today(patient.clinic).isoformat(), "nothing_new_offered": "1", **fields}
    response = client_for(patient.user).post("/me/check-in/", data)
    assert response.status_code == 302, body(response)
    return CheckIn.objects.get(patient=patient, date=clinic_today(patient.clinic))


def test_the_first_question_is_whether_anything_is_new_and_the_groups_wait_for_yes(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    check_in(patient, days_after=2, pain=7)

    page = form_page(patient)

    choices = [(e.attrs["value"], "checked" in e.attrs) for e in page.find_all("input", name="anything_new")]
    assert choices == [("no", False), ("yes", False)]
    assert folded(page)
    assert [e for e in page.find_all("input", name="pain") if "checked" in e.attrs] == []  # never chosen for them
    [pain] = [e for e in page.find_all("fieldset") if "pain-choices" in e.classes]
    assert "you chose 7" in pain.text()


def test_nothing_new_sends_the_pain_and_stores_no_symptom(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    checkin = sent(patient, pain="3", anything_new="no")

    assert (checkin.pain, checkin.symptoms, checkin.disposition) == (3, {}, "self_care")


def test_a_red_flag_sent_with_nothing_new_still_counts(world: World) -> None:
    """Ticked, then "No" chosen: the answer is still on the form the patient sent, and it is not dropped."""
    patient = injected_patient(world, days_ago=3)

    checkin = sent(patient, pain="3", anything_new="no", symptom__bladder_control_loss="moderate")

    assert checkin.disposition == "emergency"


def test_after_a_report_with_symptoms_each_is_asked_again_without_the_shortcut(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, pain=6, chills="moderate", temperature_c="38.3")

    page = form_page(patient)

    assert page.find_all("input", name="anything_new") == []
    assert not folded(page)
    assert "Last time you reported chills or shivering" in page.text()


def test_a_temperature_to_correct_is_not_folded_away(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    data = {
        "date": clinic_today(patient.clinic).isoformat(),
        "nothing_new_offered": "1",
        "pain": "3",
        "anything_new": "no",
        "temperature_c": "60",
    }

    page = parse(body(client_for(patient.user).post("/me/check-in/", data)))

    assert not folded(page)


def test_the_check_in_prompt_says_only_what_is_measured(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    html = body(client_for(patient.user).get("/me/"))

    assert "under a minute" not in html
    assert "three taps" in html
