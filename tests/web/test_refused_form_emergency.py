"""A form refused for one bad answer must not hide an emergency in the others.

A patient who has lost control of their bladder and mistypes their temperature gets the form back to fix,
and nothing is stored; but the emergency instruction comes first, before any fix. What the other answers
say is triaged as it would be if they were sent, with the unreadable ones left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prpath.audit.models import AuditEvent
from prpath.clinic.actions import checkins as checkin_actions
from prpath.clinic.actions.alerts import do_resolve_alert
from prpath.clinic.actions.checkins import RefusedCheckIn, do_triage_refused_checkin
from prpath.clinic.models import Alert, CheckIn, CheckInVersion, Patient, Screening
from prpath.clinic.web.forms import readable_temperature
from tests.conftest import ROOT
from tests.personas import (
    World,
    check_in,
    clinic_today,
    enrol,
    injected_patient,
    now,
    patient_actor,
    protocol_of,
    staff,
    with_account,
)
from tests.web.pages import body, client_for, error_beside, parse
from tests.web.test_checkin_page import form as checkin_form
from tests.web.test_screening_page import form as screening_form

PROTOCOL = yaml.safe_load((ROOT / "src" / "prpath" / "files" / "default.yaml").read_text(encoding="utf-8"))
# The red flags are the symptoms asked yes or no; each alone needs the emergency department.
RED_FLAGS = [s["code"] for s in PROTOCOL["symptoms"] if s.get("graded", True) is False]
EMERGENCY_HEADLINE = "Go to the emergency department now"


def assert_report_not_stored_but_clinic_alerted(patient: Patient, form: str = "checkin") -> Alert:
    """The report is not stored; the clinic has one emergency alert saying the patient was told to go."""
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert not CheckInVersion.objects.filter(checkin__patient=patient).exists()
    assert not AuditEvent.objects.filter(action="checkin.record", patient=patient).exists()
    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.state, alert.unsent, alert.checkin) == ("emergency", "open", form, None)
    return alert


def emergency_cards(html: bytes) -> list[Any]:
    return [e for e in parse(html).find_all("section") if "emergency" in e.classes]


def _before_the_injection(patient: Patient) -> str:
    assert patient.injected_on is not None
    return (patient.injected_on - dt.timedelta(days=1)).isoformat()


def _tomorrow(patient: Patient) -> str:
    return (clinic_today(patient.clinic) + dt.timedelta(days=1)).isoformat()


BROKEN: list[tuple[str, Any, str, str]] = [
    ("pain 11", lambda p: {"pain": "11"}, "pain", "Choose a number from 0 to 10 (11 is not one)"),
    ("pain missing", lambda p: {"pain": None}, "pain", "Choose a number from 0 to 10: how your back is now"),
    ("temperature 60", lambda p: {"temperature_c": "60"}, "temperature_c", "60 is not a body temperature"),
    ("temperature hot", lambda p: {"temperature_c": "hot"}, "temperature_c", "Write it as a number"),
    ("date missing", lambda p: {"date": None}, "date", "This field is required"),
    ("date before the injection", lambda p: {"date": _before_the_injection(p)}, "date", "before the injection"),
    ("date tomorrow", lambda p: {"date": _tomorrow(p)}, "date", "in the future"),
    ("note too long", lambda p: {"note": "x" * 2001}, "note", "This is 2,001 characters long; it can hold 2,000."),
]


@pytest.mark.parametrize(("broken", "field", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_refused_check_in_with_a_red_flag_shows_the_emergency_first(
    world: World, broken: Any, field: str, message: str
) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, symptom__bladder_control_loss="moderate", **broken(patient))
    )

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    alert = assert_report_not_stored_but_clinic_alerted(patient)
    assert alert.procedure == patient.procedures.get()
    (card,) = emergency_cards(response.content)
    assert card.attrs.get("role") == "alert"
    assert EMERGENCY_HEADLINE in card.text()
    assert "bladder" in card.text().lower()
    assert "tel:999" in [a.attrs.get("href") for a in card.find_all("a")]
    assert "Riverside Spine has been told that you were asked to go" in card.text()
    assert "was not sent" in card.text()
    # It comes before the form and before the list of problems.
    html = response.content.decode()
    assert html.index("unsent-emergency") < html.index("Please check the form")
    told = AuditEvent.objects.get(action="checkin.refused_but_emergency")
    assert (told.patient, told.access, told.detail["rules"]) == (patient, "write", ["recovery.cauda_equina"])
    assert field in told.detail["refused"]


def test_a_refused_check_in_without_an_emergency_shows_only_the_problem(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    # A fever and a rash would be urgent, not an emergency: the form comes back as it is.
    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, pain="11", temperature_c="38.6", symptom__rash="mild")
    )

    assert response.status_code == 400
    assert emergency_cards(response.content) == []
    assert not AuditEvent.objects.filter(action__endswith="refused_but_emergency").exists()
    assert not Alert.objects.filter(patient=patient).exists()


def test_new_weakness_since_the_baseline_is_an_emergency_even_on_a_refused_form(world: World) -> None:
    # An emergency that needs the patient's baseline and earlier check-ins, not a red flag alone.
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    check_in(patient, days_after=2, pain=6)

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, temperature_c="3 8", symptom__leg_weakness="mild")
    )

    assert response.status_code == 400
    (card,) = emergency_cards(response.content)
    assert "weak" in card.text().lower()
    assert CheckIn.objects.filter(patient=patient).count() == 1  # only the earlier one


def test_weakness_already_there_before_the_injection_is_not_made_an_emergency(world: World) -> None:
    patient = injected_patient(world, days_ago=4, symptoms={"leg_weakness": "mild"})
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, temperature_c="3 8", symptom__leg_weakness="mild")
    )

    assert response.status_code == 400
    assert emergency_cards(response.content) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flags=st.lists(st.sampled_from(RED_FLAGS), min_size=1, unique=True),
    broken=st.sampled_from([b[1] for b in BROKEN]),
    pain=st.integers(min_value=0, max_value=10),
    others=st.dictionaries(st.sampled_from(["leg_tingling", "site_pain", "rash"]), st.sampled_from(["mild", "severe"])),
)
def test_any_red_flag_on_any_refused_check_in_shows_the_emergency(
    world: World, flags: list[str], broken: Any, pain: int, others: dict[str, str]
) -> None:
    patient = Patient.objects.filter(clinic=world.clinic, stage="injected").first() or injected_patient(
        world, days_ago=4
    )
    assert patient.user.has_joined
    data = checkin_form(
        patient,
        pain=str(pain),
        **{f"symptom__{code}": severity for code, severity in others.items()},
        **{f"symptom__{code}": "moderate" for code in flags},
    )
    data.update(broken(patient))
    data = {k: v for k, v in data.items() if v is not None}

    response = client_for(patient.user).post("/me/check-in/", data)

    assert response.status_code == 400
    assert len(emergency_cards(response.content)) == 1
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_a_refused_screening_with_a_red_flag_shows_the_emergency_first(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/screening/", screening_form(pain=None, symptom__saddle_numbness="moderate")
    )

    assert response.status_code == 400
    assert "Choose a number from 0 to 10" in error_beside(response.content, name="pain")
    (card,) = emergency_cards(response.content)
    assert EMERGENCY_HEADLINE in card.text()
    assert "your screening itself was not sent" in card.text().lower()
    assert not Screening.objects.filter(patient=patient).exists()
    assert_report_not_stored_but_clinic_alerted(patient, "screening")
    assert AuditEvent.objects.filter(action="screening.refused_but_emergency", patient=patient).exists()


def test_a_refused_screening_without_a_red_flag_shows_only_the_problem(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    response = client_for(patient.user).post("/me/screening/", screening_form(pain=None, history=["time_travel"]))

    assert response.status_code == 400
    assert emergency_cards(response.content) == []


# --- the action, where the unreadable answers are replaced ----------------------------------------------


def test_the_refused_check_in_is_triaged_with_the_last_pain_reported(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clinic protocol could make pain alone an emergency; the stand-in for an unreadable pain is the
    # last one the patient reported, not a number of our choosing.
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    check_in(patient, days_after=3, pain=9)
    seen: dict[str, Any] = {}
    real = checkin_actions.assess_checkin

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(checkin_actions, "assess_checkin", spy)

    told = do_triage_refused_checkin(
        patient_actor(patient),
        patient,
        RefusedCheckIn(date=None, pain=None, temperature_c=None, symptoms={"saddle_numbness": "moderate"}),
        protocol=protocol_of(patient),
        now=now(),
    )

    assert told is not None
    assert (seen["pain"], seen["date"], seen["temperature_c"]) == (9, clinic_today(patient.clinic), None)


def test_nothing_is_triaged_for_a_patient_not_yet_injected(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    told = do_triage_refused_checkin(
        patient_actor(patient),
        patient,
        RefusedCheckIn(date=None, pain=None, temperature_c=None, symptoms={"saddle_numbness": "moderate"}),
        protocol=protocol_of(patient),
        now=now(),
    )

    assert told is None


# --- what the refused answers most likely say --------------------------------------------------------


@pytest.mark.parametrize("typed", ["38.45", "38,45", "38.4°", "39.0C", "38.4 C", "101.5", "101.5F"])
def test_a_fever_typed_in_a_way_the_form_refuses_still_counts_with_a_new_nerve_symptom(
    world: World, typed: str
) -> None:
    # Fever with new tingling needs the emergency department: a temperature the form cannot take as typed
    # must not turn it into "not taken".
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/check-in/",
        checkin_form(patient, temperature_c=typed, symptom__leg_tingling="mild", note="x" * 2001),
    )

    assert response.status_code == 400
    (card,) = emergency_cards(response.content)
    assert EMERGENCY_HEADLINE in card.text()
    assert not CheckIn.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(("typed", "meant"), [("38.45", "38.5"), ("3 8.4", "38.4")])
def test_a_temperature_that_looks_like_another_reading_is_named_with_what_it_probably_means(
    world: World, typed: str, meant: str
) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    response = client_for(patient.user).post("/me/check-in/", checkin_form(patient, temperature_c=typed))

    assert response.status_code == 400
    assert f"Did you mean {meant} °C?" in error_beside(response.content, name="temperature_c")
    assert not CheckIn.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("sent", ["yes", "on", "severe", "mild"])
def test_a_red_flag_sent_in_another_form_still_shows_the_emergency(world: World, sent: str) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, temperature_c="60", symptom__bladder_control_loss=sent)
    )

    assert response.status_code == 400
    (card,) = emergency_cards(response.content)
    assert "bladder" in card.text().lower()


@pytest.mark.parametrize("grade", ["mild", "severe"])
def test_a_red_flag_sent_with_a_grade_is_taken_as_the_yes_it_is(world: World, grade: str) -> None:
    # A page drawn when the protocol still graded it: refusing the grade would draw the question again
    # with nothing chosen, and the yes could be lost on the next send.
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, symptom__bladder_control_loss=grade)
    )

    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.symptoms, checkin.disposition) == ({"bladder_control_loss": "moderate"}, "emergency")


def test_earlier_reports_the_protocol_no_longer_accepts_do_not_hide_todays_red_flag(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    earlier = check_in(patient, days_after=2)
    CheckIn.objects.filter(pk=earlier.pk).update(pain=42)  # stored under limits a clinic has since narrowed

    response = client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, temperature_c="60", symptom__saddle_numbness="moderate")
    )

    assert response.status_code == 400
    assert len(emergency_cards(response.content)) == 1


def test_the_audit_says_what_was_refused_and_what_was_assumed_in_its_place(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    check_in(patient, days_after=3, pain=7)

    client_for(patient.user).post(
        "/me/check-in/",
        checkin_form(patient, pain="11", date=None, temperature_c="hot", symptom__difficulty_breathing="moderate"),
    )

    told = AuditEvent.objects.get(action="checkin.refused_but_emergency")
    assert told.detail == {
        "rules": ["recovery.anaphylaxis"],
        "refused": ["date", "pain", "temperature_c"],
        "assumed": {"date": clinic_today(patient.clinic).isoformat(), "pain": 7, "temperature_c": None},
    }


def test_a_screening_with_a_red_flag_sent_as_yes_and_a_bad_history_still_shows_the_emergency(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined

    response = client_for(patient.user).post(
        "/me/screening/",
        screening_form(
            pain_trend=None, history=["time_travel", "anticoagulant_use"], symptom__bowel_control_loss="yes"
        ),
    )

    assert response.status_code == 400
    (card,) = emergency_cards(response.content)
    assert "bowel" in card.text().lower()
    told = AuditEvent.objects.get(action="screening.refused_but_emergency")
    assert told.detail["refused"] == ["history", "pain_trend", "symptom__bowel_control_loss"]


LOW, HIGH = Decimal("30"), Decimal("45")


@given(
    tenths=st.integers(min_value=300, max_value=450),
    spelling=st.sampled_from(["{t}", "{c}", "{t}°", "{t} °C", "{c}°C", "{t}C", " {t} ", "{t}0"]),
)
def test_a_celsius_reading_is_read_back_whatever_its_spelling(tenths: int, spelling: str) -> None:
    celsius = Decimal(tenths) / 10
    written = f"{celsius:.1f}"
    typed = spelling.format(t=written, c=written.replace(".", ","))

    assert readable_temperature(typed, LOW, HIGH) == celsius


@given(tenths=st.integers(min_value=300, max_value=450), suffix=st.sampled_from(["", "F", " °F", "f"]))
def test_a_fahrenheit_reading_is_read_as_the_celsius_it_is_within_a_tenth(tenths: int, suffix: str) -> None:
    celsius = Decimal(tenths) / 10
    fahrenheit = (celsius * 9 / 5 + 32).quantize(Decimal("0.1"))

    read = readable_temperature(f"{fahrenheit:.1f}{suffix}", LOW, HIGH)

    assert read is not None
    assert abs(read - celsius) <= Decimal("0.1")


@given(typed=st.text(max_size=12))
def test_anything_typed_is_read_within_the_limits_or_not_at_all(typed: str) -> None:
    read = readable_temperature(typed, LOW, HIGH)

    assert read is None or (LOW <= read <= HIGH and read == read.quantize(Decimal("0.1")))


# --- the clinic is told ------------------------------------------------------------------------------


def test_the_nurse_sees_the_unsent_emergency_at_the_top_of_the_worklist_and_why_it_has_no_report(
    world: World,
) -> None:
    fever = injected_patient(world, days_ago=4)
    check_in(fever, temperature_c="38.4")
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client_for(patient.user).post(
        "/me/check-in/", checkin_form(patient, temperature_c="60", symptom__bladder_control_loss="moderate")
    )

    page = parse(body(client_for(world.nurse).get("/clinic/alerts/")))

    cards = [e for e in page.find_all("li") if e.attrs.get("id", "").startswith("alert-")]
    assert patient.full_name in cards[0].text()
    assert "Not stored: the patient's latest check-in was refused" in cards[0].text()
    assert "call them" in cards[0].text()
    assert "Not stored" not in cards[1].text()


def test_the_form_sent_again_joins_the_same_alert_and_points_it_at_the_report(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/check-in/", checkin_form(patient, temperature_c="60", symptom__bladder_control_loss="moderate"))

    response = client.post(
        "/me/check-in/", checkin_form(patient, temperature_c="38.0", symptom__bladder_control_loss="moderate")
    )

    assert response.status_code == 302
    alert = Alert.objects.get(patient=patient)
    assert alert.checkin == CheckIn.objects.get(patient=patient)
    assert (alert.disposition, alert.state) == ("emergency", "open")
    nurse_page = parse(body(client_for(world.nurse).get("/clinic/alerts/"))).text()
    assert "Not stored" not in nurse_page


def test_an_unsent_emergency_told_twice_is_one_alert(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client = client_for(patient.user)

    for typo in ("60", "hot"):
        client.post(
            "/me/check-in/", checkin_form(patient, temperature_c=typo, symptom__bladder_control_loss="moderate")
        )

    assert Alert.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.filter(action="checkin.refused_but_emergency").count() == 2


def test_an_unsent_emergency_joining_an_open_alert_still_says_it_was_not_stored(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    earlier = check_in(patient, days_after=3, temperature_c="38.4")
    client = client_for(patient.user)

    client.post("/me/check-in/", checkin_form(patient, temperature_c="60", symptom__saddle_numbness="moderate"))

    alert = Alert.objects.get(patient=patient)
    assert (alert.disposition, alert.unsent, alert.checkin) == ("emergency", "checkin", earlier)
    card = parse(body(client_for(world.nurse).get("/clinic/alerts/"))).find_all("li", id_=f"alert-{alert.uuid}")[0]
    assert "Not stored" in card.text()

    # The report sent again is stored and now explains the alert.
    client.post("/me/check-in/", checkin_form(patient, temperature_c="38.0", symptom__saddle_numbness="moderate"))
    alert.refresh_from_db()
    assert (alert.unsent, alert.checkin) == (
        "",
        CheckIn.objects.get(patient=patient, date=clinic_today(patient.clinic)),
    )


def test_a_calmer_screening_after_an_unsent_emergency_does_not_become_what_the_alert_points_at(
    world: World,
) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/screening/", screening_form(symptom__saddle_numbness="moderate"))
    first = Alert.objects.get(patient=patient)
    do_resolve_alert(staff(world.nurse), first, note="Seen in the emergency department; no cauda equina.", now=now())
    client.post("/me/screening/", screening_form(pain=None, symptom__saddle_numbness="moderate"))

    client.post("/me/screening/", screening_form(history=["anticoagulant_use"]))

    unsent = Alert.objects.exclude(pk=first.pk).get(patient=patient)
    assert (unsent.disposition, unsent.unsent, unsent.screening) == ("emergency", "screening", None)
    today = body(client.get("/me/"))
    assert "From your answers on" not in today  # no banner for the first answers, which the clinic closed


# --- the patient's today page ------------------------------------------------------------------------


def today_emergency_cards(client: Any) -> list[Any]:
    return emergency_cards(body(client.get("/me/")).encode())


def test_today_keeps_an_unsent_emergency_in_view_until_a_stored_report_or_the_clinic_closes_it(
    world: World,
) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/check-in/", checkin_form(patient, temperature_c="60", symptom__bladder_control_loss="moderate"))

    (card,) = today_emergency_cards(client)
    assert EMERGENCY_HEADLINE in card.text()
    assert "Send your check-in again" in card.text()
    assert "What you can do" not in body(client.get("/me/"))

    # Sent again and stored: the day's own emergency card, once.
    client.post("/me/check-in/", checkin_form(patient, symptom__bladder_control_loss="moderate"))
    (card,) = today_emergency_cards(client)
    assert "Send your check-in again" not in card.text()

    do_resolve_alert(staff(world.nurse), Alert.objects.get(patient=patient), note="Seen in A&E; all clear.", now=now())
    assert not today_emergency_cards(client)  # the clinic has dealt with it: Today says so, with the guidance back
    assert "has dealt with your report from today" in body(client.get("/me/"))


def test_today_drops_an_unsent_emergency_the_clinic_has_closed(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/check-in/", checkin_form(patient, temperature_c="60", symptom__bladder_control_loss="moderate"))

    do_resolve_alert(staff(world.nurse), Alert.objects.get(patient=patient), note="Phoned: it was a mistap.", now=now())

    assert today_emergency_cards(client) == []
    assert "What you can do" in body(client.get("/me/"))


def test_today_before_the_injection_shows_an_unsent_screening_emergency(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user.has_joined
    client = client_for(patient.user)
    client.post("/me/screening/", screening_form(pain=None, symptom__difficulty_breathing="moderate"))

    (card,) = today_emergency_cards(client)
    assert "Send your answers again" in card.text()
