from __future__ import annotations

import pytest

from prpath.core.protocol import Candidacy, Disposition
from tests.factories import assess, rules_fired, screening_case


def test_nothing_found_is_self_care_and_eligible() -> None:
    result = assess(screening_case())
    assert (result.disposition, result.candidacy, result.findings) == (Disposition.SELF_CARE, Candidacy.ELIGIBLE, ())


@pytest.mark.parametrize(
    ("history", "symptoms", "disposition", "candidacy", "rule"),
    [
        ([], {"urinary_retention": "mild"}, "emergency", "defer", "screening.cauda_equina"),
        ([], {"difficulty_breathing": "mild"}, "emergency", "defer", "screening.anaphylaxis"),
        ([], {"leg_weakness": "mild"}, "urgent", "defer", "screening.motor_deficit"),
        ([], {"leg_numbness": "severe"}, "urgent", "defer", "screening.sensory_symptoms_severe"),
        ([], {"leg_tingling": "moderate"}, "consult", "needs_review", "screening.sensory_symptoms"),
        ([], {"chills": "mild"}, "urgent", "defer", "screening.infection_now"),
        (["active_infection"], {}, "consult", "defer", "screening.known_infection"),
        (["antiplatelet_use"], {}, "consult", "needs_review", "screening.bleeding_risk"),
        (["systemic_steroid_use"], {}, "consult", "needs_review", "screening.immune_and_steroids"),
        (["allergy_procedure_materials"], {}, "consult", "needs_review", "screening.allergy"),
        (["active_cancer"], {}, "consult", "defer", "screening.malignancy"),
        (["pregnancy"], {}, "consult", "defer", "screening.pregnancy"),
        (["nsaid_use"], {}, "self_care", "eligible", "screening.nsaid_washout"),
    ],
)
def test_each_screening_rule(
    history: list[str], symptoms: dict[str, str], disposition: str, candidacy: str, rule: str
) -> None:
    result = assess(screening_case(history=history, symptoms=symptoms))
    assert (result.disposition.value, result.candidacy and result.candidacy.value) == (disposition, candidacy)
    assert rules_fired(result) == [rule]


def test_worsening_pain_trend_needs_review() -> None:
    result = assess(screening_case(trend="worsening"))
    assert (result.disposition, result.candidacy) == (Disposition.CONSULT, Candidacy.NEEDS_REVIEW)
    assert "getting worse" in result.findings[0].reason


def test_the_most_restrictive_candidacy_wins_even_when_its_disposition_is_lower() -> None:
    # Pregnancy (consult, defer) beside a blood thinner (consult, needs_review).
    result = assess(screening_case(history=["anticoagulant_use", "pregnancy"]))
    assert result.candidacy is Candidacy.DEFER
    assert set(rules_fired(result)) == {"screening.bleeding_risk", "screening.pregnancy"}


def test_severe_tingling_is_not_also_reported_as_mild() -> None:
    result = assess(screening_case(symptoms={"leg_tingling": "severe"}))
    assert rules_fired(result) == ["screening.sensory_symptoms_severe"]


def test_symptoms_outside_the_rules_are_recorded_but_change_nothing() -> None:
    result = assess(screening_case(symptoms={"rash": "severe", "positional_headache": "mild"}))
    assert (result.disposition, result.candidacy) == (Disposition.SELF_CARE, Candidacy.ELIGIBLE)


def test_a_plain_list_of_baseline_symptoms_counts_as_moderate() -> None:
    result = assess(screening_case(symptoms=["leg_numbness"]))
    assert rules_fired(result) == ["screening.sensory_symptoms"]
    assert "(moderate)" in result.findings[0].reason


def test_findings_are_most_severe_first_and_cite_the_evidence() -> None:
    result = assess(screening_case(history=["nsaid_use", "bleeding_disorder"], symptoms={"saddle_numbness": "mild"}))
    assert [f.disposition.value for f in result.findings] == ["emergency", "consult", "self_care"]
    assert result.findings[0].reason.startswith("You reported numbness between the legs or around the back passage.")
    assert result.findings[0].rationale
    assert result.findings[0].source
