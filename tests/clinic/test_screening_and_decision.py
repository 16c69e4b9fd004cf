"""The screening questionnaire (``do_record_screening``) and the physician's decision on it
(``do_decide_candidacy``): the answers become the baseline; red flags raise an alert; a decision that
differs from the recommendation says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.alerts import do_acknowledge_alert
from prpath.clinic.actions.screening import ScreeningAnswers, do_decide_candidacy, do_record_screening
from prpath.clinic.models import Alert, AlertState, Patient, Screening, Stage
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Candidacy, Disposition
from tests.personas import World, enrol, injected_patient, patient_actor, protocol_of, screen, staff, with_account


def patient_with_account(world: World) -> Patient:
    return with_account(world, enrol(world))


def answers(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "conditions": ["degenerative_disc_disease"],
        "history": [],
        "pain": 6,
        "pain_trend": "stable",
        "symptoms": {},
    }
    return {**values, **changes}


def record(patient: Patient, **changes: Any) -> Screening:
    assert patient.user is not None
    return do_record_screening(
        patient_actor(patient.user),
        patient,
        ScreeningAnswers(**answers(**changes)),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )


def locations(found: pytest.ExceptionInfo[ProblemsFound]) -> set[str]:
    return {p.location for p in found.value.problems}


# --- screening -------------------------------------------------------------------------------------


def test_it_makes_the_answers_the_patients_baseline(world: World) -> None:
    patient = patient_with_account(world)

    screening = record(
        patient,
        conditions=["sciatica", "herniated_disc"],
        history=["nsaid_use"],
        pain=7,
        pain_trend="improving",
        symptoms={"leg_tingling": "mild"},
    )

    patient.refresh_from_db()
    assert patient.stage == Stage.SCREENED
    assert patient.baseline_pain == 7
    assert patient.baseline_pain_trend == "improving"
    assert patient.baseline_symptoms == {"leg_tingling": "mild"}
    assert sorted(patient.conditions) == ["herniated_disc", "sciatica"]
    assert patient.history == ["nsaid_use"]
    screening.refresh_from_db()
    assert screening.answered_by == patient.user
    assert screening.answers["pain"] == 7
    assert AuditEvent.objects.filter(patient=patient, action="screening.record", object_uuid=screening.uuid).exists()


def test_mild_leg_tingling_needs_the_physicians_review(world: World) -> None:
    # CLINICAL.md: numbness or tingling (not severe) is common with sciatica; the physician evaluates it first.
    patient = patient_with_account(world)

    screening = record(patient, conditions=["sciatica"], symptoms={"leg_tingling": "mild"})

    assert (screening.disposition, screening.recommended_candidacy) == ("consult", "needs_review")
    alert = Alert.objects.get(patient=patient)
    assert (alert.screening, alert.checkin, alert.state) == (screening, None, AlertState.OPEN)
    assert alert.disposition == "consult"


def test_a_clean_screening_is_eligible_and_raises_no_alert(world: World) -> None:
    patient = patient_with_account(world)

    screening = record(patient)

    assert (screening.disposition, screening.recommended_candidacy) == ("self_care", "eligible")
    assert not Alert.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    "symptom", ["bladder_control_loss", "urinary_retention", "bowel_control_loss", "saddle_numbness"]
)
def test_cauda_equina_signs_at_screening_are_an_emergency_with_an_alert(world: World, symptom: str) -> None:
    patient = patient_with_account(world)

    screening = record(patient, symptoms={symptom: "mild"})

    assert screening.disposition == Disposition.EMERGENCY
    assert screening.recommended_candidacy == Candidacy.DEFER
    alert = Alert.objects.get(patient=patient)
    assert (alert.screening, alert.clinic, alert.state) == (screening, world.clinic, AlertState.OPEN)
    assert alert.disposition == Disposition.EMERGENCY
    assert alert.severity_rank == Disposition.EMERGENCY.rank
    assert "Cauda equina" in alert.summary


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("symptoms", {"symptoms": {"back_spasm": "mild"}}),
        ("conditions", {"conditions": ["broken_leg"]}),
        ("history", {"history": ["smoking"]}),
        ("pain", {"pain": 11}),
    ],
)
def test_an_answer_the_protocol_does_not_know_is_refused_and_nothing_is_saved(
    world: World, field: str, change: dict[str, Any]
) -> None:
    patient = patient_with_account(world)

    with pytest.raises(ProblemsFound) as found:
        record(patient, **change)

    assert locations(found) == {field}
    patient.refresh_from_db()
    assert patient.stage == Stage.ENROLLED
    assert patient.baseline_pain is None
    assert not Screening.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(patient=patient, action="screening.record").exists()


def test_an_unknown_pain_trend_is_refused_naming_the_field(world: World) -> None:
    patient = patient_with_account(world)

    with pytest.raises(ProblemsFound) as found:
        record(patient, pain_trend="sideways")

    assert locations(found) == {"pain_trend"}
    assert not Screening.objects.filter(patient=patient).exists()


def test_a_severity_other_than_mild_moderate_or_severe_is_refused_at_screening(world: World) -> None:
    patient = patient_with_account(world)

    with pytest.raises(ProblemsFound) as found:
        record(patient, symptoms={"leg_tingling": "bad"})

    assert locations(found) == {"symptoms"}
    assert not Screening.objects.filter(patient=patient).exists()


def test_screening_again_after_the_injection_keeps_the_patient_injected(world: World) -> None:
    patient = injected_patient(world, days_ago=3)

    record(patient, pain=4)

    patient.refresh_from_db()
    assert patient.stage == Stage.INJECTED
    assert patient.baseline_pain == 4


# --- the physician's decision ----------------------------------------------------------------------


def test_approving_as_recommended_needs_no_reason(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient)

    do_decide_candidacy(staff(world.physician), screening, candidacy=Candidacy.ELIGIBLE, reason="", now=timezone.now())

    screening.refresh_from_db()
    patient.refresh_from_db()
    assert patient.stage == Stage.APPROVED
    assert (screening.decided_candidacy, screening.decided_by) == ("eligible", world.physician)
    assert screening.decided_at is not None
    assert not screening.overridden
    event = AuditEvent.objects.get(patient=patient, action="screening.decide")
    assert event.actor == world.physician
    assert event.detail == {"candidacy": "eligible", "recommended": "eligible"}


def test_deferring_as_recommended_moves_the_patient_to_deferred(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient, history=["pregnancy"])
    assert screening.recommended_candidacy == Candidacy.DEFER

    do_decide_candidacy(staff(world.physician), screening, candidacy=Candidacy.DEFER, reason="", now=timezone.now())

    patient.refresh_from_db()
    assert patient.stage == Stage.DEFERRED


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_overriding_the_recommendation_without_a_reason_is_refused(world: World, reason: str) -> None:
    patient = patient_with_account(world)
    screening = record(patient)  # recommended: eligible

    with pytest.raises(ProblemsFound) as found:
        do_decide_candidacy(
            staff(world.physician), screening, candidacy=Candidacy.DEFER, reason=reason, now=timezone.now()
        )

    assert locations(found) == {"reason"}
    screening.refresh_from_db()
    patient.refresh_from_db()
    assert (screening.decided_candidacy, screening.decided_by) == ("", None)
    assert patient.stage == Stage.SCREENED
    assert not AuditEvent.objects.filter(patient=patient, action="screening.decide").exists()


def test_overriding_with_a_reason_is_kept_with_the_reason(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient)

    do_decide_candidacy(
        staff(world.physician),
        screening,
        candidacy=Candidacy.DEFER,
        reason="  MRI first: new findings on exam.  ",
        now=timezone.now(),
    )

    screening.refresh_from_db()
    patient.refresh_from_db()
    assert screening.overridden
    assert screening.decision_reason == "MRI first: new findings on exam."
    assert patient.stage == Stage.DEFERRED


def test_approving_a_patient_the_review_flagged_needs_a_reason(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient, history=["antiplatelet_use"])
    assert screening.recommended_candidacy == Candidacy.NEEDS_REVIEW

    with pytest.raises(ProblemsFound) as found:
        do_decide_candidacy(
            staff(world.physician), screening, candidacy=Candidacy.ELIGIBLE, reason="", now=timezone.now()
        )

    assert locations(found) == {"reason"}
    patient.refresh_from_db()
    assert patient.stage == Stage.SCREENED


def test_needs_review_is_not_a_decision(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient, history=["antiplatelet_use"])

    with pytest.raises(ProblemsFound) as found:
        do_decide_candidacy(
            staff(world.physician),
            screening,
            candidacy=Candidacy.NEEDS_REVIEW,
            reason="Want to think about it.",
            now=timezone.now(),
        )

    assert locations(found) == {"candidacy"}
    screening.refresh_from_db()
    patient.refresh_from_db()
    assert screening.decided_candidacy == ""
    assert patient.stage == Stage.SCREENED


def test_the_decision_resolves_the_screenings_alert(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient, history=["antiplatelet_use"])
    alert = Alert.objects.get(patient=patient, screening=screening)
    do_acknowledge_alert(staff(world.nurse), alert, now=timezone.now())

    do_decide_candidacy(
        staff(world.physician),
        screening,
        candidacy=Candidacy.ELIGIBLE,
        reason="Cardiologist agrees to a 5-day pause.",
        now=timezone.now(),
    )

    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert alert.resolved_by == world.physician
    assert alert.resolved_at is not None
    assert "Cardiologist agrees to a 5-day pause." in alert.resolution_note
    assert alert.acknowledged_by == world.nurse  # who saw it first is kept


def test_a_decision_after_the_injection_keeps_the_patient_injected(world: World) -> None:
    patient = injected_patient(world, days_ago=2)
    screening = screen(patient)

    do_decide_candidacy(
        staff(world.physician), screening, candidacy=Candidacy.DEFER, reason="No repeat injection.", now=timezone.now()
    )

    patient.refresh_from_db()
    assert patient.stage == Stage.INJECTED


def test_the_database_refuses_an_override_without_a_reason(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient)  # recommended: eligible

    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(decided_candidacy="defer", decision_reason="")

    screening.refresh_from_db()
    assert screening.decided_candidacy == ""


def test_the_database_accepts_a_decision_as_recommended_without_a_reason(world: World) -> None:
    patient = patient_with_account(world)
    screening = record(patient)

    Screening.objects.filter(pk=screening.pk).update(decided_candidacy="eligible", decision_reason="")

    screening.refresh_from_db()
    assert screening.decided_candidacy == "eligible"


def test_answering_screening_again_never_closes_an_emergency_alert_by_itself(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user is not None
    do_record_screening(
        patient_actor(patient.user),
        patient,
        ScreeningAnswers(conditions=(), history=(), pain=6, pain_trend="stable", symptoms={"saddle_numbness": "mild"}),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )
    do_record_screening(
        patient_actor(patient.user),
        patient,
        ScreeningAnswers(conditions=(), history=(), pain=6, pain_trend="stable", symptoms={}),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )

    alert = Alert.objects.get(patient=patient)
    assert (alert.state, alert.disposition) == (AlertState.OPEN, "emergency")


def test_a_decision_on_answers_since_replaced_is_refused(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert patient.user is not None
    first = do_record_screening(
        patient_actor(patient.user),
        patient,
        ScreeningAnswers(conditions=(), history=(), pain=6, pain_trend="stable", symptoms={}),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )
    do_record_screening(
        patient_actor(patient.user),
        patient,
        ScreeningAnswers(conditions=(), history=("active_cancer",), pain=6, pain_trend="stable", symptoms={}),
        protocol=protocol_of(patient),
        now=timezone.now(),
    )

    with pytest.raises(ProblemsFound) as found:
        do_decide_candidacy(staff(world.physician), first, candidacy=Candidacy.ELIGIBLE, reason="", now=timezone.now())

    assert [p.location for p in found.value.problems] == ["screening"]
    first.refresh_from_db()
    assert first.decided_candidacy == ""
    patient.refresh_from_db()
    assert patient.stage == Stage.SCREENED


@pytest.mark.parametrize(
    ("symptoms", "disposition"),
    [({"bladder_control_loss": "severe"}, Disposition.EMERGENCY), ({"fever": "moderate"}, Disposition.URGENT)],
)
def test_the_decision_leaves_an_emergency_or_urgent_screening_alert_for_a_person_to_close(
    world: World, symptoms: dict[str, str], disposition: Disposition
) -> None:
    # Deferring the injection says nothing about whether the patient went to hospital or was called.
    patient = patient_with_account(world)
    screening = record(patient, symptoms=symptoms)
    alert = Alert.objects.get(patient=patient, screening=screening)
    assert alert.disposition == disposition

    do_decide_candidacy(staff(world.physician), screening, candidacy=Candidacy.DEFER, reason="", now=timezone.now())

    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert alert.resolved_by is None
