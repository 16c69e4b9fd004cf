"""The clinic's pages: the alert worklist, the patient list and timeline, enrolment, screening review,
procedures. Staff of another clinic, and patients, get 404 here; staff whose role lacks a permission 403."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prpath.accounts.models import AccessLink, LinkPurpose
from prpath.audit.models import AuditAction
from prpath.clinic.actions.access_links import do_invite_patient, do_issue_password_link, do_issue_staff_link
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.actions.notes import do_add_note
from prpath.clinic.actions.patients import do_enrol_patient
from prpath.clinic.actions.procedures import do_record_procedure
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.actions.staff import do_change_staff_role, do_invite_staff, do_set_staff_active
from prpath.clinic.models import Alert, AlertState, Patient, Role, StaffMember, Stage
from prpath.clinic.permissions import (
    Permission,
    can,
    get_alert_for,
    get_patient_for,
    get_screening_for,
    get_staff_member_for,
    login_required,
    require,
    require_staff,
)
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.queries.reads import record_read
from prpath.clinic.translate import clinic_today
from prpath.clinic.web.charts import pain_chart
from prpath.clinic.web.forms import (
    STAGE_FILTERS,
    AlertNoteForm,
    ClinicalNoteForm,
    DecisionForm,
    EnrolForm,
    PatientFilterForm,
    ProcedureForm,
    StaffActiveForm,
    StaffForm,
    StaffRoleForm,
    WorklistChangesForm,
    add_problems,
)
from prpath.clinic.web.views.common import disposition_view, form_page, staff_actor, worst_of_day
from prpath.core import recovery
from prpath.core.findings import evidence_lines
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Candidacy, Disposition, Protocol

PAGE_SIZE = 50


def _recovery_days(protocol: Protocol) -> int:
    """Recovery lasts until the last scheduled check-in; after it, the patient is in follow-up."""
    days = recovery.checkin_days(protocol.schedules)
    return days[-1] if days else 42


def _permissions(staff: StaffMember) -> dict[str, bool]:
    return {p.value: can(staff, p) for p in Permission}


def _context(staff: StaffMember, **extra: Any) -> dict[str, Any]:
    return {"staff": staff, "clinic": staff.clinic, "may": _permissions(staff), **extra}


# --- the alert worklist ----------------------------------------------------------------------------


def _worklist(staff: StaffMember) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(clinic=staff.clinic)
        .exclude(state=AlertState.RESOLVED)
        .select_related("patient", "checkin", "acknowledged_by")
        .order_by("-severity_rank", "raised_at")
    )


def _render_worklist(
    request: HttpRequest,
    staff: StaffMember,
    *,
    problem_alert: uuid.UUID | None = None,
    form: AlertNoteForm | None = None,
) -> HttpResponse:
    protocol = protocol_for(staff.clinic).protocol
    loaded_at = timezone.now()  # before the read: a change made during it is announced, never missed
    alerts = list(_worklist(staff))
    record_read(
        staff_actor(request), AuditAction.ALERT_WORKLIST, staff.clinic, [a.patient for a in alerts], now=loaded_at
    )
    rows = [
        alert_row(protocol, a, form if form is not None and a.uuid == problem_alert else AlertNoteForm())
        for a in alerts
    ]
    return render(
        request,
        "clinic/staff/worklist.html",
        _context(staff, nav="worklist", rows=rows, loaded_at=loaded_at),
        status=400 if form is not None else 200,
    )


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request.user)
    require(staff, Permission.VIEW_PATIENTS)
    return _render_worklist(request, staff)


@login_required
@require_GET
def worklist_changes(request: HttpRequest) -> HttpResponse:
    """What the open worklist polls: how many open alerts are new or changed since the page was loaded.

    The page itself is not replaced under a nurse typing a note; it says that it is out of date and how
    (an emergency among the changes is named), and the nurse reloads it. Counts only, so nothing is audited.
    """
    staff = require_staff(request.user)
    require(staff, Permission.VIEW_PATIENTS)
    form = WorklistChangesForm(request.GET)
    if not form.is_valid():
        problems = " ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    changed = (
        Alert.objects.filter(clinic=staff.clinic, state=AlertState.OPEN, updated_at__gt=form.cleaned_data["since"])
        .values("disposition")
        .annotate(n=Count("pk"))
    )
    counts = {row["disposition"]: row["n"] for row in changed}
    return render(
        request,
        "clinic/staff/_worklist_changes.html",
        {"changed": sum(counts.values()), "emergencies": counts.get(Disposition.EMERGENCY, 0)},
    )


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_uuid: uuid.UUID, action: str) -> HttpResponse:
    staff = require_staff(request.user)
    alert = get_alert_for(staff, alert_uuid)
    require(staff, Permission.WORK_ALERTS)
    form = AlertNoteForm(request.POST)
    try:
        if not form.is_valid():
            if "seen" in form.errors:  # a tampered or mangled page: it cannot say what the nurse saw
                form.add_error(None, "This page is out of date: reload it, read the alert, then act on it.")
            raise ProblemsFound([])
        note, seen = form.cleaned_data["note"], form.cleaned_data["seen"]
        if action == "acknowledge":
            alert = do_acknowledge_alert(staff_actor(request), alert, note=note, seen=seen, now=timezone.now())
        else:
            alert = do_resolve_alert(staff_actor(request), alert, note=note, seen=seen, now=timezone.now())
    except ProblemsFound as found:
        add_problems(form, found)
        if request.headers.get("HX-Request"):
            return _alert_row(request, staff, alert, form, status=400)
        if any(p.location == "state" for p in found.problems):
            # Someone else got there first (acknowledged or resolved it): say so at the top of the worklist.
            messages.error(
                request, f"Alert for {alert.patient.full_name}: {' '.join(str(e) for e in form.non_field_errors())}"
            )
            return redirect(reverse("worklist") + f"#alert-{alert.uuid}")
        return _render_worklist(request, staff, problem_alert=alert.uuid, form=form)
    if request.headers.get("HX-Request"):
        return _alert_row(request, staff, alert, AlertNoteForm())
    verb = "acknowledged" if action == "acknowledge" else "resolved"
    messages.success(request, f"Alert for {alert.patient.full_name} {verb}.")
    return redirect(reverse("worklist") + f"#alert-{alert.uuid}")


def alert_row(protocol: Protocol, alert: Alert, form: AlertNoteForm) -> dict[str, Any]:
    """What a worklist card shows: the evidence of every finding above self_care, each line once."""
    return {
        "alert": alert,
        "result": disposition_view(protocol, alert.disposition),
        "form": form,
        "evidence": evidence_lines(alert.findings),
    }


def _alert_row(
    request: HttpRequest, staff: StaffMember, alert: Alert, form: AlertNoteForm, status: int = 200
) -> HttpResponse:
    alert = Alert.objects.select_related("patient", "checkin", "acknowledged_by", "resolved_by").get(pk=alert.pk)
    row = alert_row(protocol_for(staff.clinic).protocol, alert, form)
    # The worklist's "N to work" is updated alongside the card (an out-of-band swap).
    to_work = _worklist(staff).count()
    return render(request, "clinic/staff/_alert_row.html", _context(staff, row=row, to_work=to_work), status=status)


# --- patients --------------------------------------------------------------------------------------


def _patients(staff: StaffMember, params: dict[str, str], today: dt.date, protocol: Protocol) -> QuerySet[Patient]:
    patients = Patient.objects.filter(clinic=staff.clinic).annotate(
        open_alerts=Count("alerts", filter=~Q(alerts__state=AlertState.RESOLVED))
    )
    if q := params.get("q", "").strip():
        for word in q.split()[:4]:
            patients = patients.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(user__email__icontains=word)
                | Q(clinic_reference__icontains=word)
            )
    recovery_start = today - dt.timedelta(days=_recovery_days(protocol))
    stage = params.get("stage", "")
    if stage == "recovering":
        patients = patients.filter(stage=Stage.INJECTED, injected_on__gte=recovery_start)
    elif stage == "follow_up":
        patients = patients.filter(stage=Stage.INJECTED, injected_on__lt=recovery_start)
    elif stage in Stage.values:
        patients = patients.filter(stage=stage)
    if params.get("alerts") == "open":
        patients = patients.filter(open_alerts__gt=0)
    if params.get("missed") == "yes":
        patients = patients.filter(next_checkin_due__lt=today)
    return patients.order_by("family_name", "given_name", "pk")


def describe_symptoms(symptoms: dict[str, str], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels.get(code, code)} ({severity})" for code, severity in symptoms.items())


def describe_stage(patient: Patient, today: dt.date, recovery_days: int) -> str:
    if patient.stage == Stage.INJECTED and patient.injected_on is not None:
        day = (today - patient.injected_on).days
        return f"Recovering, day {day}" if day <= recovery_days else f"Follow-up, week {day // 7}"
    return str(Stage(patient.stage).label)


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request.user)
    require(staff, Permission.VIEW_PATIENTS)
    protocol = protocol_for(staff.clinic).protocol
    today = clinic_today(staff.clinic, timezone.now())
    filters = PatientFilterForm(request.GET)
    params = filters.filters()
    page = Paginator(_patients(staff, params, today, protocol), PAGE_SIZE).get_page(request.GET.get("page"))
    recovery_days = _recovery_days(protocol)
    patients = list(page)
    rows = [
        {
            "patient": p,
            "stage": describe_stage(p, today, recovery_days),
            "missed": p.next_checkin_due is not None and p.next_checkin_due < today,
        }
        for p in patients
    ]
    record_read(
        staff_actor(request),
        AuditAction.PATIENT_LIST,
        staff.clinic,
        patients,
        now=timezone.now(),
        detail={"query": params},
    )
    return render(
        request,
        "clinic/staff/patient_list.html",
        _context(
            staff,
            nav="patients",
            rows=rows,
            page=page,
            params=params,
            filters=filters,
            stage_filters=STAGE_FILTERS,
            today=today,
        ),
        status=400 if filters.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request.user)
    require(staff, Permission.ENROL_PATIENTS)
    clinic_protocol = protocol_for(staff.clinic)
    form = EnrolForm(request.POST or None, protocol=clinic_protocol.protocol)
    if request.method == "POST" and form.is_valid():
        try:
            patient = do_enrol_patient(
                staff_actor(request), staff.clinic, form.enrolment(), protocol=clinic_protocol, now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, f"{patient.full_name} is enrolled. Create their invitation link below.")
            return redirect("patient-timeline", patient_uuid=patient.uuid)
    return form_page(
        request, "clinic/staff/enrol.html", _context(staff, nav="enrol", form=form), invalid=request.method == "POST"
    )


@login_required
@require_POST
def invite(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    return _link_page(request, patient_uuid, do_invite_patient)


@login_required
@require_POST
def password_link(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    return _link_page(request, patient_uuid, do_issue_password_link)


def _link_page(
    request: HttpRequest, patient_uuid: uuid.UUID, issue: Callable[..., tuple[AccessLink, str]]
) -> HttpResponse:
    """An invitation or new-password link, shown once to the staff member who made it."""
    staff = require_staff(request.user)
    patient = get_patient_for(staff, patient_uuid)
    require(staff, Permission.ENROL_PATIENTS)
    try:
        invitation, token = issue(staff_actor(request), patient, now=timezone.now())
    except ProblemsFound as found:
        messages.error(request, " ".join(p.message[:1].upper() + p.message[1:] for p in found.problems))
        return redirect("patient-timeline", patient_uuid=patient.uuid)
    link = request.build_absolute_uri(reverse("accept-invitation", kwargs={"token": token}))
    return render(
        request,
        "clinic/staff/invitation.html",
        _context(
            staff,
            patient=patient,
            invitation=invitation,
            link=link,
            new_password=invitation.purpose == LinkPurpose.NEW_PASSWORD,
        ),
    )


@login_required
@require_GET
def timeline(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    patient = get_patient_for(staff, patient_uuid)
    protocol = protocol_for(staff.clinic).protocol
    today = clinic_today(staff.clinic, timezone.now())
    screenings = list(patient.screenings.select_related("decided_by"))
    procedures = list(patient.procedures.select_related("operator"))
    checkins = list(patient.checkins.select_related("procedure").prefetch_related("versions"))
    alerts = list(patient.alerts.select_related("acknowledged_by", "resolved_by"))
    notes = list(patient.notes.select_related("author"))
    events: list[dict[str, Any]] = []
    events += [{"at": s.answered_at, "kind": "screening", "item": s} for s in screenings]
    targets = {t.code: t.label for t in protocol.targets}
    events += [
        {"at": p.performed_at, "kind": "procedure", "item": p, "target": targets.get(p.target, p.target)}
        for p in procedures
    ]
    labels = {s.code: s.label for s in protocol.symptoms}
    events += [
        {
            "at": c.submitted_at,
            "kind": "checkin",
            "item": c,
            # The day is badged by its most severe report: an evening amendment must not hide the morning's.
            "result": disposition_view(protocol, worst_of_day(c)),
            "latest": disposition_view(protocol, c.disposition) if worst_of_day(c) != c.disposition else None,
            "symptoms": describe_symptoms(c.symptoms, labels),
        }
        for c in checkins
    ]
    events += [{"at": a.raised_at, "kind": "alert", "item": a} for a in alerts]
    events += [{"at": n.written_at, "kind": "note", "item": n} for n in notes]
    events.sort(key=lambda e: e["at"], reverse=True)
    latest = procedures[0] if procedures else None
    current = [c for c in checkins if latest and c.procedure_id == latest.pk]
    missed = (
        recovery.missed_checkins(protocol.schedules, latest.performed_on, [c.date for c in current], today)
        if latest
        else ()
    )
    record_read(staff_actor(request), AuditAction.PATIENT_TIMELINE, staff.clinic, [patient], now=timezone.now())
    return render(
        request,
        "clinic/staff/timeline.html",
        _context(
            staff,
            nav="patients",
            patient=patient,
            stage=describe_stage(patient, today, _recovery_days(protocol)),
            events=events,
            screening=screenings[0] if screenings else None,
            procedure=latest,
            chart=pain_chart(
                [(c.day, c.pain) for c in current], patient.baseline_pain, pain_max=protocol.limits.pain_max
            ),
            missed=missed,
            note_form=ClinicalNoteForm(),
            open_alerts=[a for a in alerts if a.state != AlertState.RESOLVED],
            worst_open=max(
                (a.disposition for a in alerts if a.state != AlertState.RESOLVED),
                key=lambda d: Disposition(d).rank,
                default=None,
            ),
            baseline_conditions=[c.label for c in protocol.conditions if c.code in patient.conditions],
            baseline_symptoms=describe_symptoms(patient.baseline_symptoms, labels),
            age=patient.age_on(today),
        ),
    )


@login_required
@require_POST
def add_note(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    patient = get_patient_for(staff, patient_uuid)
    require(staff, Permission.WRITE_NOTES)
    form = ClinicalNoteForm(request.POST)
    if form.is_valid():
        do_add_note(staff_actor(request), patient, text=form.cleaned_data["text"], now=timezone.now())
        messages.success(request, "Note added.")
    else:
        messages.error(request, "The note was empty: nothing was added.")
    return redirect(reverse("patient-timeline", kwargs={"patient_uuid": patient.uuid}) + "#notes")


@login_required
@require_http_methods(["GET", "POST"])
def screening_review(request: HttpRequest, patient_uuid: uuid.UUID, screening_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    patient = get_patient_for(staff, patient_uuid)
    record = get_screening_for(staff, patient, screening_uuid)
    protocol = protocol_for(staff.clinic).protocol
    if request.method == "POST":
        require(staff, Permission.DECIDE_CANDIDACY)
    # Nothing chosen in advance: approving a spinal injection takes a deliberate choice.
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_decide_candidacy(
                staff_actor(request),
                record,
                candidacy=Candidacy(form.cleaned_data["candidacy"]),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("patient-timeline", patient_uuid=patient.uuid)
    record_read(
        staff_actor(request),
        AuditAction.SCREENING_REVIEW,
        staff.clinic,
        [patient],
        now=timezone.now(),
        detail={"screening": str(record.uuid)},
    )
    answers = record.answers
    return form_page(
        request,
        "clinic/staff/screening_review.html",
        _context(
            staff,
            patient=patient,
            screening=record,
            form=form,
            result=disposition_view(protocol, record.disposition),
            candidacy_text=protocol.candidacies[Candidacy(record.recommended_candidacy)],
            findings=[
                {
                    **f.as_data(),
                    "candidacy_label": protocol.candidacies[f.candidacy].label if f.candidacy else None,
                }
                for f in record.findings
            ],
            conditions=[c.label for c in protocol.conditions if c.code in answers.get("conditions", [])],
            history=[f.label for f in protocol.screening_factors if f.code in answers.get("history", [])],
            symptoms=[
                (s.label, answers["symptoms"][s.code])
                for s in protocol.symptoms
                if s.code in answers.get("symptoms", {})
            ],
        ),
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_procedure(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    patient = get_patient_for(staff, patient_uuid)
    require(staff, Permission.RECORD_PROCEDURES)
    clinic_protocol = protocol_for(staff.clinic)
    form = ProcedureForm(
        request.POST or None,
        protocol=clinic_protocol.protocol,
        clinic=staff.clinic,
        initial={
            "operator": request.user.pk,
            "leukocytes": "poor",
            "activation": "none",
            "performed_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
        },
    )
    if request.method == "GET":
        record_read(staff_actor(request), AuditAction.PROCEDURE_FORM, staff.clinic, [patient], now=timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            do_record_procedure(
                staff_actor(request), patient, form.record(), protocol=clinic_protocol, now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, "Procedure recorded: the recovery plan starts from its date.")
            return redirect("patient-timeline", patient_uuid=patient.uuid)
    return form_page(
        request,
        "clinic/staff/procedure.html",
        # What the screening asked to check before injecting (a pause in NSAIDs, a blood thinner) in view.
        _context(
            staff,
            patient=patient,
            form=form,
            screening=patient.screenings.select_related("decided_by").order_by("-answered_at").first(),
        ),
        invalid=request.method == "POST",
    )


# --- the clinic's staff (clinic admins) ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """Who works here, and adding someone: the new account gets a link to set its own password."""
    staff = require_staff(request.user)
    require(staff, Permission.MANAGE_STAFF)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member, invitation, token = do_invite_staff(
                staff_actor(request), staff.clinic, form.member(), now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            return _staff_link_page(request, staff, member, invitation, token)
    members = (
        StaffMember.objects.filter(clinic=staff.clinic)
        .select_related("user")
        .order_by("-user__is_active", "user__family_name", "user__given_name")
    )
    return form_page(
        request,
        "clinic/staff/staff_list.html",
        _context(staff, nav="staff", form=form, members=members, roles=Role.choices),
        invalid=request.method == "POST",
    )


@login_required
@require_POST
def staff_link(request: HttpRequest, member_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    member = get_staff_member_for(staff, member_uuid)
    try:
        invitation, token = do_issue_staff_link(staff_actor(request), member, now=timezone.now())
    except ProblemsFound as found:
        messages.error(request, _sentence(found))
        return redirect("staff-list")
    return _staff_link_page(request, staff, member, invitation, token)


@login_required
@require_POST
def staff_active(request: HttpRequest, member_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    member = get_staff_member_for(staff, member_uuid)
    form = StaffActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That request was not understood (active: must be yes or no). Nothing changed.")
        return redirect("staff-list")
    active = form.cleaned_data["active"]
    try:
        do_set_staff_active(staff_actor(request), member, active=active, now=timezone.now())
    except ProblemsFound as found:
        messages.error(request, _sentence(found))
    else:
        done = (
            "is active again: make them a sign-up link to choose a new password"
            if active
            else "is deactivated and can no longer sign in"
        )
        messages.success(request, f"{member.user.get_full_name()} {done}.")
    return redirect("staff-list")


@login_required
@require_POST
def staff_role(request: HttpRequest, member_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request.user)
    member = get_staff_member_for(staff, member_uuid)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(e) for e in form.errors["new_role"])
        messages.error(request, f"That role was not understood: {problem} Nothing changed.")
        return redirect("staff-list")
    before = member.get_role_display()
    try:
        member = do_change_staff_role(
            staff_actor(request), member, role=form.cleaned_data["new_role"], now=timezone.now()
        )
    except ProblemsFound as found:
        messages.error(request, _sentence(found))
    else:
        after = member.get_role_display()
        if after != before:
            messages.success(request, f"{member.user.get_full_name()}'s role is now {after.lower()}.")
    return redirect("staff-list")


def _sentence(found: ProblemsFound) -> str:
    return " ".join(problem.message for problem in found.problems)


def _staff_link_page(
    request: HttpRequest, staff: StaffMember, member: StaffMember, invitation: AccessLink, token: str
) -> HttpResponse:
    """The link for a colleague to set their password, shown once to the admin who made it."""
    link = request.build_absolute_uri(reverse("accept-invitation", kwargs={"token": token}))
    return render(
        request,
        "clinic/staff/staff_link.html",
        _context(
            staff,
            nav="staff",
            member=member,
            invitation=invitation,
            link=link,
            new_password=invitation.purpose == LinkPurpose.NEW_PASSWORD,
        ),
    )
