"""The patient's check-in page: what it stores, what it refuses, and how it refuses it.

Refused input answers 400 with the message inside the field's own container, stores nothing, and writes
no ``checkin.record`` audit event. Nothing a patient (or a tampered form) sends gets a 5xx.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Alert, AlertState, CheckIn, CheckInVersion, Patient
from tests.conftest import ROOT
from tests.personas import World, clinic_today, injected_patient
from tests.web.pages import body, client_for, error_beside, parse

PROTOCOL = yaml.safe_load((ROOT / "src" / "prpath" / "files" / "default.yaml").read_text(encoding="utf-8"))
SYMPTOM_CODES = [s["code"] for s in PROTOCOL["symptoms"]]
# Red flags are asked yes or no: a yes is sent as "moderate"; the others are graded.
SEVERITIES_FOR = {
    s["code"]: ["mild", "moderate", "severe"] if s.get("graded", True) else ["moderate"] for s in PROTOCOL["symptoms"]
}
FIELD_NAMES = ["date", "pain", "temperature_c", "note", *(f"symptom__{code}" for code in SYMPTOM_CODES)]
URGENT_INSTRUCTION = PROTOCOL["dispositions"]["urgent"]["instruction"]


def signed_in_patient(world: World, days_ago: int = 4) -> tuple[Patient, Client]:
    patient = injected_patient(world, days_ago=days_ago)
    assert patient.user.has_joined
    return patient, client_for(patient.user)


def form(patient: Patient, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": clinic_today(patient.clinic).isoformat(),
        "pain": "4",
        "temperature_c": "",
        "note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_stored(patient: Patient) -> None:
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert not CheckInVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="checkin.record").exists()
    assert not Alert.objects.filter(patient=patient).exists()


# --- a good check-in ----------------------------------------------------------------------------------


def test_a_check_in_is_stored_and_the_result_shown(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, pain="4"))

    checkin = CheckIn.objects.get(patient=patient)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/me/check-ins/{checkin.uuid}/"
    assert (checkin.pain, checkin.temperature_c, checkin.day, checkin.disposition) == (4, None, 4, "self_care")
    assert AuditEvent.objects.filter(action="checkin.record", patient=patient, actor=patient.user).count() == 1
    assert client.get(response.headers["Location"]).status_code == 200


def test_an_unknown_field_is_ignored_and_cannot_set_the_result(world: World) -> None:
    patient, client = signed_in_patient(world)
    other = injected_patient(world, days_ago=4)

    response = client.post(
        "/me/check-in/",
        form(
            patient,
            temperature_c="38.4",
            disposition="self_care",
            patient=str(other.uuid),
            revision="7",
            is_staff="1",
            symptom__not_a_symptom="severe",
        ),
    )

    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.patient, checkin.disposition, checkin.revision) == (patient, "urgent", 1)
    assert checkin.symptoms == {}
    assert not CheckIn.objects.filter(patient=other).exists()


# --- bad input: a message beside the field, nothing stored, never a 5xx -------------------------------


def _before_the_injection(patient: Patient) -> str:
    assert patient.injected_on is not None
    return (patient.injected_on - dt.timedelta(days=1)).isoformat()


def _tomorrow(patient: Patient) -> str:
    return (clinic_today(patient.clinic) + dt.timedelta(days=1)).isoformat()


BAD_INPUT: list[tuple[str, dict[str, Any], str, str]] = [
    ("pain 11", {"pain": "11"}, "pain", "Choose a number from 0 to 10 (11 is not one)"),
    ("pain -1", {"pain": "-1"}, "pain", "Choose a number from 0 to 10 (-1 is not one)"),
    ("pain abc", {"pain": "abc"}, "pain", "Choose a number from 0 to 10 (abc is not one)"),
    ("pain missing", {"pain": None}, "pain", "Choose a number from 0 to 10: how your back is now"),
    ("temperature 60", {"temperature_c": "60"}, "temperature_c", "60 is not a body temperature in °C (30 to 45)"),
    ("temperature 20", {"temperature_c": "20"}, "temperature_c", "20 is not a body temperature in °C (30 to 45)"),
    ("temperature hot", {"temperature_c": "hot"}, "temperature_c", "Write it as a number, such as 37.5"),
    ("temperature 38.45", {"temperature_c": "38.45"}, "temperature_c", "Write it with one decimal"),
    ("temperature 120F", {"temperature_c": "120F"}, "temperature_c", "120 °F is not a body temperature"),
    ("date 2026-02-30", {"date": "2026-02-30"}, "date", "Enter a valid date"),
    ("date missing", {"date": None}, "date", "This field is required"),
    ("fever terrible", {"symptom__fever": "terrible"}, "symptom__fever", "Select a valid choice"),
    ("note too long", {"note": "x" * 2001}, "note", "This is 2,001 characters long; it can hold 2,000."),
]


@pytest.mark.parametrize(("changes", "field", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_beside_its_field(world: World, changes: dict[str, Any], field: str, message: str) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, **changes))

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    assert_nothing_stored(patient)


@pytest.mark.parametrize("typed", ["38,4", " 38.4 ", "38.40", "38.4 °C", "38,4°C", "38.4C", "38.4°"])
def test_a_temperature_written_with_a_comma_is_read(world: World, typed: str) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, temperature_c=typed))

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.temperature_c == Decimal("38.4")
    assert checkin.disposition == "urgent"


def test_the_temperature_is_typed_as_text_so_the_browser_never_drops_it(world: World) -> None:
    # A number field sends an empty value for a number the browser cannot read ("38,4" where it expects a
    # dot): the fever would be lost without a word. As text, the server reads it or names the problem.
    _, client = signed_in_patient(world)

    (field,) = parse(body(client.get("/me/check-in/"))).find_all("input", name="temperature_c")

    assert (field.attrs.get("type"), field.attrs.get("inputmode")) == ("text", "decimal")


@pytest.mark.parametrize(
    "typed", ["38,4,1", "38.4,1", "38,45", "3 8", "38.4 mL", "1234567890123456789012345678.01", "1E-999999", "NaN"]
)
def test_a_temperature_that_cannot_be_read_is_refused_beside_it(world: World, typed: str) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, temperature_c=typed))

    assert response.status_code == 400
    assert error_beside(response.content, name="temperature_c")
    assert_nothing_stored(patient)


@pytest.mark.parametrize(
    ("when", "message"), [(_before_the_injection, "before the injection"), (_tomorrow, "in the future")]
)
def test_a_date_the_service_refuses_is_shown_beside_the_date(world: World, when: Any, message: str) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, date=when(patient)))

    assert response.status_code == 400
    assert message in error_beside(response.content, name="date")
    assert_nothing_stored(patient)


def test_a_check_in_before_any_injection_is_refused(world: World) -> None:
    from tests.personas import enrol, with_account

    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    response = client_for(patient.user).post("/me/check-in/", form(patient))

    assert response.status_code == 400
    assert_nothing_stored(patient)


def test_a_form_without_its_csrf_token_is_refused(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client = client_for(patient.user, enforce_csrf_checks=True)

    response = client.post("/me/check-in/", form(patient))

    assert response.status_code == 403
    assert_nothing_stored(patient)


def test_the_form_sent_back_keeps_what_the_patient_typed(world: World) -> None:
    patient, client = signed_in_patient(world)

    response = client.post("/me/check-in/", form(patient, pain="11", note="Sore but walking", symptom__fever="mild"))

    assert response.status_code == 400
    page = parse(response.content)
    assert [e.text() for e in page.find_all("textarea", name="note")] == ["Sore but walking"]
    checked = [e.attrs["value"] for e in page.find_all("input", name="symptom__fever") if "checked" in e.attrs]
    assert checked == ["mild"]


# --- junk from anywhere -----------------------------------------------------------------------------

PLAUSIBLE_VALUES = ["", "0", "4", "10", "11", "-1", "36.5", "38.4", "60", "mild", "moderate", "severe", "2026-02-30"]
PLAUSIBLE = st.sampled_from(PLAUSIBLE_VALUES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.dictionaries(
        st.sampled_from([*FIELD_NAMES, "disposition", "patient", "csrfmiddlewaretoken"]),
        st.one_of(st.text(max_size=30), PLAUSIBLE),
        max_size=6,
    ),
    with_a_good_date=st.booleans(),
    good_pain=st.none() | st.integers(min_value=0, max_value=10),
)
def test_junk_never_breaks_the_page_or_stores_a_bad_check_in(
    world: World, junk: dict[str, str], with_a_good_date: bool, good_pain: int | None
) -> None:
    # The world (and its patient) is made once for the test; each example posts against it.
    patient = Patient.objects.filter(clinic=world.clinic, stage="injected").first() or injected_patient(
        world, days_ago=4
    )
    assert patient.user.has_joined
    assert patient.injected_on is not None
    today = clinic_today(patient.clinic)
    if with_a_good_date:
        junk = {**junk, "date": today.isoformat()}
    if good_pain is not None:
        junk = {**junk, "pain": str(good_pain)}
    versions = CheckInVersion.objects.count()

    response = client_for(patient.user).post("/me/check-in/", junk)

    assert response.status_code < 500
    if CheckInVersion.objects.count() == versions:
        if response.status_code == 200:  # the note reports something: the patient is asked about it first
            event("asked back")
            assert 'name="asked"' in body(response)
            return
        event("refused")
        assert response.status_code == 400
        return
    event("stored")
    assert response.status_code == 302
    latest = CheckInVersion.objects.select_related("checkin").order_by("-pk").first()
    assert latest is not None
    checkin = latest.checkin
    assert checkin.patient == patient
    assert 0 <= checkin.pain <= 10
    assert checkin.temperature_c is None or Decimal("30") <= checkin.temperature_c <= Decimal("45")
    assert patient.injected_on <= checkin.date <= today
    assert set(checkin.symptoms) <= set(SYMPTOM_CODES)
    assert set(checkin.symptoms.values()) <= {"mild", "moderate", "severe"}
    assert (checkin.pain, checkin.temperature_c, checkin.symptoms) == (
        latest.pain,
        latest.temperature_c,
        latest.symptoms,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pain=st.integers(min_value=0, max_value=10),
    temperature=st.none() | st.decimals(min_value=30, max_value=45, places=1),
    symptoms=st.lists(st.sampled_from(SYMPTOM_CODES), unique=True).flatmap(
        lambda codes: st.fixed_dictionaries({code: st.sampled_from(SEVERITIES_FOR[code]) for code in codes})
    ),
    days_after=st.integers(min_value=0, max_value=4),
)
def test_any_good_check_in_is_stored_as_sent(
    world: World, pain: int, temperature: Decimal | None, symptoms: dict[str, str], days_after: int
) -> None:
    patient = Patient.objects.filter(clinic=world.clinic, stage="injected").first() or injected_patient(
        world, days_ago=4
    )
    assert patient.user.has_joined
    assert patient.injected_on is not None
    date = patient.injected_on + dt.timedelta(days=days_after)
    data = {
        "date": date.isoformat(),
        "pain": str(pain),
        "temperature_c": "" if temperature is None else str(temperature),
        **{f"symptom__{code}": severity for code, severity in symptoms.items()},
    }

    response = client_for(patient.user).post("/me/check-in/", data)

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient, date=date)
    assert (checkin.pain, checkin.temperature_c, checkin.symptoms) == (pain, temperature, symptoms)
    assert response.headers["Location"] == f"/me/check-ins/{checkin.uuid}/"


# --- the same day, twice -----------------------------------------------------------------------------


def test_an_evening_fever_amends_the_mornings_check_in(world: World) -> None:
    patient, client = signed_in_patient(world)

    morning = client.post("/me/check-in/", form(patient, pain="4"))
    evening = client.post("/me/check-in/", form(patient, pain="4", temperature_c="38.4"), follow=True)

    assert morning.status_code == 302
    assert evening.status_code == 200
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.revision, checkin.disposition, checkin.temperature_c) == (2, "urgent", Decimal("38.4"))
    versions = list(checkin.versions.order_by("revision").values_list("revision", "disposition", "temperature_c"))
    assert versions == [(1, "self_care", None), (2, "urgent", Decimal("38.4"))]
    assert evening.redirect_chain == [(f"/me/check-ins/{checkin.uuid}/", 302)]
    assert URGENT_INSTRUCTION in body(evening)
    alerts = Alert.objects.filter(patient=patient)
    assert [(a.disposition, a.state) for a in alerts] == [("urgent", AlertState.OPEN)]


def test_the_page_says_when_today_is_already_reported(world: World) -> None:
    patient, client = signed_in_patient(world)
    client.post("/me/check-in/", form(patient, pain="4"))

    page = body(client.get("/me/check-in/"))

    assert "You already checked in today" in page


# --- weight ------------------------------------------------------------------------------------------


def test_the_check_in_page_weighs_under_50_kb(world: World) -> None:
    _, client = signed_in_patient(world)

    response = client.get("/me/check-in/")

    assert response.status_code == 200
    size = len(response.content)
    assert size < 50_000, f"the check-in page weighs {size} bytes"


def test_the_check_in_page_with_every_error_still_weighs_under_50_kb(world: World) -> None:
    patient, client = signed_in_patient(world)
    junk = {f"symptom__{code}": "terrible" for code in SYMPTOM_CODES}

    response = client.post("/me/check-in/", form(patient, pain="abc", temperature_c="hot", date="x", **junk))

    assert response.status_code == 400
    size = len(response.content)
    assert size < 50_000, f"the check-in page with errors weighs {size} bytes"


# --- reporting again the same day -----------------------------------------------------------------------


def checked(html: str, name: str) -> str | None:
    """The value of the checked radio called ``name``, if any."""
    for element in parse(html).iter():
        if element.tag == "input" and element.attrs.get("name") == name and "checked" in element.attrs:
            return element.attrs.get("value")
    return None


def test_reporting_again_starts_from_this_mornings_answers(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=3)
    client.post("/me/check-in/", form(patient, pain="6", temperature_c="37.9", symptom__saddle_numbness="moderate"))

    html = body(client.get("/me/check-in/"))

    assert checked(html, "symptom__saddle_numbness") == "moderate"  # "Yes"
    page = parse(html)
    assert [e.attrs.get("value") for e in page.find_all("input", name="temperature_c")] == ["37.9"]
    # The pain is asked again, never chosen in advance: this morning's answer is shown beside it.
    assert [e.attrs["value"] for e in page.find_all("input", name="pain") if "checked" in e.attrs] == []
    [pain] = [e for e in page.find_all("fieldset") if "pain-choices" in e.classes]
    assert "you chose 6" in pain.text()


def test_a_calmer_amendment_still_shows_the_earlier_emergency(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=3)
    client.post("/me/check-in/", form(patient, pain="6", symptom__bladder_control_loss="moderate"))

    response = client.post("/me/check-in/", form(patient, pain="5"), follow=True)

    html = body(response)
    # The emergency still fills the screen, with the calmer answer to what they said now named under it.
    assert parse(html).find_all("h1")[0].text() == "Go to the emergency department now"
    assert "sounds calmer (this is expected)" in html
    assert "cauda equina syndrome" in html  # the reason is the morning report's, not the evening's
    today = body(client.get("/me/"))
    assert "Go to the emergency department now".lower() in today.lower()
    assert Alert.objects.get(patient=patient).disposition == "emergency"


def test_a_red_flag_stored_with_a_grade_still_shows_as_yes_and_survives_an_amendment(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=3)
    client.post("/me/check-in/", form(patient, pain="6"))
    # As an import or an older protocol may have stored it: a graded answer to a yes-or-no question.
    CheckIn.objects.filter(patient=patient).update(symptoms={"saddle_numbness": "severe"})

    html = body(client.get("/me/check-in/"))
    assert checked(html, "symptom__saddle_numbness") == "moderate"  # "Yes", not nothing

    # Sending the prefilled form back unchanged keeps the red flag.
    client.post(
        "/me/check-in/", form(patient, pain="6", symptom__saddle_numbness=checked(html, "symptom__saddle_numbness"))
    )
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.symptoms == {"saddle_numbness": "moderate"}
    assert checkin.disposition == "emergency"


def test_a_calmer_amendment_still_shows_the_earlier_call_to_the_clinic(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=4)
    client.post("/me/check-in/", form(patient, pain="5", temperature_c="38.4"))

    html = body(client.post("/me/check-in/", form(patient, pain="4", temperature_c="37.0"), follow=True))

    assert parse(html).find_all("h1")[0].text() == "This is expected"
    assert "Earlier today your report needed: call the clinic today" in html


def test_a_calmer_amendment_of_an_earlier_day_does_not_say_today(world: World) -> None:
    patient, client = signed_in_patient(world, days_ago=4)
    yesterday = (clinic_today(patient.clinic) - dt.timedelta(days=1)).isoformat()
    client.post("/me/check-in/", form(patient, date=yesterday, pain="5", temperature_c="38.4"))

    html = body(client.post("/me/check-in/", form(patient, date=yesterday, temperature_c="37.0"), follow=True))

    assert "Earlier today" not in html
    assert "your report needed: call the clinic today" in html


def test_a_red_flag_written_only_in_the_note_is_never_expected(world: World) -> None:
    # Every answer left at "No"; the patient wrote what worries them in their own words.
    patient, client = signed_in_patient(world)
    note = "I can't feel my legs properly and I wet myself"

    asked = client.post("/me/check-in/", form(patient, pain="3", note=note))

    assert asked.status_code == 200  # asked back first: nothing stored, nothing called expected
    assert "expected" not in body(asked).lower()
    legends = [e.text() for e in parse(asked.content).find_all("legend")]
    assert any(text.startswith("You wrote “wet myself”.") for text in legends)
    shown = [e.attrs["value"] for e in parse(asked.content).find_all("input", name="asked")]
    response = client.post("/me/check-in/", {**form(patient, pain="3", note=note), "asked": shown})
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.disposition == "emergency"
    page = body(client.get(response.headers["Location"]))
    assert "wet myself" in page
    alert = Alert.objects.get(patient=patient)
    assert alert.disposition == "emergency"
    assert any('you wrote "wet myself"' in line for f in alert.findings for line in f.evidence)


def test_a_note_about_someone_else_is_still_expected(world: World) -> None:
    patient, client = signed_in_patient(world)

    client.post("/me/check-in/", form(patient, pain="3", note="My husband has a fever, hope I don't catch it."))

    assert CheckIn.objects.get(patient=patient).disposition == "self_care"
    assert not Alert.objects.filter(patient=patient).exists()
