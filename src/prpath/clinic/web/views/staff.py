"""The clinic's pages: the alert worklist, the patient list and timeline, enrolment, screening review,
procedures. Staff of another clinic, and patients, get 404 here; staff whose role lacks a permission 403."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prpath.accounts.models import AccessLink, LinkPurpose
from prpath.clinic.actions.access_links import do_invite_patient, do_issue_password_link, do_issue_staff_link
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.actions.checkins import do_mark_note_read
from prpath.clinic.actions.notes import do_add_note
from prpath.clinic.actions.patients import do_enrol_patient
from prpath.clinic.actions.procedures import do_record_procedure
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.actions.staff import do_change_staff_role, do_invite_staff, do_set_staff_active
from prpath.clinic.models import Alert, Role, StaffMember
from prpath.clinic.permissions import (
    Permission,
    can,
    get_alert_for,
    get_checkin_for,
    get_patient_for,
    get_screening_for,
    get_staff_member_for,
    login_required,
    require,
    require_staff,
)
from prpath.clinic.queries import staff_pages
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.web.charts import pain_chart
from prpath.clinic.web.forms import (
    STAGE_FILTERS,
    AlertNoteForm,
    ClinicalNoteForm,
    DecisionForm,
    EnrolForm,
    NoteReadForm,
    PatientFilterForm,
    ProcedureForm,
    StaffActiveForm,
    StaffForm,
    StaffRoleForm,
    WorklistChangesForm,
    add_problems,
)
from prpath.clinic.web.qr import qr_code
from prpath.clinic.web.views.common import form_page, staff_actor
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Candidacy

PAGE_SIZE = 50


def _permissions(staff: StaffMember) -> dict[str, bool]:
    return {p.value: can(staff, p) for p in Permission}


def _context(staff: StaffMember, **extra: Any) -> dict[str, Any]:
    return {"staff": staff, "clinic": staff.clinic, "may": _permissions(staff), **extra}


def _fields(view: Any) -> dict[str, Any]:
    """A view model's fields as template names: the template shows them, it decides nothing."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


# --- the alert worklist ----------------------------------------------------------------------------


def _row(card: staff_pages.AlertCard, form: AlertNoteForm) -> dict[str, Any]:
    return {
        "alert": card.alert,
        "result": card.result,
        "evidence": card.evidence,
        "earlier_words": card.earlier_words,
        "form": form,
    }


def _render_worklist(
    request: HttpRequest,
    staff: StaffMember,
    *,
    problem_alert: uuid.UUID | None = None,
    form: AlertNoteForm | None = None,
) -> HttpResponse:
    view = staff_pages.worklist(staff_actor(request), staff, now=timezone.now())
    rows = [
        _row(card, form if form is not None and card.alert.uuid == problem_alert else AlertNoteForm())
        for card in view.cards
    ]
    return render(
        request,
        "clinic/staff/worklist.html",
        _context(
            staff,
            nav="worklist",
            rows=rows,
            notes=view.notes,
            notes_waiting=view.notes_waiting,
            loaded_at=view.loaded_at,
        ),
        status=400 if form is not None else 200,
    )


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    require(staff, Permission.VIEW_PATIENTS)
    return _render_worklist(request, staff)


@login_required
@require_GET
def worklist_changes(request: HttpRequest) -> HttpResponse:
    """What the open worklist polls: how many open alerts are new or changed since the page was loaded.

    The page itself is not replaced under a nurse typing a note; it says that it is out of date and how
    (an emergency among the changes is named), and the nurse reloads it. Counts only, so nothing is audited.
    """
    staff = require_staff(request)
    require(staff, Permission.VIEW_PATIENTS)
    form = WorklistChangesForm(request.GET)
    if not form.is_valid():
        problems = " ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    changes = staff_pages.worklist_changes(staff, form.cleaned_data["since"])
    return render(request, "clinic/staff/_worklist_changes.html", _fields(changes))


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_uuid: uuid.UUID, action: str) -> HttpResponse:
    staff = require_staff(request)
    alert = get_alert_for(staff, alert_uuid)
    require(staff, Permission.WORK_ALERTS)
    form = AlertNoteForm(request.POST)
    try:
        if not form.is_valid():
            if "seen" in form.errors:  # a tampered or mangled page: it cannot say what the nurse saw
                form.add_error(None, "This page is out of date: reload it, read the alert, then act on it.")
            raise ProblemsFound([])
        data = form.cleaned_data
        act = do_acknowledge_alert if action == "acknowledge" else do_resolve_alert
        alert = act(
            staff_actor(request),
            alert,
            note=data["note"],
            message=data["message"],
            seen=data["seen"],
            note_revision=data["note_revision"],
            now=timezone.now(),
        )
    except ProblemsFound as found:
        add_problems(form, found)
        if request.headers.get("HX-Request"):
            return _alert_row(request, staff, alert, form, status=400, refused=True)
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


def _alert_row(
    request: HttpRequest,
    staff: StaffMember,
    alert: Alert,
    form: AlertNoteForm,
    status: int = 200,
    *,
    refused: bool = False,
) -> HttpResponse:
    card, to_work = staff_pages.alert_card(staff_actor(request), staff, alert, now=timezone.now(), refused=refused)
    # The worklist's "N to work" is updated alongside the card (an out-of-band swap).
    return render(
        request, "clinic/staff/_alert_row.html", _context(staff, row=_row(card, form), to_work=to_work), status=status
    )


@login_required
@require_POST
def note_read(request: HttpRequest, checkin_uuid: uuid.UUID) -> HttpResponse:
    """Mark a patient's note read (audited): from the worklist's "notes to read", with or without htmx."""
    staff = require_staff(request)
    checkin = get_checkin_for(staff, checkin_uuid)
    require(staff, Permission.WORK_ALERTS)
    form = NoteReadForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = "This page is out of date: reload it, read the note, then mark it read."
    else:
        try:
            do_mark_note_read(staff_actor(request), checkin, revision=form.cleaned_data["revision"], now=timezone.now())
        except ProblemsFound as found:
            problem = " ".join(p.message[:1].upper() + p.message[1:] + "." for p in found.problems)
    if request.headers.get("HX-Request"):
        item, to_read = staff_pages.note_to_read(
            staff_actor(request), staff, checkin, now=timezone.now(), refused=bool(problem)
        )
        return render(
            request,
            "clinic/staff/_note_row.html",
            _context(staff, item=item, problem=problem, to_read=to_read),
            status=400 if problem else 200,
        )
    if problem:
        messages.error(request, f"Note from {checkin.patient.full_name}: {problem}")
    else:
        messages.success(request, f"Note from {checkin.patient.full_name} marked read.")
    return redirect(reverse("worklist") + "#notes-to-read")


# --- patients --------------------------------------------------------------------------------------


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    require(staff, Permission.VIEW_PATIENTS)
    filters = PatientFilterForm(request.GET)
    params = filters.filters()
    view = staff_pages.patient_list(
        staff_actor(request), staff, params, request.GET.get("page"), protocol_for(staff.clinic), now=timezone.now()
    )
    return render(
        request,
        "clinic/staff/patient_list.html",
        _context(
            staff,
            nav="patients",
            rows=view.rows,
            page=view.page,
            params=params,
            filters=filters,
            stage_filters=STAGE_FILTERS,
            today=view.today,
        ),
        status=400 if filters.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    require(staff, Permission.ENROL_PATIENTS)
    clinic_protocol = protocol_for(staff.clinic)
    form = EnrolForm(request.POST or None, protocol=clinic_protocol.protocol)
    email = ""  # as sent: a refusal because a patient of the clinic has it tells of that patient
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            patient = do_enrol_patient(
                staff_actor(request), staff.clinic, form.enrolment(), protocol=clinic_protocol, now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, f"{patient.full_name} is enrolled. Create their invitation link below.")
            return redirect("patient-timeline", patient_uuid=patient.uuid)
    if email:
        staff_pages.enrolment_sent_back(staff_actor(request), staff, email, now=timezone.now())
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
    staff = require_staff(request)
    patient = get_patient_for(staff, patient_uuid)
    require(staff, Permission.ENROL_PATIENTS)
    try:
        invitation, token = issue(staff_actor(request), patient, now=timezone.now())
    except ProblemsFound as found:
        messages.error(request, " ".join(p.message[:1].upper() + p.message[1:] for p in found.problems))
        return redirect("patient-timeline", patient_uuid=patient.uuid)
    link = request.build_absolute_uri(reverse("accept-invitation", kwargs={"token": token}))
    new_password = invitation.purpose == LinkPurpose.NEW_PASSWORD
    return render(
        request,
        "clinic/staff/invitation.html",
        _context(
            staff,
            patient=patient,
            invitation=invitation,
            link=link,
            qr=qr_code(link, label=f"QR code of the {'new-password' if new_password else 'invitation'} link"),
            new_password=new_password,
        ),
    )


@login_required
@require_GET
def timeline(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
    patient = get_patient_for(staff, patient_uuid)
    view = staff_pages.timeline(staff_actor(request), staff, patient, protocol_for(staff.clinic), now=timezone.now())
    chart = pain_chart(view.points, patient.baseline_pain, pain_max=view.pain_max)
    return render(
        request,
        "clinic/staff/timeline.html",
        _context(staff, nav="patients", chart=chart, note_form=ClinicalNoteForm(), **_fields(view)),
    )


@login_required
@require_POST
def add_note(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
    patient = get_patient_for(staff, patient_uuid)
    require(staff, Permission.WRITE_NOTES)
    form = ClinicalNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        do_add_note(staff_actor(request), patient, text=data["text"], now=timezone.now(), once=data["once"])
        messages.success(request, "Note added.")
    else:
        if not (request.POST.get("text") or "").strip():
            messages.error(request, "The note was empty: nothing was added.")
        else:
            said = " ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, f"Nothing was added. {said}")
    return redirect(reverse("patient-timeline", kwargs={"patient_uuid": patient.uuid}) + "#notes")


@login_required
@require_http_methods(["GET", "POST"])
def screening_review(request: HttpRequest, patient_uuid: uuid.UUID, screening_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
    patient = get_patient_for(staff, patient_uuid)
    record = get_screening_for(staff, patient, screening_uuid)
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
    view = staff_pages.screening_review(staff_actor(request), staff, patient, record, now=timezone.now())
    return form_page(
        request,
        "clinic/staff/screening_review.html",
        _context(staff, patient=patient, form=form, **_fields(view)),
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_procedure(request: HttpRequest, patient_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
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
    if request.method == "POST" and form.is_valid():
        try:
            do_record_procedure(
                staff_actor(request),
                patient,
                form.record(),
                protocol=clinic_protocol,
                now=timezone.now(),
                once=form.cleaned_data["once"],
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, "Procedure recorded: the recovery plan starts from its date.")
            return redirect("patient-timeline", patient_uuid=patient.uuid)
    # What the screening asked to check before injecting (a pause in NSAIDs, a blood thinner) in view.
    screening = staff_pages.procedure_form(
        staff_actor(request), staff, patient, now=timezone.now(), sent_back=request.method == "POST"
    )
    return form_page(
        request,
        "clinic/staff/procedure.html",
        _context(staff, patient=patient, form=form, screening=screening),
        invalid=request.method == "POST",
    )


# --- the clinic's staff (clinic admins) ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """Who works here, and adding someone: the new account gets a link to set its own password."""
    staff = require_staff(request)
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
    members = staff_pages.staff_members(staff)
    return form_page(
        request,
        "clinic/staff/staff_list.html",
        _context(staff, nav="staff", form=form, members=members, roles=Role.choices),
        invalid=request.method == "POST",
    )


@login_required
@require_POST
def staff_link(request: HttpRequest, member_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
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
    staff = require_staff(request)
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
    staff = require_staff(request)
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
    new_password = invitation.purpose == LinkPurpose.NEW_PASSWORD
    return render(
        request,
        "clinic/staff/staff_link.html",
        _context(
            staff,
            nav="staff",
            member=member,
            invitation=invitation,
            link=link,
            qr=qr_code(link, label=f"QR code of the {'new-password' if new_password else 'sign-up'} link"),
            new_password=new_password,
        ),
    )
