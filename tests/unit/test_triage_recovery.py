from __future__ import annotations

import datetime as dt

import pytest

from prpath.core.problems import ProblemsFound
from prpath.core.protocol import Candidacy, Disposition
from prpath.core.triage import Baseline, Case, CheckIn, Patient, Procedure, assess_recovery, assess_screening, triage
from prpath.files.protocols import default_protocol
from tests.conftest import DEFAULT_VERSION
from tests.factories import assess, checkin, recovery_case, rules_fired


def disposition(*checkins: dict[str, object], **kwargs: object) -> str:
    return assess(recovery_case(*checkins, **kwargs)).disposition.value  # type: ignore[arg-type]


def test_fever_on_day_four_is_urgent_and_says_so() -> None:
    result = assess(recovery_case(checkin(2, temperature=37.2), checkin(4, temperature=38.4)))
    assert result.disposition is Disposition.URGENT
    assert rules_fired(result) == ["recovery.fever"]
    assert result.findings[0].reason.startswith("Temperature 38.4 °C on day 4 after the injection.")
    assert (result.protocol_version, result.day, result.candidacy) == (DEFAULT_VERSION, 4, None)


@pytest.mark.parametrize(("temperature", "expected"), [(37.9, "self_care"), (38.0, "urgent"), (40.1, "urgent")])
def test_fever_threshold_is_inclusive(temperature: float, expected: str) -> None:
    assert disposition(checkin(2, temperature=temperature)) == expected


def test_reported_chills_count_whatever_the_thermometer_says() -> None:
    assert disposition(checkin(2, temperature=36.5, chills="mild")) == "urgent"


def test_fever_with_a_new_nerve_symptom_is_an_emergency() -> None:
    result = assess(recovery_case(checkin(3, temperature=38.2, leg_numbness="mild")))
    assert result.disposition is Disposition.EMERGENCY
    assert rules_fired(result)[0] == "recovery.fever_with_nerve_signs"


def test_fever_with_the_nerve_symptom_the_patient_always_had_is_urgent() -> None:
    case = recovery_case(checkin(3, temperature=38.2, leg_numbness="mild"), baseline_symptoms={"leg_numbness": "mild"})
    assert assess(case).disposition is Disposition.URGENT


def test_loss_of_bladder_control_is_an_emergency_even_when_present_at_baseline() -> None:
    case = recovery_case(checkin(5, bladder_control_loss="mild"), baseline_symptoms={"bladder_control_loss": "mild"})
    assert assess(case).disposition is Disposition.EMERGENCY


def test_new_weakness_is_an_emergency_but_unchanged_baseline_weakness_is_not() -> None:
    assert disposition(checkin(2, leg_weakness="mild")) == "emergency"
    assert disposition(checkin(2, leg_weakness="mild"), baseline_symptoms={"leg_weakness": "mild"}) == "self_care"


def test_a_baseline_symptom_worse_than_at_baseline_counts_as_new() -> None:
    assert disposition(checkin(2, leg_weakness="severe"), baseline_symptoms=["leg_weakness"]) == "emergency"


def test_a_baseline_symptom_worse_than_the_check_in_before_counts_as_new() -> None:
    case = recovery_case(
        checkin(4, leg_tingling="mild"), checkin(5, leg_tingling="moderate"), baseline_symptoms=["leg_tingling"]
    )
    result = assess(case)
    assert rules_fired(result) == ["recovery.new_sensory_symptoms"]
    assert "now moderate (mild at your previous check-in)" in result.findings[0].reason


def test_redness_on_days_0_to_2_is_expected_unless_severe_or_rising() -> None:
    assert disposition(checkin(2, injection_site_redness="moderate")) == "self_care"
    assert disposition(checkin(1, injection_site_redness="severe")) == "urgent"
    assert disposition(checkin(1, injection_site_warmth="mild"), checkin(2, injection_site_warmth="moderate")) == (
        "urgent"
    )
    assert disposition(checkin(3, injection_site_warmth="mild")) == "urgent"


def test_a_symptom_the_check_in_before_did_not_record_does_not_rise() -> None:
    assert disposition(checkin(1), checkin(2, injection_site_redness="moderate")) == "self_care"


@pytest.mark.parametrize(
    ("symptom", "last_expected_day", "rule"),
    [
        ("injection_site_pain", 5, "recovery.lingering_site_pain"),
        ("injection_site_swelling", 5, "recovery.lingering_site_pain"),
        ("injection_site_bruising", 10, "recovery.lingering_bruise"),
    ],
)
def test_site_effects_are_expected_until_their_window_ends(symptom: str, last_expected_day: int, rule: str) -> None:
    within = assess(recovery_case(checkin(last_expected_day, pain=5) | {"symptoms": {symptom: "mild"}}))
    after = assess(recovery_case(checkin(last_expected_day + 1, pain=5) | {"symptoms": {symptom: "mild"}}))
    assert within.disposition is Disposition.SELF_CARE
    assert rules_fired(within) == ["recovery.expected_site_effects"]
    assert (after.disposition, rules_fired(after)) == (Disposition.CONSULT, [rule])


def test_itching_alone_is_consult_and_with_a_rash_it_is_an_allergic_reaction() -> None:
    assert rules_fired(assess(recovery_case(checkin(2, itching="mild")))) == ["recovery.itching"]
    result = assess(recovery_case(checkin(2, itching="mild", rash="mild")))
    assert (result.disposition, rules_fired(result)) == (Disposition.URGENT, ["recovery.allergic_reaction"])


def test_worsening_pain_from_day_three() -> None:
    # At least 2 above baseline and higher than the check-in before.
    assert disposition(checkin(4, pain=7), checkin(5, pain=8)) == "urgent"
    assert disposition(checkin(4, pain=8), checkin(5, pain=8)) == "self_care"  # not rising
    assert disposition(checkin(1, pain=7), checkin(2, pain=9)) == "self_care"  # day 2: the flare


def test_worsening_pain_compares_with_the_baseline_when_there_is_no_check_in_before() -> None:
    result = assess(recovery_case(checkin(3, pain=8)))
    assert result.disposition is Disposition.URGENT
    assert result.findings[0].reason.startswith(
        "Back pain 8/10, 2 points above your usual 6 on day 3 after the injection."
    )


def test_pain_above_baseline_from_day_seven_is_consult() -> None:
    assert disposition(checkin(6, pain=7), checkin(7, pain=7)) == "consult"
    assert disposition(checkin(5, pain=7), checkin(6, pain=7)) == "self_care"


def test_pain_above_baseline_is_not_reported_twice_when_it_is_worsening() -> None:
    result = assess(recovery_case(checkin(7, pain=7), checkin(8, pain=9)))
    assert rules_fired(result) == ["recovery.worsening_pain"]


def test_pain_rules_need_a_baseline_pain_score() -> None:
    assert disposition(checkin(7, pain=3), checkin(8, pain=10), baseline_pain=None) == "self_care"


def test_the_latest_check_in_is_triaged_whatever_the_order_in_the_input() -> None:
    result = assess(recovery_case(checkin(4, temperature=38.6), checkin(2), checkin(3)))
    assert (result.disposition, result.day) == (Disposition.URGENT, 4)


def test_the_injection_day_is_day_zero() -> None:
    result = assess(recovery_case(checkin(0, difficulty_breathing="mild")))
    assert result.day == 0
    assert "on the day of the injection" in result.findings[0].reason


@pytest.mark.parametrize(
    ("checkins", "location"),
    [
        ([checkin(-1)], "checkins[0].date"),
        ([checkin(2), checkin(2, pain=7)], "checkins[1].date"),
        ([checkin(2, pain=11)], "checkins[0].pain"),
        ([checkin(2, temperature=45.5)], "checkins[0].temperature_c"),
        ([checkin(2, headache="mild")], "checkins[0].symptoms.headache"),
    ],
)
def test_implausible_input_is_an_error_naming_the_field(checkins: list[dict[str, object]], location: str) -> None:
    with pytest.raises(ProblemsFound) as raised:
        assess(recovery_case(*checkins))
    assert [p.location for p in raised.value.problems] == [location]


def test_every_problem_is_reported_not_only_the_first() -> None:
    with pytest.raises(ProblemsFound) as raised:
        assess(recovery_case(checkin(2, pain=11, temperature=20.0, headache="mild"), target="knee"))
    assert len(raised.value.problems) == 4


def test_the_app_can_assess_from_python_objects() -> None:
    # The web app builds inputs from database rows: dates are dates, and the same checks apply.
    patient = Patient(conditions=("sciatica",), baseline=Baseline(pain=6, symptoms={"leg_tingling": "mild"}))
    procedure = Procedure(date=dt.date(2026, 3, 2), target="epidural")
    checkins = [
        CheckIn(date=dt.date(2026, 3, 5), pain=6, temperature_c=38.6, symptoms={"leg_tingling": "moderate"}),
        CheckIn(date=dt.date(2026, 3, 4), pain=6),
    ]
    result = assess_recovery(default_protocol(), patient, procedure, checkins)
    assert (result.disposition, result.day) == (Disposition.EMERGENCY, 3)
    screened = assess_screening(default_protocol(), patient)
    assert (screened.disposition, screened.candidacy) == (Disposition.CONSULT, Candidacy.NEEDS_REVIEW)
    with pytest.raises(ProblemsFound, match=r"checkins\[0\]\.date: 2026-03-01 is before the injection"):
        assess_recovery(default_protocol(), patient, procedure, [CheckIn(date=dt.date(2026, 3, 1), pain=6)])


# --- the patient's note -------------------------------------------------------------------------------


def _with_note(note: str, **checkin: object) -> Case:
    return Case.model_validate(
        {
            "phase": "recovery",
            "patient": {"baseline": {"pain": 5}},
            "procedure": {"date": dt.date(2026, 3, 2), "target": "intradiscal"},
            "checkins": [{"date": dt.date(2026, 3, 5), "pain": 4, "symptoms": {}, "note": note, **checkin}],
        }
    )


def test_a_red_flag_in_the_note_alone_is_an_emergency_quoting_the_words() -> None:
    assessment = triage(default_protocol(), _with_note("All fine on the form, but I wet myself this morning."))

    assert assessment.disposition == Disposition.EMERGENCY
    assert any('you wrote "wet myself"' in e for f in assessment.findings for e in f.evidence)


def test_a_note_about_someone_else_changes_nothing() -> None:
    assessment = triage(default_protocol(), _with_note("My husband has a fever, I hope I don't catch it."))

    assert assessment.disposition == Disposition.SELF_CARE


def test_the_form_keeps_its_grade_for_a_symptom_the_note_also_reports() -> None:
    case = _with_note("The injection spot is sore where the needle went in.", symptoms={"injection_site_pain": "mild"})
    [finding] = triage(default_protocol(), case).findings

    assert finding.evidence[0].startswith("soreness where the needle went in (mild)")


def test_a_note_longer_than_the_protocol_allows_is_refused_naming_the_field() -> None:
    with pytest.raises(ProblemsFound) as refused:
        triage(default_protocol(), _with_note("x" * 2001))

    assert [str(p) for p in refused.value.problems] == ["checkins[0].note: is 2,001 characters; at most 2,000"]
