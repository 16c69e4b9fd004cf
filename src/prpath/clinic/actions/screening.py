"""Screening: the patient's answers before an injection, their assessment, and the physician's decision."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.alerts import apply_assessment, resolve_screening_alerts
from prpath.clinic.actions.base import audit, lock_patient, person, problems, remember, sent_before
from prpath.clinic.models import Patient, Screening, Stage, UnsentForm
from prpath.clinic.translate import ClinicProtocol, case_as_data, screening_patient
from prpath.core.findings import records_of
from prpath.core.notes import note_windows
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Candidacy, Disposition, as_asked
from prpath.core.triage import Assessment, Case, assess_screening, check_case

FORM_FIELDS = ("pain_trend", "pain", "symptoms", "temperature_c", "conditions", "history", "date", "note")


@dataclass(frozen=True, slots=True)
class ScreeningAnswers:
    conditions: Sequence[str]
    history: Sequence[str]
    pain: int
    pain_trend: str
    symptoms: Mapping[str, str] = field(default_factory=dict)
    note: str = ""  # the patient's own words; what they report counts as the symptoms do


@dataclass(frozen=True, slots=True)
class RefusedScreening:
    """What could be read of a screening form that was refused (None where nothing could be read)."""

    conditions: Sequence[str]
    history: Sequence[str]
    pain: int | None
    pain_trend: str | None
    symptoms: Mapping[str, str]
    refused: Sequence[str] = ()
    note: str = ""  # as far as it could be read (a red flag there counts too)


def field_problems(error: ValidationError) -> ProblemsFound:
    """A value the engine's input model refuses, named by the form field it came from."""
    found = []
    for item in error.errors():
        name = next((str(part) for part in item["loc"] if part in FORM_FIELDS), ".".join(map(str, item["loc"])))
        found.append(Problem(name, item["msg"]))
    return ProblemsFound(found)


def _answer_field(location: str) -> str:
    # check_case names the engine's fields (patient.baseline.pain); the form's fields are flat.
    for prefix in ("patient.baseline.", "patient."):
        if location.startswith(prefix):
            return location.removeprefix(prefix).split("[")[0].split(".")[0]
    return location


@transaction.atomic(durable=True)
def do_record_screening(
    actor: Actor,
    patient: Patient,
    answers: ScreeningAnswers,
    *,
    protocol: ClinicProtocol,
    now: dt.datetime,
    once: uuid.UUID | None = None,
) -> Screening:
    """Store the answers, assess them, make them the patient's baseline, and raise an alert if needed. The
    same rendered form sent again (``once``) returns the first screening and stores nothing."""
    protocol.check_clinic(patient.clinic_id)
    stored: dict[str, Any] = {
        "conditions": sorted(answers.conditions),
        "history": sorted(answers.history),
        "pain": answers.pain,
        "pain_trend": answers.pain_trend,
        "symptoms": dict(sorted(as_asked(protocol.protocol, answers.symptoms).items())),
        "note": answers.note.strip(),
    }
    try:
        case = Case(phase="screening", patient=screening_patient(stored))
    except ValidationError as error:
        raise field_problems(error) from None
    found = check_case(protocol.protocol, case)
    if found:
        raise ProblemsFound([Problem(_answer_field(p.location), p.message) for p in found])
    assessment = assess_screening(protocol.protocol, case.patient)
    assert assessment.candidacy is not None
    patient = lock_patient(patient.pk)
    if (first := sent_before(actor, once, "screening", answers)) is not None:
        return Screening.objects.get(uuid=first)
    screening = Screening.objects.create(
        patient=patient,
        answered_at=now,
        answered_by=person(actor),
        answers=stored,
        protocol=protocol.version,
        case=case_as_data(case),
        disposition=assessment.disposition.value,
        recommended_candidacy=assessment.candidacy.value,
        findings=records_of(assessment.findings),
    )
    patient.conditions = stored["conditions"]
    patient.history = stored["history"]
    patient.baseline_pain = answers.pain
    patient.baseline_pain_trend = answers.pain_trend
    patient.baseline_symptoms = stored["symptoms"]
    if patient.stage != Stage.INJECTED:
        patient.stage = Stage.SCREENED
    patient.save()
    apply_assessment(patient, assessment, protocol=protocol, screening=screening, now=now)
    audit(actor, AuditAction.SCREENING_RECORD, patient.clinic, now=now, patient=patient, object_uuid=screening.uuid)
    remember(actor, once, "screening", answers, screening.uuid, now)
    return screening


@transaction.atomic(durable=True)
def do_decide_candidacy(
    actor: Actor, screening: Screening, *, candidacy: Candidacy, reason: str, now: dt.datetime
) -> Screening:
    reason = reason.strip()
    if candidacy == Candidacy.NEEDS_REVIEW:
        raise problems(("candidacy", "decide eligible or defer: the review is this decision"))
    if candidacy.value != screening.recommended_candidacy and not reason:
        raise problems(
            (
                "reason",
                f"is required when the decision ({candidacy.value.replace('_', ' ')}) differs from the "
                f"recommendation ({screening.recommended_candidacy.replace('_', ' ')})",
            )
        )
    patient = lock_patient(screening.patient_id)
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    latest = patient.screenings.order_by("-answered_at").first()
    if latest is not None and latest.pk != screening.pk:
        raise problems(
            ("screening", "the patient has answered the screening again since: decide on the newest answers")
        )
    screening.decided_candidacy = candidacy.value
    screening.decision_reason = reason
    screening.decided_by = person(actor)
    screening.decided_at = now
    screening.save()
    if patient.stage != Stage.INJECTED:
        patient.stage = Stage.DEFERRED if candidacy == Candidacy.DEFER else Stage.APPROVED
        patient.save(update_fields=["stage"])
    resolve_screening_alerts(actor, screening, note=f"Candidacy decided: {candidacy.value}. {reason}".strip(), now=now)
    audit(
        actor,
        AuditAction.SCREENING_DECIDE,
        patient.clinic,
        now=now,
        patient=patient,
        object_uuid=screening.uuid,
        detail={"candidacy": candidacy.value, "recommended": screening.recommended_candidacy},
    )
    return screening


@transaction.atomic(durable=True)
def do_triage_refused_screening(
    actor: Actor, patient: Patient, answers: RefusedScreening, *, protocol: ClinicProtocol, now: dt.datetime
) -> Assessment | None:
    """The screening's counterpart of ``do_triage_refused_checkin``: a missing pain counts as none."""
    protocol.check_clinic(patient.clinic_id)
    assumed: dict[str, Any] = {}
    pain = answers.pain
    if pain is None:
        pain = assumed["pain"] = protocol.protocol.limits.pain_min
    assessment = None
    # A note too long to keep is read all the same, a protocol's length at a time.
    for words in note_windows(answers.note.strip(), protocol.protocol.note_limit):
        read = {
            "conditions": list(answers.conditions),
            "history": list(answers.history),
            "pain": pain,
            "pain_trend": answers.pain_trend or None,
            "symptoms": as_asked(protocol.protocol, answers.symptoms),
            "note": words,
        }
        try:
            triage_patient = screening_patient(read)
        except ValidationError:
            return None
        if check_case(protocol.protocol, Case(phase="screening", patient=triage_patient)):
            return None
        assessment = assess_screening(protocol.protocol, triage_patient)
        if assessment.disposition == Disposition.EMERGENCY:
            break
    if assessment is None or assessment.disposition != Disposition.EMERGENCY:
        return None
    patient = lock_patient(patient.pk)
    apply_assessment(patient, assessment, protocol=protocol, unsent=UnsentForm.SCREENING, now=now)
    audit_told(actor, patient, UnsentForm.SCREENING, assessment, answers.refused, assumed, now)
    return assessment


def audit_told(
    actor: Actor,
    patient: Patient,
    form: UnsentForm,
    assessment: Assessment,
    refused: Sequence[str],
    assumed: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """The patient was shown the emergency instruction for a form that was not stored."""
    action = (
        AuditAction.CHECKIN_REFUSED_BUT_EMERGENCY
        if form == UnsentForm.CHECKIN
        else AuditAction.SCREENING_REFUSED_BUT_EMERGENCY
    )
    audit(
        actor,
        action,
        patient.clinic,
        now=now,
        patient=patient,
        detail={
            "rules": [f.rule for f in assessment.findings if f.disposition == Disposition.EMERGENCY],
            "refused": list(refused),
            "assumed": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in assumed.items()},
        },
    )
