"""What a frightened patient and a busy physician see first: nothing pre-chosen that should be a decision,
and nothing beside an emergency that could blur it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from prpath.clinic.actions.alerts import do_resolve_alert
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import Alert, Patient
from prpath.core.protocol.schema import Candidacy
from tests.personas import World, check_in, clinic_today, enrol, injected_patient, now, screen, staff, with_account
from tests.web.pages import body, client_for, parse


def signed_in(world: World, days_ago: int = 3) -> tuple[Patient, Client]:
    patient = injected_patient(world, days_ago=days_ago)
    assert patient.user.has_joined
    return patient, client_for(patient.user)


def test_red_flags_are_asked_yes_or_no_and_graded_symptoms_by_degree(world: World) -> None:
    _, client = signed_in(world)
    page = parse(body(client.get("/me/check-in/")))

    def values(name: str) -> list[str]:
        return [e.attrs["value"] for e in page.find_all("input", name=name)]

    assert values("symptom__bladder_control_loss") == ["", "moderate"]
    assert values("symptom__difficulty_breathing") == ["", "moderate"]
    assert values("symptom__leg_tingling") == ["", "mild", "moderate", "severe"]


def test_the_emergency_screen_shows_only_what_makes_it_an_emergency(world: World) -> None:
    patient, client = signed_in(world, days_ago=4)
    checkin = check_in(patient, pain=8, temperature_c="38.4", bladder_control_loss="moderate")
    assert {f.disposition for f in checkin.findings} >= {"emergency", "urgent"}

    html = body(client.get(f"/me/check-ins/{checkin.uuid}/"))

    reasons = [e.text() for e in parse(html).find_all("li") if "reason" in e.classes]
    assert reasons
    assert all("bladder" in reason.lower() for reason in reasons), reasons
    assert "Do not drive yourself" in html


def test_today_after_an_emergency_report_shows_the_call_button_not_the_activity_plan(world: World) -> None:
    patient, client = signed_in(world)
    check_in(patient, saddle_numbness="moderate")

    html = body(client.get("/me/"))

    assert 'href="tel:999"' in html
    assert "Go to the emergency department now" in html
    assert "What you can do" not in html


def test_screening_asks_nothing_about_an_injection_not_yet_given(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    html = body(client_for(patient.user).get("/me/screening/"))

    assert "symptom__injection_site_pain" not in html
    assert "symptom__bladder_control_loss" in html
    pain = parse(html).find_all("input", name="pain")
    assert len(pain) == 11
    assert not any("checked" in e.attrs for e in pain)  # the usual pain is the patient's choice, never a default


def test_the_physicians_decision_is_never_chosen_in_advance(world: World) -> None:
    patient = with_account(world, enrol(world))
    record = screen(patient, history=("anticoagulant_use",))

    html = body(client_for(world.physician).get(f"/clinic/patients/{patient.uuid}/screenings/{record.uuid}/"))

    choices = parse(html).find_all("input", name="candidacy")
    assert [e.attrs["value"] for e in choices] == ["eligible", "defer"]
    assert not any("checked" in e.attrs for e in choices)


def test_the_injection_site_side_and_guidance_are_never_chosen_in_advance(world: World) -> None:
    patient = injected_patient(world, days_ago=1)

    html = body(client_for(world.physician).get(f"/clinic/patients/{patient.uuid}/procedures/new/"))

    page = parse(html)
    for name in ("target", "side", "image_guidance"):
        [select] = page.find_all("select", name=name)
        chosen = [o.attrs.get("value") for o in select.find_all("option") if "selected" in o.attrs]
        assert chosen in ([], [""]), (name, chosen)


def emergency_card(html: str) -> Any:
    cards = [e for e in parse(html).find_all("section") if "emergency" in e.classes]
    assert len(cards) == 1, "one emergency card"
    return cards[0]


def test_today_after_screening_answers_that_need_the_emergency_department_shows_the_emergency_card(
    world: World,
) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    screening = screen(patient, symptoms={"bladder_control_loss": "moderate"}, days_ago=0)
    assert screening.disposition == "emergency"

    html = body(client_for(patient.user).get("/me/"))

    card = emergency_card(html)
    assert card.attrs.get("role") == "alert"
    links = [a.attrs.get("href") for a in card.find_all("a")]
    assert "tel:999" in links
    assert f"/me/screening/{screening.uuid}/" in links
    assert "tel:" + patient.clinic.phone.replace(" ", "") not in links  # the emergency number, not the clinic's
    assert "button--call" not in html


def test_the_emergency_screen_names_the_injection_date_not_a_count_of_days(world: World) -> None:
    patient, client = signed_in(world, days_ago=5)
    assert patient.injected_on is not None
    checkin = check_in(patient, days_after=2, saddle_numbness="moderate")  # reported late, for two days ago

    html = body(client.get(f"/me/check-ins/{checkin.uuid}/"))

    injected = patient.injected_on
    assert f"I had a spinal injection (PRP) on {injected.day} {injected:%B %Y}" in html
    assert "days ago" not in html


def test_the_emergency_screen_after_screening_does_not_claim_an_injection(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    screening = screen(patient, symptoms={"bladder_control_loss": "moderate"}, days_ago=0)

    html = body(client_for(patient.user).get(f"/me/screening/{screening.uuid}/"))

    assert "emergency-page" in html
    assert "I had a spinal injection" not in html
    assert "assessing you for a PRP injection" in html


def test_the_check_in_has_one_send_button_after_every_question(world: World) -> None:
    _, client = signed_in(world)
    html = body(client.get("/me/check-in/"))
    form = parse(html).find_all("form", **{"class": "checkin-form"})[0]

    order = [
        ("button" if e.tag == "button" else "question")
        for e in form.iter()
        if e.tag == "button" or (e.tag == "input" and e.attrs.get("name", "").startswith("symptom__"))
    ]

    assert order.count("button") == 1
    assert order[-1] == "button"  # no way to send before the red-flag questions have gone past


def test_history_badges_each_day_with_its_most_severe_report_in_calm_words(world: World) -> None:
    patient, client = signed_in(world, days_ago=4)
    check_in(patient, days_after=2, pain=4)
    check_in(patient, days_after=3, pain=7, bladder_control_loss="moderate")
    check_in(patient, days_after=3, pain=5)  # the evening report sounds better

    page = parse(body(client.get("/me/history/")))

    badges = [" ".join(e.text().split()) for e in page.find_all("span") if "badge" in e.classes]
    assert badges == ["Emergency", "Expected"]  # newest first; day 3 keeps its emergency
    assert "Go to the emergency department now" not in body(client.get("/me/history/"))


def test_an_emergency_reported_this_morning_for_last_night_shows_on_today(world: World) -> None:
    patient, client = signed_in(world, days_ago=4)
    yesterday = clinic_today(patient.clinic) - dt.timedelta(days=1)
    checkin = check_in(patient, days_after=3, bladder_control_loss="moderate")  # day 3 is yesterday
    assert checkin.disposition == "emergency"

    html = body(client.get("/me/"))

    card = emergency_card(html)
    assert "tel:999" in [a.attrs.get("href") for a in card.find_all("a")]
    assert f"/me/check-ins/{checkin.uuid}/" in [a.attrs.get("href") for a in card.find_all("a")]
    assert "From your report for " + f"{yesterday:%A} {yesterday.day} {yesterday:%B}" in card.text()


def test_a_calm_report_for_an_earlier_day_leaves_todays_check_in_to_do(world: World) -> None:
    patient, client = signed_in(world, days_ago=4)
    check_in(patient, days_after=3)  # yesterday's, sent today: expected

    html = body(client.get("/me/"))

    assert "How are you today?" in html
    assert "result-summary" not in html


@pytest.mark.parametrize("then", ["decided", "calmer answers"])
def test_screening_answers_that_needed_the_emergency_department_stay_until_the_clinic_closes_the_alert(
    world: World, then: str
) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    emergency = screen(patient, symptoms={"bladder_control_loss": "moderate"}, days_ago=1)
    if then == "decided":
        do_decide_candidacy(staff(world.physician), emergency, candidacy=Candidacy.DEFER, reason="", now=now())
    else:
        assert screen(patient, days_ago=0).disposition == "self_care"
    client = client_for(patient.user)

    card = emergency_card(body(client.get("/me/")))
    assert f"/me/screening/{emergency.uuid}/" in [a.attrs.get("href") for a in card.find_all("a")]

    do_resolve_alert(staff(world.nurse), Alert.objects.get(patient=patient), note="Seen in A&E; discharged.", now=now())
    html = body(client.get("/me/"))
    assert not [e for e in parse(html).find_all("section") if "emergency" in e.classes]
