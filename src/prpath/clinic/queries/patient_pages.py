"""What the patient's own pages show, decided here rather than in views or templates: above all, which
emergency instruction fills Today and stays there.

Every function is about one patient (the signed-in one: the view has checked), records the read in the
audit trail, and reads the words a report was answered with from the protocol version it was made under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.models import (
    Alert,
    AlertState,
    CheckIn,
    CheckInVersion,
    Clinic,
    ClinicMessage,
    Patient,
    Procedure,
    Screening,
    UnsentForm,
)
from prpath.clinic.queries.reads import record_read
from prpath.clinic.translate import ClinicProtocol, Result, clinic_today, parsed_protocol, result_of
from prpath.core import recovery
from prpath.core.findings import FindingRecord
from prpath.core.protocol.schema import Condition, Disposition, EducationTopic, Protocol
from prpath.core.recovery import DayGuidance


def latest_procedure(patient: Patient) -> Procedure | None:
    return patient.procedures.order_by("-performed_at").first()


# A check-in's versions with the protocol each was answered under, in the one query that fetches them.
VERSIONS_WITH_PROTOCOL = Prefetch("versions", queryset=CheckInVersion.objects.select_related("protocol"))


def worst_version(checkin: CheckIn) -> CheckInVersion:
    """The day's most severe report (the newest among equals): an amendment must not hide an earlier warning."""
    return max(checkin.versions.all(), key=lambda v: (Disposition(v.disposition).rank, v.revision))


def worst_of_day(checkin: CheckIn) -> Disposition:
    return Disposition(worst_version(checkin).disposition)


def day_result(checkin: CheckIn) -> Result:
    """The day's most severe report, told in the words of the protocol version it was answered under."""
    worst = worst_version(checkin)
    return result_of(parsed_protocol(worst.protocol), worst.disposition)


# --- Today --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyNotice:
    """The instruction to go to the emergency department now, and what it came from."""

    source: Literal["checkin", "unsent", "screening"]
    result: Result
    checkin: CheckIn | None = None  # a stored report (today's, or one sent for last night)
    checkin_is_today: bool = False
    alert: Alert | None = None  # a refused form's alert: the report itself was not stored
    screening: Screening | None = None


@dataclass(frozen=True, slots=True)
class ClosedEmergency:
    """A report that needed the emergency department, whose alert the clinic has since resolved: Today says
    so instead of the instruction, and the day's guidance comes back."""

    checkin: CheckIn
    checkin_is_today: bool
    alert: Alert


@dataclass(frozen=True, slots=True)
class TodayView:
    patient: Patient
    clinic: Clinic
    procedure: Procedure | None
    guidance: DayGuidance | None
    target_label: str | None
    emergency: EmergencyNotice | None  # first on the page, before anything else
    closed: ClosedEmergency | None  # an emergency the clinic has dealt with (never beside an open one)
    messages: list[ClinicMessage]  # what the clinic wrote to the patient lately, newest first
    report: CheckIn | None  # the calmer report the page sums up (not an emergency)
    report_result: Result | None
    report_is_today: bool
    prompt_checkin: bool  # "How are you today?"
    checkins_over: bool  # the schedule's last check-in is done or past: say so, what comes next, whom to call
    show_day_guidance: bool
    show_before_injection: bool  # what to do until the injection (no injection yet, no screening emergency)
    screening: Screening | None
    screening_result: Result | None
    before_injection: list[str] = field(default_factory=list)


def _recent(procedure: Procedure, day: dt.date, now: dt.datetime) -> QuerySet[CheckIn]:
    """The check-ins Today may report on: today's, and any sent in the last day (for an earlier date)."""
    return procedure.checkins.filter(Q(date=day) | Q(submitted_at__gte=now - dt.timedelta(hours=24)))


def _report_to_show(procedure: Procedure, day: dt.date, now: dt.datetime) -> CheckIn | None:
    """What today's page reports on: today's check-in, or one sent in the last day for an earlier date (a
    report of last night's symptoms sent this morning) when it is more severe."""
    recent = _recent(procedure, day, now)
    candidates = [
        c
        for c in recent.prefetch_related(VERSIONS_WITH_PROTOCOL)
        if c.date == day or worst_of_day(c) != Disposition.SELF_CARE
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (worst_of_day(c).rank, c.date == day, c.date))


# What the clinic wrote stays on Today for a week; the newest few are shown.
MESSAGES_KEPT_ON_TODAY = dt.timedelta(days=7)
MESSAGES_SHOWN = 3


def _closing_alert(report: CheckIn) -> Alert | None:
    """The resolved alert that closes an emergency report: resolved, about the same injection, after the
    report's emergency was sent, with no emergency about that injection still unresolved. A new emergency
    sent after the clinic closed the last one opens an alert of its own, and fills Today again."""
    about = Q(checkin__procedure_id=report.procedure_id) | Q(
        unsent=UnsentForm.CHECKIN, procedure_id=report.procedure_id
    )
    emergencies = Alert.objects.filter(about, patient_id=report.patient_id, disposition=Disposition.EMERGENCY)
    if emergencies.exclude(state=AlertState.RESOLVED).exists():
        return None
    sent = max(v.submitted_at for v in report.versions.all() if v.disposition == Disposition.EMERGENCY)
    return emergencies.filter(resolved_at__gte=sent).select_related("resolved_by").order_by("-resolved_at").first()


def _reported_since(
    procedure: Procedure, day: dt.date, now: dt.datetime, since: dt.datetime
) -> tuple[CheckIn, CheckInVersion] | None:
    """The most severe report sent after ``since`` (the clinic closing an emergency) that Today would show:
    today's, or one sent in the last day for an earlier date when it is above self-care; with its version."""
    recent = _recent(procedure, day, now)
    best: tuple[tuple[int, bool, dt.date], CheckIn, CheckInVersion] | None = None
    for checkin in recent.prefetch_related(VERSIONS_WITH_PROTOCOL):
        later = [v for v in checkin.versions.all() if v.submitted_at > since]
        if not later:
            continue
        version = max(later, key=lambda v: (Disposition(v.disposition).rank, v.revision))
        if checkin.date != day and version.disposition == Disposition.SELF_CARE:
            continue
        key = (Disposition(version.disposition).rank, checkin.date == day, checkin.date)
        if best is None or key > best[0]:
            best = (key, checkin, version)
    return (best[1], best[2]) if best is not None else None


def today(actor: Actor, patient: Patient, protocol: ClinicProtocol, *, now: dt.datetime) -> TodayView:
    rules = protocol.protocol
    day = clinic_today(patient.clinic, now)
    procedure = latest_procedure(patient)
    guidance = (
        recovery.guidance_for(rules.recovery_plan, rules.schedules, procedure.performed_on, day) if procedure else None
    )
    report = _report_to_show(procedure, day, now) if procedure else None
    report_disposition = worst_of_day(report) if report is not None else None
    screening = patient.screenings.select_related("protocol").first()

    # Each warning is told in the words of the protocol version it was assessed under.
    emergency: EmergencyNotice | None = None
    closed: ClosedEmergency | None = None
    since: tuple[CheckIn, CheckInVersion] | None = None
    if report is not None and report_disposition == Disposition.EMERGENCY:
        closing = _closing_alert(report)
        if closing is None:
            emergency = EmergencyNotice(
                "checkin", day_result(report), checkin=report, checkin_is_today=report.date == day
            )
        else:
            closed = ClosedEmergency(report, report.date == day, closing)
            # What was reported after the clinic closed it is summed up as any report is: a fever sent
            # since must not hide behind the closed emergency.
            assert closing.resolved_at is not None  # a closing alert is a resolved one
            since = _reported_since(procedure, day, now, closing.resolved_at) if procedure else None
    if emergency is None and procedure is None:
        # Before the injection, answers that needed the emergency department stay until the clinic closes
        # their alert: neither the physician's decision nor calmer answers given since take it away.
        open_alert = (
            patient.alerts.filter(screening__isnull=False, disposition=Disposition.EMERGENCY)
            .exclude(state=AlertState.RESOLVED)
            .exists()
        )
        answered = (
            patient.screenings.filter(disposition=Disposition.EMERGENCY)
            .select_related("protocol")
            .order_by("-answered_at")
            .first()
            if open_alert
            else None
        )
        if answered is not None:
            words = result_of(parsed_protocol(answered.protocol), Disposition.EMERGENCY)
            emergency = EmergencyNotice("screening", words, screening=answered)
    if emergency is None:
        # An emergency in a form that was refused and not stored stays until a stored report explains it or
        # the clinic closes the alert: the patient may come back to this page rather than to the form.
        unsent = (
            patient.alerts.filter(disposition=Disposition.EMERGENCY)
            .exclude(unsent="")
            .exclude(state=AlertState.RESOLVED)
            .select_related("protocol")
            .order_by("-updated_at")
            .first()
        )
        if unsent is not None:
            words = result_of(parsed_protocol(unsent.protocol), Disposition.EMERGENCY)
            emergency = EmergencyNotice("unsent", words, alert=unsent)

    checked_in_today = procedure is not None and procedure.checkins.filter(date=day).exists()
    # The last check-in, once sent (or its day past), ends the prompts: the page says so instead.
    checkins_over = (
        guidance is not None and guidance.checkins_over and (checked_in_today or not guidance.checkin_due_today)
    )
    calm = report if report is not None and report_disposition != Disposition.EMERGENCY else None
    calm_result = day_result(calm) if calm is not None else None
    if since is not None:
        calm, version = since
        calm_result = result_of(parsed_protocol(version.protocol), version.disposition)
    record_read(actor, AuditAction.PATIENT_TODAY, patient.clinic, [patient], now=now)
    return TodayView(
        patient=patient,
        clinic=patient.clinic,
        procedure=procedure,
        guidance=guidance,
        target_label={t.code: t.label for t in rules.targets}.get(procedure.target) if procedure else None,
        emergency=emergency,
        closed=closed,
        messages=list(
            patient.clinic_messages.filter(written_at__gte=now - MESSAGES_KEPT_ON_TODAY)
            .select_related("written_by")
            .order_by("-written_at")[:MESSAGES_SHOWN]
        ),
        report=calm,
        report_result=calm_result,
        report_is_today=calm is not None and calm.date == day,
        prompt_checkin=guidance is not None
        and guidance.day > 0
        and not checked_in_today
        and emergency is None
        and not checkins_over,
        checkins_over=checkins_over,
        show_day_guidance=guidance is not None and emergency is None,
        show_before_injection=procedure is None and (emergency is None or emergency.source != "screening"),
        screening=screening,
        screening_result=result_of(parsed_protocol(screening.protocol), screening.disposition) if screening else None,
        # Before the injection, the screening's own instructions (such as pausing NSAIDs) are the guidance.
        before_injection=[f.reason for f in screening.findings if f.disposition == Disposition.SELF_CARE]
        if screening
        else [],
    )


# --- a check-in's result --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckInResult:
    checkin: CheckIn
    clinic: Clinic
    emergency: bool  # the emergency screen: the day's most severe report needed the emergency department
    result: Result  # what the page says first
    earlier: Result | None  # a more severe report earlier that day, when the latest is calmer
    latest: Result
    findings: tuple[FindingRecord, ...]
    reported: list[tuple[str, str]]  # (symptom in words, severity)
    reported_on_the_day: bool
    protocol_label: str
    note_reading: str  # who at the clinic reads the note, and by when
    note_answers: list[tuple[str, str]]  # (symptom in words, what the patient answered when asked about it)
    closed: Alert | None = None  # the clinic has dealt with this emergency since (resolved its alert)
    next_checkin: dt.date | None = None  # after this report's day; None with ``checkins_over``
    checkins_over: bool = False  # this was the schedule's last check-in, or came after it
    clinic_messages: list[ClinicMessage] = field(default_factory=list)  # what the clinic wrote about this report


def checkin_result(actor: Actor, patient: Patient, checkin: CheckIn, *, now: dt.datetime) -> CheckInResult:
    """The result of a stored check-in, in the words of the protocol version it was answered under.

    An amended day keeps its most severe answer in view: "expected" now must not hide that this morning's
    report needed the emergency department. An emergency earlier in the day still fills the screen, with
    the calmer latest answer named under it."""
    rules = parsed_protocol(checkin.protocol)
    latest = result_of(rules, Disposition(checkin.disposition))
    worst = worst_version(checkin)
    earlier = None
    if Disposition(worst.disposition).rank > Disposition(checkin.disposition).rank:
        earlier = result_of(parsed_protocol(worst.protocol), Disposition(worst.disposition))
    emergency = worst.disposition == Disposition.EMERGENCY
    result = (earlier or latest) if emergency else latest
    findings = tuple(worst.findings if emergency else checkin.findings)
    if emergency:  # only what makes it an emergency: a calmer reason beside it would blur the instruction
        findings = tuple(f for f in findings if f.disposition == Disposition.EMERGENCY)
    labels = _labels(rules)
    after = recovery.guidance_for(rules.recovery_plan, rules.schedules, checkin.procedure.performed_on, checkin.date)
    record_read(
        actor, AuditAction.CHECKIN_RESULT, patient.clinic, [patient], now=now, detail={"checkin": str(checkin.uuid)}
    )
    return CheckInResult(
        checkin=checkin,
        clinic=patient.clinic,
        emergency=emergency,
        result=result,
        earlier=earlier,
        latest=latest,
        findings=findings,
        reported=[(labels.get(code, code), severity) for code, severity in checkin.symptoms.items()],
        reported_on_the_day=checkin.date == clinic_today(patient.clinic, now),
        protocol_label=checkin.protocol.label,
        note_reading=rules.note_reading,
        note_answers=[(labels.get(code, code), answer) for code, answer in checkin.note_answers.items()],
        closed=_closing_alert(checkin) if emergency else None,
        next_checkin=after.next_checkin,
        checkins_over=after.checkins_over,
        clinic_messages=list(
            ClinicMessage.objects.filter(alert__checkin=checkin).select_related("written_by").order_by("-written_at")
        ),
    )


def _labels(protocol: Protocol) -> dict[str, str]:
    return {s.code: s.label for s in protocol.symptoms}


def yes_or_no(protocol: Protocol) -> frozenset[str]:
    """The symptoms asked yes or no (red flags): their stored grade reads "yes"."""
    return frozenset(s.code for s in protocol.symptoms if not s.graded)


# --- progress -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayReport:
    checkin: CheckIn
    result: Result  # the day's most severe report: an evening amendment must not hide the morning's


@dataclass(frozen=True, slots=True)
class HistoryView:
    procedure: Procedure | None
    days: list[DayReport]
    points: list[tuple[int, int]]  # (day, pain) for the chart
    baseline_pain: int | None
    pain_max: int


def history(actor: Actor, patient: Patient, protocol: ClinicProtocol, *, now: dt.datetime) -> HistoryView:
    procedure = latest_procedure(patient)
    checkins = list(procedure.checkins.order_by("-date").prefetch_related(VERSIONS_WITH_PROTOCOL)) if procedure else []
    record_read(actor, AuditAction.PATIENT_HISTORY, patient.clinic, [patient], now=now)
    rules = protocol.protocol
    return HistoryView(
        procedure=procedure,
        days=[DayReport(c, day_result(c)) for c in checkins],
        points=[(c.day, c.pain) for c in checkins],
        baseline_pain=patient.baseline_pain,
        pain_max=rules.limits.pain_max,
    )


# --- a screening's result -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    screening: Screening
    emergency: bool
    result: Result
    findings: tuple[FindingRecord, ...]


def screening_result(actor: Actor, patient: Patient, screening: Screening, *, now: dt.datetime) -> ScreeningResult:
    result = result_of(parsed_protocol(screening.protocol), Disposition(screening.disposition))
    emergency = screening.disposition == Disposition.EMERGENCY
    findings = tuple(screening.findings)
    if emergency:
        findings = tuple(f for f in findings if f.disposition == Disposition.EMERGENCY)
    record_read(
        actor,
        AuditAction.SCREENING_RESULT,
        patient.clinic,
        [patient],
        now=now,
        detail={"screening": str(screening.uuid)},
    )
    return ScreeningResult(screening, emergency, result, findings)


# --- the check-in form ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckInFormView:
    procedure: Procedure | None
    day: int | None  # days after the injection, today
    todays: CheckIn | None  # today's report, when there is one: reporting again starts from it
    initial: dict[str, object]
    initial_symptoms: dict[str, str]
    last: CheckIn | None = None  # the latest report: its pain is shown beside the buttons, never chosen for them
    # "Anything new or worse?" is asked first, and "No" sends the pain alone, only when the latest report had
    # nothing to carry on: after one with symptoms, or a fever, each is asked again for today.
    offer_nothing_new: bool = False
    last_symptoms: list[str] = field(default_factory=list)  # the latest report's symptoms in words


def checkin_form(actor: Actor, patient: Patient, *, now: dt.datetime) -> CheckInFormView:
    """What the check-in form starts from. Reporting again today starts from this morning's answers, so
    nothing said before silently drops. The pain is never chosen in advance: the last answer is shown beside
    the buttons (a slider left at yesterday's 10 sent 10 unawares)."""
    today_date = clinic_today(patient.clinic, now)
    procedure = latest_procedure(patient)
    if procedure is None:
        return CheckInFormView(None, None, None, {}, {})
    record_read(actor, AuditAction.CHECKIN_FORM, patient.clinic, [patient], now=now)
    todays = procedure.checkins.filter(date=today_date).first()
    last = todays or procedure.checkins.order_by("-date").first()
    day = (today_date - procedure.performed_on).days
    carried: dict[str, str] = dict(last.symptoms) if last is not None else {}
    calm = last is None or (not carried and Disposition(last.disposition) == Disposition.SELF_CARE)
    labels: dict[str, str] = _labels(parsed_protocol(last.protocol)) if last is not None else {}
    view = CheckInFormView(
        procedure,
        day,
        todays,
        {"temperature_c": todays.temperature_c, "note": todays.note} if todays is not None else {},
        dict(todays.symptoms) if todays is not None else {},
        last=last,
        offer_nothing_new=calm and todays is None,
        last_symptoms=[labels.get(code, code) for code in carried],
    )
    return view


def checkin_sent_back(
    actor: Actor, patient: Patient, procedure: Procedure | None, *, now: dt.datetime
) -> CheckInFormView:
    """The check-in form shown again with what was sent (refused with its problems, or held to ask about the
    note): a read of the patient's record as its first showing is, told apart by ``sent_back``."""
    if procedure is None:
        return CheckInFormView(None, None, None, {}, {})
    record_read(actor, AuditAction.CHECKIN_FORM, patient.clinic, [patient], now=now, detail={"sent_back": True})
    day = (clinic_today(patient.clinic, now) - procedure.performed_on).days
    return CheckInFormView(procedure, day, None, {}, {}, last=procedure.checkins.order_by("-date").first())


@dataclass(frozen=True, slots=True)
class RefusedEmergency:
    """A form refused for one bad answer whose other answers need the emergency department now."""

    what: str  # "check-in" or "screening"
    result: Result
    findings: tuple[FindingRecord, ...]


def refused_emergency(protocol: ClinicProtocol, findings: tuple[FindingRecord, ...], what: str) -> RefusedEmergency:
    emergencies = tuple(f for f in findings if f.disposition == Disposition.EMERGENCY)
    return RefusedEmergency(what, result_of(protocol.protocol, Disposition.EMERGENCY), emergencies)


# --- education and the screening form -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnView:
    topics: list[EducationTopic]
    topic: EducationTopic | None
    conditions: list[Condition]  # the patient's own diagnosis, explained


def learn(
    actor: Actor, patient: Patient, protocol: ClinicProtocol, topic: str | None, *, now: dt.datetime
) -> LearnView | None:
    """The education pages; None for a topic the protocol does not have. A page that names the patient's
    diagnosis is a read of their data."""
    rules = protocol.protocol
    topics = list(rules.education)
    chosen = next((t for t in topics if t.code == topic), None) if topic is not None else None
    if topic is not None and chosen is None:
        return None
    conditions = [c for c in rules.conditions if c.code in patient.conditions]
    if conditions:
        record_read(actor, AuditAction.PATIENT_LEARN, patient.clinic, [patient], now=now)
    return LearnView(topics, chosen, conditions)


@dataclass(frozen=True, slots=True)
class ScreeningFormView:
    initial: dict[str, object]
    initial_symptoms: dict[str, str]


def screening_form(actor: Actor, patient: Patient, *, now: dt.datetime) -> ScreeningFormView:
    """Answering again starts from the answers given before (the baseline): nothing said silently drops. The
    first time, the diagnosis the clinic entered at enrolment is already ticked."""
    if patient.baseline_pain is None and not patient.conditions:
        return ScreeningFormView({}, {})
    record_read(actor, AuditAction.SCREENING_FORM, patient.clinic, [patient], now=now)
    if patient.baseline_pain is None:
        return ScreeningFormView({"conditions": list(patient.conditions)}, {})
    initial: dict[str, object] = {
        "conditions": patient.conditions,
        "history": patient.history,
        "pain": patient.baseline_pain,
        "pain_trend": patient.baseline_pain_trend,
    }
    return ScreeningFormView(initial, dict(patient.baseline_symptoms))


# --- the summary for the emergency team -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportSummary:
    checkin: CheckIn
    result: Result  # the day's most severe report, in its own version's words
    symptoms: list[tuple[str, str]]  # (symptom in words, how bad)
    reasons: list[str]  # what the day's most severe report was answered with, and why


@dataclass(frozen=True, slots=True)
class EmergencySummary:
    """What a doctor who has never met the patient needs first: the injection, what was in it, what the
    patient takes and has, what they reported last, and whom to call. One printed page."""

    patient: Patient
    clinic: Clinic
    procedure: Procedure | None
    target: str | None  # in a clinician's words, with the patient's beside it
    conditions: list[str]
    history: list[str]  # the screening's medicines and history, in words
    screened_on: dt.date | None
    latest: ReportSummary | None  # the latest check-in
    worst: ReportSummary | None  # a more severe report in the last day, when the latest is calmer
    printed_at: dt.datetime


def _report_summary(checkin: CheckIn, rules: Protocol) -> ReportSummary:
    worst = worst_version(checkin)
    labels, ungraded = _labels(rules), yes_or_no(rules)
    return ReportSummary(
        checkin=checkin,
        result=day_result(checkin),
        # A red flag asked yes or no reads "yes", not the grade it is stored as.
        symptoms=[
            (labels.get(code, code), "yes" if code in ungraded else grade) for code, grade in worst.symptoms.items()
        ],
        reasons=[f.reason for f in worst.findings if f.disposition != Disposition.SELF_CARE],
    )


def emergency_summary(
    actor: Actor, patient: Patient, protocol: ClinicProtocol, *, now: dt.datetime
) -> EmergencySummary:
    rules = protocol.protocol
    procedure = latest_procedure(patient)
    screening = patient.screenings.order_by("-answered_at").first()
    latest = worst = None
    if procedure is not None:
        recent = list(procedure.checkins.order_by("-date").prefetch_related(VERSIONS_WITH_PROTOCOL)[:1])
        if recent:
            latest = _report_summary(recent[0], rules)
            day = _report_to_show(procedure, clinic_today(patient.clinic, now), now)
            if day is not None and day.pk != recent[0].pk and worst_of_day(day).rank > worst_of_day(recent[0]).rank:
                worst = _report_summary(day, rules)
    target = None
    if procedure is not None:
        words = {t.code: t.label for t in rules.targets}.get(procedure.target, procedure.target)
        technical = procedure.target.replace("_", " ")
        target = technical if words == technical else f"{technical} ({words})"
    factors = {f.code: f.label for f in rules.screening_factors}
    record_read(actor, AuditAction.PATIENT_EMERGENCY_SUMMARY, patient.clinic, [patient], now=now)
    return EmergencySummary(
        patient=patient,
        clinic=patient.clinic,
        procedure=procedure,
        target=target,
        conditions=[c.label for c in rules.conditions if c.code in patient.conditions],
        history=[factors.get(code, code) for code in patient.history],
        screened_on=screening.answered_at.date() if screening is not None else None,
        latest=latest,
        worst=worst,
        printed_at=now,
    )


def screening_sent_back(actor: Actor, patient: Patient, *, now: dt.datetime) -> None:
    """The screening form shown again with the patient's answers and its problems: a read of their record."""
    record_read(actor, AuditAction.SCREENING_FORM, patient.clinic, [patient], now=now, detail={"sent_back": True})
