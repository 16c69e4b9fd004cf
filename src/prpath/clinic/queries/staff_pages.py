"""What the clinic's pages show: the worklist, the patient list, a patient's timeline, the screening review.

Every function is scoped to the staff member's clinic (the caller has authorised the staff member and the
record), returns a typed view model, and records the read of patient data in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.models import (
    Alert,
    AlertState,
    CheckIn,
    CheckInVersion,
    ClinicalNote,
    ClinicMessage,
    Patient,
    Procedure,
    Screening,
    StaffMember,
    Stage,
)
from prpath.clinic.queries.patient_pages import VERSIONS_WITH_PROTOCOL, day_result, worst_of_day, yes_or_no
from prpath.clinic.queries.reads import record_read
from prpath.clinic.translate import ClinicProtocol, Result, clinic_today, parsed_protocol, result_of
from prpath.core import recovery
from prpath.core.findings import evidence_lines
from prpath.core.protocol.schema import Candidacy, Disposition, Protocol

PAGE_SIZE = 50


def recovery_days(protocol: Protocol) -> int:
    """Recovery lasts until the last scheduled check-in; after it, the patient is in follow-up."""
    days = recovery.checkin_days(protocol.schedules)
    return days[-1] if days else 42


def describe_stage(patient: Patient, today: dt.date, days: int) -> str:
    if patient.stage == Stage.INJECTED and patient.injected_on is not None:
        day = (today - patient.injected_on).days
        return f"Recovering, day {day}" if day <= days else f"Follow-up, week {day // 7}"
    return str(Stage(patient.stage).label)


def describe_symptoms(
    symptoms: Mapping[str, str], labels: Mapping[str, str], yes_or_no: frozenset[str] = frozenset()
) -> str:
    """Symptoms in words with their grade; a red flag asked yes or no reads "yes", not the grade it is stored as."""
    return ", ".join(
        f"{labels.get(code, code)} ({'yes' if code in yes_or_no else severity})" for code, severity in symptoms.items()
    )


# --- the worklist -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertCard:
    """One alert as the worklist shows it: the evidence of every finding above self-care, each line once."""

    alert: Alert
    result: Result

    @property
    def evidence(self) -> list[str]:
        return evidence_lines(self.alert.findings)

    @property
    def earlier_words(self) -> list[str]:
        """Words of the check-in behind the alert sent earlier that day and amended away unread."""
        return unread_earlier(self.alert.checkin) if self.alert.checkin is not None else []


@dataclass(frozen=True, slots=True)
class NoteToRead:
    """A patient's note that no open alert's card shows: every note is read by someone at the clinic."""

    checkin: CheckIn
    result: Result  # what the check-in was answered, in its own version's words
    answers: list[tuple[str, str]]  # (symptom in words, what the patient answered when asked about it)
    earlier: list[str]  # words sent earlier that day and amended away before anyone read them


@dataclass(frozen=True, slots=True)
class Worklist:
    cards: list[AlertCard]
    notes: list[NoteToRead]
    notes_waiting: int  # all the notes to read (more than are shown when there are many)
    loaded_at: dt.datetime  # taken before the read: a change made during it is announced, never missed


NOTES_SHOWN = 100  # the oldest first; the heading says how many more are waiting


# A check-in's versions as the note lists need them: not each version's case, which holds the whole history.
VERSION_NOTES = CheckInVersion.objects.only("checkin_id", "revision", "note")


def _notes_to_read(staff: StaffMember) -> QuerySet[CheckIn]:
    """Check-ins with words nobody has read (their note, or words sent earlier that day and amended away)
    that no open alert's card shows."""
    on_a_card = Alert.objects.filter(checkin_id=OuterRef("pk"), state=AlertState.OPEN)
    return (
        CheckIn.objects.filter(patient__clinic_id=staff.clinic_id, note_unread=True)
        .exclude(Exists(on_a_card))
        .select_related("patient", "protocol")
        .prefetch_related(Prefetch("versions", queryset=VERSION_NOTES))
        .order_by("submitted_at")
    )


def unread_earlier(checkin: CheckIn) -> list[str]:
    """Words sent earlier that day, amended away before anyone read them (the versions must be fetched)."""
    if not checkin.note_unread:
        return []
    read_up_to = checkin.note_read_revision or 0
    earlier = [
        v.note
        for v in checkin.versions.all()
        if read_up_to < v.revision < checkin.revision and v.note and v.note != checkin.note
    ]
    return list(dict.fromkeys(earlier))


def _note_to_read(checkin: CheckIn) -> NoteToRead:
    rules = parsed_protocol(checkin.protocol)
    labels = {s.code: s.label for s in rules.symptoms}
    return NoteToRead(
        checkin,
        result_of(rules, Disposition(checkin.disposition)),
        [(labels.get(code, code), answer) for code, answer in checkin.note_answers.items()],
        unread_earlier(checkin),
    )


def note_to_read(
    actor: Actor, staff: StaffMember, checkin: CheckIn, *, now: dt.datetime, refused: bool
) -> tuple[NoteToRead, int]:
    """One note as it is now (after someone marked it read), and how many are left to read. ``refused``:
    marking it read was refused, so no write names the patient: showing the note again is recorded as a read
    (of the worklist, where it sits)."""
    checkin = CheckIn.objects.select_related("patient", "protocol", "note_read_by").get(pk=checkin.pk)
    if refused:
        record_read(
            actor,
            AuditAction.ALERT_WORKLIST,
            staff.clinic,
            [checkin.patient],
            now=now,
            detail={"checkin": str(checkin.uuid)},
        )
    return _note_to_read(checkin), _notes_to_read(staff).count()


# What staff wrote to the patient about an alert, oldest first: the card shows what the patient was told.
MESSAGES_SENT = Prefetch("messages", queryset=ClinicMessage.objects.select_related("written_by").order_by("written_at"))


def _unresolved(staff: StaffMember) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(clinic_id=staff.clinic_id)
        .exclude(state=AlertState.RESOLVED)
        .select_related("patient", "checkin", "screening", "acknowledged_by", "protocol")
        .prefetch_related(Prefetch("checkin__versions", queryset=VERSION_NOTES), MESSAGES_SENT)
        .order_by("-severity_rank", "raised_at")
    )


def worklist(actor: Actor, staff: StaffMember, *, now: dt.datetime) -> Worklist:
    """Every unresolved alert of the clinic, most severe first, then oldest; then every note not yet read
    that no open alert shows, oldest first."""
    alerts = list(_unresolved(staff))
    waiting = _notes_to_read(staff)
    notes = list(waiting[:NOTES_SHOWN])
    notes_waiting = len(notes) if len(notes) < NOTES_SHOWN else waiting.count()
    patients = {p.pk: p for p in [a.patient for a in alerts] + [c.patient for c in notes]}
    record_read(actor, AuditAction.ALERT_WORKLIST, staff.clinic, list(patients.values()), now=now)
    return Worklist([_card(a) for a in alerts], [_note_to_read(c) for c in notes], notes_waiting, now)


def _card(alert: Alert) -> AlertCard:
    """An alert in the words of the protocol version its latest assessment was made under."""
    return AlertCard(alert, result_of(parsed_protocol(alert.protocol), alert.disposition))


def alert_card(
    actor: Actor, staff: StaffMember, alert: Alert, *, now: dt.datetime, refused: bool
) -> tuple[AlertCard, int]:
    """One card as it is now (after someone acted on it), and how many alerts are left to work. ``refused``:
    the action was refused, so no write names the patient: showing the card again is recorded as a read (of
    the worklist, where it sits)."""
    alert = (
        Alert.objects.select_related("patient", "checkin", "screening", "acknowledged_by", "resolved_by", "protocol")
        .prefetch_related(Prefetch("checkin__versions", queryset=VERSION_NOTES), MESSAGES_SENT)
        .get(pk=alert.pk)
    )
    if refused:
        record_read(
            actor, AuditAction.ALERT_WORKLIST, staff.clinic, [alert.patient], now=now, detail={"alert": str(alert.uuid)}
        )
    return _card(alert), _unresolved(staff).count()


@dataclass(frozen=True, slots=True)
class WorklistChanges:
    changed: int  # open alerts new or changed since the page was loaded
    emergencies: int
    notes: int  # notes to read sent since the page was loaded


def worklist_changes(staff: StaffMember, since: dt.datetime) -> WorklistChanges:
    """Counts only, so nothing is audited: the page says it is out of date, the nurse reloads it."""
    changed = (
        Alert.objects.filter(clinic_id=staff.clinic_id, state=AlertState.OPEN, updated_at__gt=since)
        .values("disposition")
        .annotate(n=Count("pk"))
    )
    counts = {row["disposition"]: row["n"] for row in changed}
    notes = _notes_to_read(staff).filter(submitted_at__gt=since).count()
    return WorklistChanges(sum(counts.values()), counts.get(Disposition.EMERGENCY, 0), notes)


# --- the patient list ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PatientRow:
    patient: Patient
    stage: str
    missed: bool
    open_alerts: int
    worst_open: str | None = None  # the most severe open alert's disposition: its badge's colour


_BY_RANK = {d.rank: d.value for d in Disposition}


@dataclass(frozen=True, slots=True)
class PatientList:
    page: Page[Any]  # of patients
    rows: list[PatientRow]
    today: dt.date


def patient_list(
    actor: Actor,
    staff: StaffMember,
    filters: Mapping[str, str],
    page_number: str | None,
    protocol: ClinicProtocol,
    *,
    now: dt.datetime,
) -> PatientList:
    """The clinic's patients, searched and filtered (filters already checked by the page's form), a page at a
    time; the read names every patient on the page and the search."""
    today = clinic_today(staff.clinic, now)
    days = recovery_days(protocol.protocol)
    patients = (
        Patient.objects.filter(clinic_id=staff.clinic_id)
        .select_related("user")
        .annotate(
            open_alerts=Count("alerts", filter=~Q(alerts__state=AlertState.RESOLVED)),
            worst_rank=Max("alerts__severity_rank", filter=~Q(alerts__state=AlertState.RESOLVED)),
        )
    )
    if q := filters.get("q", "").strip():
        for word in q.split()[:4]:
            patients = patients.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(email__icontains=word)
                | Q(clinic_reference__icontains=word)
            )
    recovery_start = today - dt.timedelta(days=days)
    stage = filters.get("stage", "")
    if stage == "recovering":
        patients = patients.filter(stage=Stage.INJECTED, injected_on__gte=recovery_start)
    elif stage == "follow_up":
        patients = patients.filter(stage=Stage.INJECTED, injected_on__lt=recovery_start)
    elif stage in Stage.values:
        patients = patients.filter(stage=stage)
    if filters.get("alerts") == "open":
        patients = patients.filter(open_alerts__gt=0)
    if filters.get("missed") == "yes":
        patients = patients.filter(next_checkin_due__lt=today)
    page = Paginator(patients.order_by("family_name", "given_name", "pk"), PAGE_SIZE).get_page(page_number)
    listed = list(page)
    record_read(actor, AuditAction.PATIENT_LIST, staff.clinic, listed, now=now, detail={"query": dict(filters)})
    rows = [
        PatientRow(
            patient=p,
            stage=describe_stage(p, today, days),
            missed=p.next_checkin_due is not None and p.next_checkin_due < today,
            open_alerts=getattr(p, "open_alerts", 0),
            worst_open=_BY_RANK.get(getattr(p, "worst_rank", None) or -1),
        )
        for p in listed
    ]
    return PatientList(page, rows, today)


# --- a patient's timeline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: dt.datetime
    kind: Literal["screening", "procedure", "checkin", "alert", "note"]
    item: Screening | Procedure | CheckIn | Alert | ClinicalNote
    result: Result | None = None  # a check-in: its day's most severe report
    latest: Result | None = None  # a check-in whose latest report is calmer than its most severe
    symptoms: str = ""
    target: str = ""
    protocol_label: str = ""  # the protocol version a screening or check-in was assessed under
    note_answers: str = ""  # a check-in: what the patient answered when asked about their note


@dataclass(frozen=True, slots=True)
class Timeline:
    patient: Patient
    stage: str
    age: int
    events: list[TimelineEvent]
    screening: Screening | None  # the latest
    procedure: Procedure | None  # the latest
    points: list[tuple[int, int]]  # (day, pain) since the latest injection, for the chart
    pain_max: int
    missed: tuple[dt.date, ...]
    open_alerts: list[Alert]
    worst_open: str | None
    baseline_conditions: list[str]
    baseline_symptoms: str


def timeline(
    actor: Actor, staff: StaffMember, patient: Patient, protocol: ClinicProtocol, *, now: dt.datetime
) -> Timeline:
    """Everything that happened to a patient, newest first, each assessment with the version it was made
    under; the chart and missed check-ins of the latest injection."""
    rules = protocol.protocol
    today = clinic_today(staff.clinic, now)
    screenings = list(patient.screenings.select_related("decided_by", "protocol"))
    procedures = list(patient.procedures.select_related("operator"))
    checkins = list(
        patient.checkins.select_related("procedure", "protocol", "note_read_by").prefetch_related(
            VERSIONS_WITH_PROTOCOL
        )
    )
    alerts = list(patient.alerts.select_related("acknowledged_by", "resolved_by").prefetch_related(MESSAGES_SENT))
    notes = list(patient.notes.select_related("author"))
    targets = {t.code: t.label for t in rules.targets}
    labels = {s.code: s.label for s in rules.symptoms}
    events: list[TimelineEvent] = [
        TimelineEvent(s.answered_at, "screening", s, protocol_label=s.protocol.label) for s in screenings
    ]
    events += [
        TimelineEvent(p.performed_at, "procedure", p, target=targets.get(p.target, p.target)) for p in procedures
    ]
    for c in checkins:
        worst = worst_of_day(c)
        answered_under = parsed_protocol(c.protocol)
        said = {s.code: s.label for s in answered_under.symptoms}
        # The day is badged by its most severe report: an evening amendment must not hide the morning's. Each
        # is told in the words of the version it was answered under.
        events.append(
            TimelineEvent(
                c.submitted_at,
                "checkin",
                c,
                result=day_result(c),
                latest=result_of(answered_under, c.disposition) if worst != c.disposition else None,
                symptoms=describe_symptoms(c.symptoms, said, yes_or_no(answered_under)),
                protocol_label=c.protocol.label,
                note_answers="; ".join(f"{said.get(code, code)}: {answer}" for code, answer in c.note_answers.items()),
            )
        )
    events += [TimelineEvent(a.raised_at, "alert", a) for a in alerts]
    events += [TimelineEvent(n.written_at, "note", n) for n in notes]
    events.sort(key=lambda e: e.at, reverse=True)
    latest = procedures[0] if procedures else None
    current = [c for c in checkins if latest is not None and c.procedure_id == latest.pk]
    missed = (
        recovery.missed_checkins(rules.schedules, latest.performed_on, [c.date for c in current], today)
        if latest
        else ()
    )
    unresolved = [a for a in alerts if a.state != AlertState.RESOLVED]
    record_read(actor, AuditAction.PATIENT_TIMELINE, staff.clinic, [patient], now=now)
    return Timeline(
        patient=patient,
        stage=describe_stage(patient, today, recovery_days(rules)),
        age=patient.age_on(today),
        events=events,
        screening=screenings[0] if screenings else None,
        procedure=latest,
        points=[(c.day, c.pain) for c in current],
        pain_max=rules.limits.pain_max,
        missed=missed,
        open_alerts=unresolved,
        worst_open=max((a.disposition for a in unresolved), key=lambda d: Disposition(d).rank, default=None),
        baseline_conditions=[c.label for c in rules.conditions if c.code in patient.conditions],
        baseline_symptoms=describe_symptoms(patient.baseline_symptoms, labels, yes_or_no(rules)),
    )


# --- screening review and the procedure form ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewedFinding:
    title: str
    candidacy_label: str | None
    rationale: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScreeningReview:
    screening: Screening
    result: Result
    candidacy_label: str
    candidacy_meaning: str
    findings: list[ReviewedFinding]
    conditions: list[str]
    history: list[str]
    symptoms: list[tuple[str, str]]
    protocol_label: str


def screening_review(
    actor: Actor, staff: StaffMember, patient: Patient, screening: Screening, *, now: dt.datetime
) -> ScreeningReview:
    """A screening as the physician reviews it, in the words of the protocol version it was assessed under."""
    rules = parsed_protocol(screening.protocol)
    answers = screening.answers
    record_read(
        actor, AuditAction.SCREENING_REVIEW, staff.clinic, [patient], now=now, detail={"screening": str(screening.uuid)}
    )
    recommended = rules.candidacies[Candidacy(screening.recommended_candidacy)]
    return ScreeningReview(
        screening=screening,
        result=result_of(rules, screening.disposition),
        candidacy_label=recommended.label,
        candidacy_meaning=recommended.meaning,
        findings=[
            ReviewedFinding(
                f.title,
                rules.candidacies[f.candidacy].label if f.candidacy else None,
                f.rationale,
                f.source,
                f.reason,
            )
            for f in screening.findings
        ],
        conditions=[c.label for c in rules.conditions if c.code in answers.get("conditions", [])],
        history=[f.label for f in rules.screening_factors if f.code in answers.get("history", [])],
        symptoms=[
            (s.label, answers["symptoms"][s.code]) for s in rules.symptoms if s.code in answers.get("symptoms", {})
        ],
        protocol_label=screening.protocol.label,
    )


def procedure_form(
    actor: Actor, staff: StaffMember, patient: Patient, *, now: dt.datetime, sent_back: bool = False
) -> Screening | None:
    """What the procedure form shows beside itself: the latest screening (what it asked to check before
    injecting, and the decision). Recorded as a read, whether shown to be filled in or ``sent_back`` with the
    problems of what was sent."""
    detail = {"sent_back": True} if sent_back else None
    record_read(actor, AuditAction.PROCEDURE_FORM, staff.clinic, [patient], now=now, detail=detail)
    return patient.screenings.select_related("decided_by").order_by("-answered_at").first()


def staff_members(staff: StaffMember) -> list[StaffMember]:
    """Who works at the clinic: the active first, by name (no patient data, so no read is recorded)."""
    return list(
        StaffMember.objects.filter(clinic_id=staff.clinic_id)
        .select_related("user")
        .order_by("-is_active", "user__family_name", "user__given_name")
    )


def enrolment_sent_back(actor: Actor, staff: StaffMember, email: str, *, now: dt.datetime) -> None:
    """The enrolment form refused: when it is because a patient of the clinic already has that email, the
    page says so, which tells of that patient (recorded as a read of the list, searched by that email)."""
    patient = Patient.objects.filter(clinic_id=staff.clinic_id, email=email).first()
    if patient is not None:
        detail = {"query": {"email": email}, "sent_back": True}
        record_read(actor, AuditAction.PATIENT_LIST, staff.clinic, [patient], now=now, detail=detail)
