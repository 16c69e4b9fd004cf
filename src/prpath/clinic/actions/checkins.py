"""Daily check-ins: recorded (or amended), triaged at once, and turned into an alert when needed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.alerts import apply_assessment
from prpath.clinic.actions.base import audit, lock_patient, person, problems, remember, sent_before
from prpath.clinic.actions.screening import audit_told, field_problems
from prpath.clinic.models import Alert, AlertState, CheckIn, CheckInVersion, Patient, Procedure, UnsentForm
from prpath.clinic.translate import (
    ClinicProtocol,
    case_as_data,
    celsius,
    clinic_today,
    triage_checkins,
    triage_patient,
    triage_procedure,
)
from prpath.core import recovery
from prpath.core.findings import records_of
from prpath.core.notes import NoteAnswer, note_windows
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Disposition, Protocol, as_asked
from prpath.core.triage import Assessment, Case, assess_recovery, check_case
from prpath.core.triage import CheckIn as TriageCheckIn


@dataclass(frozen=True, slots=True)
class CheckInReport:
    date: dt.date
    pain: int
    temperature_c: Decimal | None = None
    symptoms: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    temperature_read_as: str = ""  # what was typed, when it was not °C ("101.5 °F")
    # What the patient answered when asked about a symptom their note reports and the form did not.
    note_answers: Mapping[str, NoteAnswer] = field(default_factory=dict)

    @property
    def denied(self) -> tuple[str, ...]:
        return tuple(sorted(code for code, answer in self.note_answers.items() if answer == NoteAnswer.NO))


@dataclass(frozen=True, slots=True)
class RefusedCheckIn:
    """What could be read of a check-in form that was refused (None where nothing could be read)."""

    date: dt.date | None
    pain: int | None
    temperature_c: Decimal | None
    symptoms: Mapping[str, str]
    refused: Sequence[str] = ()
    note: str = ""  # the patient's words, as far as they could be read (a red flag there counts too)


def assess_checkin(
    protocol: Protocol,
    patient: Patient,
    procedure: Procedure,
    earlier: Sequence[CheckIn],
    *,
    date: dt.date,
    pain: int,
    temperature_c: Decimal | None,
    symptoms: Mapping[str, str],
    note: str = "",
    denied: Sequence[str] = (),
) -> tuple[Case, Assessment]:
    """The case the engine is given for a report, and its assessment. Raises ProblemsFound naming the
    report's own fields as the form does."""
    try:
        checkins = [
            *triage_checkins(earlier, protocol),
            TriageCheckIn(
                date=date,
                pain=pain,
                temperature_c=celsius(temperature_c),
                symptoms=dict(symptoms),  # type: ignore[arg-type]  # check_case below names a bad severity
                note=note.strip() or None,  # what the patient's words report counts as reported
                denied=tuple(denied),  # unless, asked back, they said they do not have it
            ),
        ]
        case = Case(
            phase="recovery",
            patient=triage_patient(patient, protocol),
            procedure=triage_procedure(procedure),
            checkins=tuple(checkins),
        )
    except ValidationError as error:
        raise field_problems(error) from None
    last = len(checkins) - 1
    found = check_case(protocol, case)
    mine = [p for p in found if p.location.startswith(f"checkins[{last}]")]
    if mine:
        # Only this report's fields are the patient's to fix; name them as the form does.
        raise ProblemsFound(
            [
                Problem(p.location.removeprefix(f"checkins[{last}]").lstrip(".").split("[")[0].split(".")[0], p.message)
                for p in mine
            ]
        )
    if found:  # stored data the protocol no longer accepts: a clinic problem, not the patient's
        raise ProblemsFound(found)
    assert case.procedure is not None
    return case, assess_recovery(protocol, case.patient, case.procedure, case.checkins)


def _injection_before(patient: Patient, date: dt.date) -> tuple[Procedure, list[CheckIn]]:
    """The injection a report for ``date`` is about, and the check-ins before that date; ProblemsFound when
    there is none."""
    procedure = patient.procedures.filter(performed_on__lte=date).order_by("-performed_at").first()
    if procedure is None:
        first = patient.procedures.order_by("performed_at").first()
        raise problems(
            ("date", f"is before the injection ({first.performed_on.isoformat()})")
            if first
            else ("date", "no injection is recorded yet: check-ins start after it")
        )
    return procedure, list(procedure.checkins.filter(date__lt=date).order_by("date"))


def needs_the_clinic_without_the_note(patient: Patient, report: CheckInReport, *, protocol: ClinicProtocol) -> bool:
    """Whether the form's own answers, the note aside, already need the clinic today or more. Such a report
    is not held back for questions about its note: what it needs is said at once, the note counted as
    written. (A report that cannot be assessed is left to ``do_record_checkin`` to refuse.)"""
    try:
        procedure, earlier = _injection_before(patient, report.date)
        _, assessment = _assess_report(protocol.protocol, patient, procedure, earlier, report, with_note=False)
    except ProblemsFound:
        return False
    return assessment.disposition.rank >= Disposition.URGENT.rank


def _assess_report(
    protocol: Protocol,
    patient: Patient,
    procedure: Procedure,
    earlier: Sequence[CheckIn],
    report: CheckInReport,
    *,
    with_note: bool = True,
) -> tuple[Case, Assessment]:
    return assess_checkin(
        protocol,
        patient,
        procedure,
        earlier,
        date=report.date,
        pain=report.pain,
        temperature_c=report.temperature_c,
        symptoms=as_asked(protocol, report.symptoms),
        note=report.note if with_note else "",
        denied=report.denied if with_note else (),
    )


@transaction.atomic(durable=True)
def do_record_checkin(
    actor: Actor,
    patient: Patient,
    report: CheckInReport,
    *,
    protocol: ClinicProtocol,
    now: dt.datetime,
    once: uuid.UUID | None = None,
) -> CheckIn:
    """Record (or amend) the day's check-in, triage it at once, and raise or update its alert.

    A second report on the same day amends that day's check-in: the earlier version stays in
    ``CheckInVersion`` and the alert, if any, follows the most severe report of the day. The same rendered
    form sent again (``once``, its one-time token) returns the check-in the first one made, and stores nothing.
    """
    protocol.check_clinic(patient.clinic_id)
    symptoms = as_asked(protocol.protocol, report.symptoms)
    # One report at a time per patient: two phones submitting together must not both see "no check-in".
    patient = lock_patient(patient.pk)
    if (first := sent_before(actor, once, "checkin", report)) is not None:
        return CheckIn.objects.select_related("procedure", "protocol").get(uuid=first)
    today = clinic_today(patient.clinic, now)
    if report.date > today:
        raise problems(("date", f"is in the future (today is {today.isoformat()})"))
    procedure, earlier = _injection_before(patient, report.date)
    case, assessment = _assess_report(protocol.protocol, patient, procedure, earlier, report)
    findings = records_of(assessment.findings)
    values: dict[str, Any] = {
        "pain": report.pain,
        "temperature_c": report.temperature_c,
        "temperature_read_as": report.temperature_read_as if report.temperature_c is not None else "",
        "symptoms": dict(sorted(symptoms.items())),
        "note": report.note.strip(),
        "note_answers": {code: str(answer) for code, answer in sorted(report.note_answers.items())},
        "protocol": protocol.version,
        "disposition": assessment.disposition.value,
        "findings": findings,
        "submitted_at": now,
    }
    checkin = procedure.checkins.filter(date=report.date).first()
    if checkin is None:
        checkin = CheckIn.objects.create(
            patient=patient,
            procedure=procedure,
            date=report.date,
            day=(report.date - procedure.performed_on).days,
            note_unread=bool(values["note"]),
            **values,
        )
    else:
        if checkin.note != values["note"]:  # different words: the clinic has not read these yet
            checkin.note_read_at, checkin.note_read_by = None, None
            # Words amended away unread stay to read (queries.staff_pages shows them beside the new ones).
            checkin.note_unread = checkin.note_unread or bool(values["note"])
        for name, value in values.items():
            setattr(checkin, name, value)
        checkin.revision += 1
        checkin.save()
    CheckInVersion.objects.create(
        checkin=checkin, revision=checkin.revision, submitted_by=person(actor), case=case_as_data(case), **values
    )
    _answer_held_alerts(actor, patient, checkin, assessment, protocol=protocol, now=now)
    apply_assessment(patient, assessment, protocol=protocol, checkin=checkin, now=now)
    if procedure.performed_on == patient.injected_on:
        last = max(report.date, patient.last_checkin_on) if patient.last_checkin_on else report.date
        patient.last_checkin_on = last
        patient.next_checkin_due = recovery.next_checkin_due(protocol.protocol.schedules, procedure.performed_on, last)
        patient.save(update_fields=["last_checkin_on", "next_checkin_due"])
    audit(
        actor,
        AuditAction.CHECKIN_RECORD,
        patient.clinic,
        now=now,
        patient=patient,
        object_uuid=checkin.uuid,
        detail={
            "date": report.date.isoformat(),
            "revision": checkin.revision,
            "disposition": checkin.disposition,
            **({"note_answers": values["note_answers"]} if report.note_answers else {}),
        },
    )
    remember(actor, once, "checkin", report, checkin.uuid, now)
    return checkin


def _answer_held_alerts(
    actor: Actor,
    patient: Patient,
    checkin: CheckIn,
    assessment: Assessment,
    *,
    protocol: ClinicProtocol,
    now: dt.datetime,
) -> None:
    """A check-in is stored after the patient was asked about their note, where the note read as written
    needed the clinic today or more and the clinic was told so at once (``do_triage_refused_checkin``).

    The stored report now explains that alert. It is withdrawn (resolved, saying what the patient answered)
    only when nothing but the unanswered note made it (no stored report behind it), nobody has taken it on
    yet, and the patient answered "no" to every question it was raised for; anything the report itself
    needs is raised as usual afterwards. Otherwise the alert now points at the stored report, for a person
    to close."""
    # Only the day the held report was about: another day's report does not answer its questions.
    held = (
        Alert.objects.select_for_update(of=("self",))
        .filter(patient=patient, procedure_id=checkin.procedure_id, asked_back=True, asked_for=checkin.date)
        .exclude(state=AlertState.RESOLVED)
    )
    labels = {s.code: s.label for s in protocol.protocol.symptoms}
    answers = checkin.note_answers
    for alert in held:
        denied_all = bool(alert.asked_about) and all(answers.get(code) == "no" for code in alert.asked_about)
        withdrawn = alert.checkin_id is None and alert.state == AlertState.OPEN and denied_all
        alert.asked_back = False
        alert.unsent = ""
        alert.checkin = alert.checkin or checkin
        alert.updated_at = now
        said = "; ".join(f"{labels.get(code, code)}: {answers.get(code, 'not answered')}" for code in alert.asked_about)
        if withdrawn:
            alert.state = AlertState.RESOLVED
            alert.resolved_by = person(actor)
            alert.resolved_at = now
            alert.resolution_note = (
                "Withdrawn when the check-in was sent: asked about the words in their note, the patient answered "
                f"no ({said})."
            )
        else:
            alert.reopened_note = f"the check-in was sent; asked about their note, the patient answered {said}"[:300]
        alert.save()
        if withdrawn:
            audit(
                actor,
                AuditAction.ALERT_WITHDRAW,
                patient.clinic,
                now=now,
                patient=patient,
                object_uuid=alert.uuid,
                detail={"checkin": str(checkin.uuid), "note_answers": dict(answers)},
            )


@transaction.atomic(durable=True)
def do_mark_note_read(actor: Actor, checkin: CheckIn, *, revision: int, now: dt.datetime) -> CheckIn:
    """A member of staff has read the patient's note (``revision`` is the report they read)."""
    # Only the check-in row is locked (of=self): a patient amending it locks their patient row first, then
    # this one; locking the patient too, through the join, would take them in the other order.
    checkin = CheckIn.objects.select_for_update(of=("self",)).select_related("patient__clinic").get(pk=checkin.pk)
    if not checkin.note and not checkin.note_unread:
        raise problems(("note", "this check-in has no note"))
    if checkin.revision != revision:
        raise problems(("note", "the patient sent this check-in again since you opened it: read the note again"))
    if not checkin.note_unread:
        raise problems(("state", "this note is already marked read"))
    checkin.note_read_at = now
    checkin.note_read_by = person(actor)
    checkin.note_read_revision = checkin.revision
    checkin.note_unread = False
    checkin.save(update_fields=["note_read_at", "note_read_by", "note_read_revision", "note_unread"])
    audit(
        actor,
        AuditAction.CHECKIN_NOTE_READ,
        checkin.patient.clinic,
        now=now,
        patient=checkin.patient,
        object_uuid=checkin.uuid,
        detail={"revision": checkin.revision},
    )
    return checkin


@transaction.atomic(durable=True)
def do_triage_refused_checkin(
    actor: Actor,
    patient: Patient,
    report: RefusedCheckIn,
    *,
    asked: Sequence[str] = (),
    protocol: ClinicProtocol,
    now: dt.datetime,
) -> Assessment | None:
    """A check-in refused for one bad answer must not hide an emergency in the others.

    Triages what could be read, storing nothing of the report: an unreadable or refused date counts
    as today, an unreadable pain as the last one reported (or the baseline), an unreadable temperature
    as not taken. Returns the assessment only when it needs the emergency department, so that the
    patient is told at once while they fix the form. The clinic is told too: the patient may well go
    straight to the emergency department and never send the form again, so an emergency alert is raised
    (or the open one updated) saying that the report was not stored, and the audit trail records which
    fields were refused and what was assumed in their place.

    ``asked`` names the symptoms the patient is being asked about because their note reports them: the form
    itself was accepted, and is held until they answer. If the note read as written needs the emergency
    department, the clinic is told at once in the same way (the alert says the patient is being asked), in
    case they never answer; the stored check-in then explains or withdraws it.
    """
    protocol.check_clinic(patient.clinic_id)
    today = clinic_today(patient.clinic, now)
    procedure = patient.procedures.filter(performed_on__lte=today).order_by("-performed_at").first()
    if procedure is None:
        return None
    assumed: dict[str, Any] = {}
    date = report.date
    if date is None or not procedure.performed_on <= date <= today:
        date = assumed["date"] = today
    earlier = list(procedure.checkins.filter(date__lt=date).order_by("date"))
    pain = report.pain
    if pain is None:
        last = earlier[-1].pain if earlier else patient.baseline_pain
        pain = assumed["pain"] = last if last is not None else protocol.protocol.limits.pain_min
    if report.temperature_c is None and "temperature_c" in report.refused:
        assumed["temperature_c"] = None
    symptoms = as_asked(protocol.protocol, report.symptoms)
    assessment: Assessment | None = None
    # A note too long to keep is read all the same, a protocol's length at a time: the red flag may be at its end.
    for words in note_windows(report.note, protocol.protocol.note_limit):
        # Earlier reports the protocol no longer accepts must not hide what today's answers say alone.
        for history in (earlier, []):
            try:
                _, read = assess_checkin(
                    protocol.protocol,
                    patient,
                    procedure,
                    history,
                    date=date,
                    pain=pain,
                    temperature_c=report.temperature_c,
                    symptoms=symptoms,
                    note=words,
                )
            except ProblemsFound:
                continue
            if assessment is None or read.disposition.rank > assessment.disposition.rank:
                assessment = read
            break
    # Refused: the clinic is told of an emergency. Held for questions: of anything from a call today up.
    needed = Disposition.URGENT if asked else Disposition.EMERGENCY
    if assessment is None or assessment.disposition.rank < needed.rank:
        return None
    patient = lock_patient(patient.pk)
    alert = apply_assessment(
        patient, assessment, protocol=protocol, unsent=UnsentForm.CHECKIN, procedure=procedure, now=now
    )
    if not asked:
        audit_told(actor, patient, UnsentForm.CHECKIN, assessment, report.refused, assumed, now)
        return assessment if assessment.disposition == Disposition.EMERGENCY else None
    if alert is not None and not (alert.asked_back and set(asked) <= set(alert.asked_about)):
        first_time = not alert.asked_back
        alert.asked_back = True
        alert.asked_about = sorted({*alert.asked_about, *asked})
        alert.asked_for = date
        alert.save(update_fields=["asked_back", "asked_about", "asked_for"])
        if not first_time:
            return assessment
        audit(
            actor,
            AuditAction.CHECKIN_ASKED_BACK,
            patient.clinic,
            now=now,
            patient=patient,
            object_uuid=alert.uuid,
            detail={
                "rules": [f.rule for f in assessment.findings if f.disposition.rank >= needed.rank],
                "asked": list(asked),
            },
        )
    return assessment
