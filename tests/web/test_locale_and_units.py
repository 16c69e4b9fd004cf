"""Local units and words (issue 12, item 2): a clinic chooses its locale (en-GB, en-US) and temperature unit
(°C, °F). The temperature box takes either unit and says how it read it; medicine names and the protocol's
patient texts follow the locale; dates and times read as the locale reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prpath.clinic.models import CheckIn, Clinic, Patient
from prpath.core.protocol.locale import localized
from prpath.files.protocols import default_protocol
from tests.personas import World, clinic_today, create_clinic, injected_patient
from tests.web.pages import body, client_for, error_beside, parse

PROTOCOL = default_protocol()


def us_patient(world: World, *, days_ago: int = 3) -> Patient:
    """A patient of the other clinic, made an American one: en-US, °F."""
    Clinic.objects.filter(pk=world.other_clinic.pk).update(locale="en-US", temperature_unit="F")
    return injected_patient(world, days_ago=days_ago, clinic=world.other_clinic)


def sent(patient: Patient, temperature: str) -> CheckIn:
    data = {"date": clinic_today(patient.clinic).isoformat(), "pain": "4", "temperature_c": temperature}
    response = client_for(patient.user).post("/me/check-in/", data)
    assert response.status_code == 302, body(response)
    return CheckIn.objects.get(patient=patient, date=clinic_today(patient.clinic))


# --- the temperature in either unit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "celsius", "read_as"),
    [
        ("101.5", "38.6", "101.5 °F"),
        ("99.1F", "37.3", "99.1 °F"),
        ("100,4 °F", "38.0", "100.4 °F"),
        ("38.4", "38.4", ""),
    ],
)
def test_the_temperature_box_reads_either_unit_and_keeps_what_was_typed(
    world: World, typed: str, celsius: str, read_as: str
) -> None:
    patient = injected_patient(world, days_ago=4)

    checkin = sent(patient, typed)

    assert (checkin.temperature_c, checkin.temperature_read_as) == (Decimal(celsius), read_as)
    page = body(client_for(patient.user).get(f"/me/check-ins/{checkin.uuid}/"))
    if read_as:
        assert f"{celsius} °C (typed as {read_as})" in page  # how it was read, said where it is shown


def test_101_5_is_a_fever_read_at_once_not_a_digits_error(world: World) -> None:
    patient = injected_patient(world, days_ago=4)

    assert sent(patient, "101.5").disposition == "urgent"


def test_a_reading_in_neither_unit_is_refused_naming_both_ranges(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    data = {"date": clinic_today(patient.clinic).isoformat(), "pain": "4", "temperature_c": "60"}

    response = client_for(patient.user).post("/me/check-in/", data)

    assert response.status_code == 400
    said = error_beside(response.content, name="temperature_c")
    assert "°C (30 to 45)" in said
    assert "°F (86 to 113)" in said


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=86, max_value=113, places=1))
def test_every_body_temperature_in_fahrenheit_is_read_as_the_same_celsius(fahrenheit: Decimal) -> None:
    from prpath.clinic.web.forms import TemperatureField

    field = TemperatureField(low=Decimal(30), high=Decimal(45))
    celsius = field.clean(f"{fahrenheit}F")
    assert celsius is not None
    assert abs(celsius - (fahrenheit - 32) * 5 / 9) <= Decimal("0.05")
    assert field.clean(str(fahrenheit)) == celsius  # without the unit, the same reading: no °C is that high
    assert field.read_as == f"{fahrenheit} °F"


# --- a clinic's units, words and dates -------------------------------------------------------------------


def test_a_fahrenheit_clinic_shows_temperatures_in_fahrenheit_with_celsius_beside(world: World) -> None:
    patient = us_patient(world)

    checkin = sent(patient, "38.4")

    page = body(client_for(patient.user).get(f"/me/check-ins/{checkin.uuid}/"))
    assert "101.1 °F (38.4 °C)" in page


def test_medicine_names_follow_the_locale(world: World) -> None:
    american = us_patient(world)
    british = injected_patient(world, days_ago=3)

    us_today = parse(body(client_for(american.user).get("/me/"))).text()
    gb_today = parse(body(client_for(british.user).get("/me/"))).text()

    assert "Acetaminophen" in us_today
    assert "aracetamol" not in us_today
    assert "Paracetamol" in gb_today


def test_dates_read_as_the_locale_reads_them(world: World) -> None:
    american = us_patient(world)
    british = injected_patient(world, days_ago=3)
    day, british_day = american.injected_on, british.injected_on
    assert day is not None
    assert british_day is not None

    us_today = parse(body(client_for(american.user).get("/me/"))).text()
    gb_today = parse(body(client_for(british.user).get("/me/"))).text()

    assert f"{day:%A}, {day:%B} {day.day}" in us_today  # "Tuesday, December 1"
    assert f"{british_day:%A} {british_day.day} {british_day:%B}" in gb_today


def test_a_clinic_with_an_unknown_locale_or_unit_is_refused_by_name(world: World) -> None:
    from prpath.core.problems import ProblemsFound

    with pytest.raises(ProblemsFound) as refused:
        create_clinic("Elsewhere", "+1 555 0111", locale="fr-FR", temperature_unit="K")

    assert {p.location for p in refused.value.problems} == {"locale", "temperature_unit"}
    assert not Clinic.objects.filter(name="Elsewhere").exists()


# --- the protocol's words by locale (the core, no database) --------------------------------------------------


def test_localized_changes_words_never_rules_codes_or_the_note_reader() -> None:
    american = localized(PROTOCOL, "en-US")

    assert american.screening_rules != PROTOCOL.screening_rules  # a reason names paracetamol
    for ours, theirs in zip(
        PROTOCOL.screening_rules + PROTOCOL.recovery_rules,
        american.screening_rules + american.recovery_rules,
        strict=True,
    ):
        assert (ours.id, ours.when, ours.disposition, ours.window) == (
            theirs.id,
            theirs.when,
            theirs.disposition,
            theirs.window,
        )
    assert american.signs == PROTOCOL.signs
    assert american.notes == PROTOCOL.notes
    assert [s.code for s in american.symptoms] == [s.code for s in PROTOCOL.symptoms]
    assert american.limits == PROTOCOL.limits
    assert localized(PROTOCOL, "en-GB") is PROTOCOL


@given(st.sampled_from(["paracetamol", "Paracetamol", "PARACETAMOL"]), st.text(alphabet="abc ", max_size=10))
def test_a_locale_word_is_swapped_whole_keeping_its_capital(word: str, around: str) -> None:
    protocol = PROTOCOL.model_copy(update={"description": f"{around} {word}. paracetamolx {around}"})

    american = localized(protocol, "en-US")

    assert american.description is not None
    assert "paracetamolx" in american.description  # part of a longer word: not swapped
    expected = "Acetaminophen" if word[0].isupper() else "acetaminophen"
    assert f"{expected}." in american.description


def test_date_boxes_hold_iso_dates_in_every_locale(world: World) -> None:
    """A type=date box reads only 2026-12-04: a locale's 04/12/2026 leaves it empty, and the form is sent
    without its date."""
    for patient in (us_patient(world), injected_patient(world, days_ago=3)):
        page = parse(body(client_for(patient.user).get("/me/check-in/")))
        [date] = page.find_all("input", name="date")
        assert date.attrs["value"] == clinic_today(patient.clinic).isoformat()


def test_a_locale_word_that_is_also_a_code_changes_no_code_disposition_or_coding() -> None:
    protocol = PROTOCOL.model_copy(
        update={"locales": {"en-US": {"consult": "see", "urgent": "x", "both": "all", "fever": "temperature"}}}
    )

    american = localized(protocol, "en-US")

    rules = protocol.screening_rules + protocol.recovery_rules
    theirs = american.screening_rules + american.recovery_rules
    assert [(r.id, r.disposition, r.candidacy, r.when) for r in rules] == [
        (r.id, r.disposition, r.candidacy, r.when) for r in theirs
    ]
    assert american.instruments == protocol.instruments
    assert american.coding == protocol.coding
    assert [s.code for s in american.symptoms] == [s.code for s in protocol.symptoms]
    assert american.notes == protocol.notes


def test_a_fahrenheit_clinic_reads_the_rules_temperatures_in_fahrenheit_too(world: World) -> None:
    patient = us_patient(world, days_ago=4)
    checkin = sent(patient, "101.1")

    why = [
        e.text()
        for e in parse(body(client_for(patient.user).get(f"/me/check-ins/{checkin.uuid}/"))).find_all("li")
        if "reason" in e.classes
    ]
    nurse = patient.clinic.staff.filter(role="nurse").first()
    assert nurse is not None
    worklist = parse(body(client_for(nurse.user).get("/clinic/alerts/"))).text()

    assert any("101.1 °F (38.4 °C)" in line for line in why), why
    assert "101.1 °F (38.4 °C)" in worklist
