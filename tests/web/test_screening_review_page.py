"""The physician's review of a screening: the decision is stored through the service; an override needs a
reason, given beside the reason field."""

from __future__ import annotations

from typing import Any

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.models import Alert, AlertState, Patient, Screening
from tests.personas import World, enrol, screen, with_account
from tests.web.pages import body, client_for, error_beside


def screened(world: World, **answers: Any) -> tuple[Patient, Screening]:
    patient = with_account(world, enrol(world))
    return patient, screen(patient, **answers)


def url(patient: Patient, screening: Screening) -> str:
    return f"/clinic/patients/{patient.uuid}/screenings/{screening.uuid}/"


def test_the_page_shows_the_recommendation_and_the_answers(world: World) -> None:
    patient, screening = screened(world, pain=7)

    response = client_for(world.physician).get(url(patient, screening))

    assert response.status_code == 200
    page = body(response)
    assert patient.full_name in page
    assert "Recommendation: Eligible" in page
    assert "7/10" in page


def test_following_the_recommendation_needs_no_reason(world: World) -> None:
    patient, screening = screened(world)
    assert screening.recommended_candidacy == "eligible"

    response = client_for(world.physician).post(url(patient, screening), {"candidacy": "eligible", "reason": ""})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/clinic/patients/{patient.uuid}/"
    screening.refresh_from_db()
    patient.refresh_from_db()
    assert (screening.decided_candidacy, screening.decided_by, patient.stage) == (
        "eligible",
        world.physician,
        "approved",
    )
    assert AuditEvent.objects.filter(action="screening.decide", patient=patient, actor=world.physician).count() == 1


def test_a_decision_on_a_needs_review_screening_resolves_its_alert(world: World) -> None:
    patient, screening = screened(world, history=("anticoagulant_use",))
    assert screening.recommended_candidacy == "needs_review"
    alert = Alert.objects.get(screening=screening)

    response = client_for(world.physician).post(
        url(patient, screening), {"candidacy": "defer", "reason": "Stop the anticoagulant first; review in 4 weeks."}
    )

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    patient.refresh_from_db()
    assert patient.stage == "deferred"


BAD_INPUT: list[tuple[str, dict[str, Any], dict[str, str], str, str]] = [
    (
        "override without a reason",
        {},
        {"candidacy": "defer", "reason": ""},
        "reason",
        "Reason is required when the decision",
    ),
    ("override with blank reason", {}, {"candidacy": "defer", "reason": "   "}, "reason", "Reason is required when"),
    (
        "needs-review decided eligible without a reason",
        {"history": ("anticoagulant_use",)},
        {"candidacy": "eligible", "reason": ""},
        "reason",
        "differs from the recommendation (needs review)",
    ),
    ("candidacy missing", {}, {"reason": "x"}, "candidacy", "This field is required"),
    ("candidacy needs_review", {}, {"candidacy": "needs_review", "reason": "x"}, "candidacy", "Select a valid choice"),
    ("candidacy tampered", {}, {"candidacy": "yes please", "reason": "x"}, "candidacy", "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("answers", "data", "field", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_beside_its_field(
    world: World, answers: dict[str, Any], data: dict[str, str], field: str, message: str
) -> None:
    patient, screening = screened(world, **answers)

    response = client_for(world.physician).post(url(patient, screening), data)

    assert response.status_code == 400
    assert message in error_beside(response.content, name=field)
    screening.refresh_from_db()
    patient.refresh_from_db()
    assert (screening.decided_candidacy, screening.decided_by, patient.stage) == ("", None, "screened")
    assert not AuditEvent.objects.filter(action="screening.decide").exists()


def test_a_screening_of_another_patient_is_not_found_under_this_patient(world: World) -> None:
    patient, _ = screened(world)
    _, theirs = screened(world)

    response = client_for(world.physician).get(url(patient, theirs))

    assert response.status_code == 404
