"""The patient's pages (phone first). Every one of them is about the signed-in patient only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.access_links import do_accept_access_link
from prpath.clinic.actions.checkins import do_record_checkin, do_triage_refused_checkin
from prpath.clinic.actions.screening import do_record_screening, do_triage_refused_screening
from prpath.clinic.models import AlertState, CheckIn, Patient, Procedure, Screening
from prpath.clinic.permissions import login_required, require_patient
from prpath.clinic.queries.access_links import find_access_link
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.queries.reads import record_read
from prpath.clinic.translate import clinic_today
from prpath.clinic.web.charts import pain_chart
from prpath.clinic.web.forms import AcceptInvitationForm, CheckInForm, ScreeningForm, add_problems
from prpath.clinic.web.views.common import disposition_view, form_page, patient_actor, worst_of_day, worst_version
from prpath.core import recovery
from prpath.core.findings import records_of
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Disposition, Protocol
from prpath.core.triage import Assessment


def _latest_procedure(patient: Patient) -> Procedure | None:
    return patient.procedures.order_by("-performed_at").first()


def _checkin_to_show(procedure: Procedure, day: dt.date, now: dt.datetime) -> CheckIn | None:
    """What today's page reports on: today's check-in, or one sent in the last day for an earlier date (a
    report of last night's symptoms sent this morning) when it is more severe."""
    recent = procedure.checkins.filter(Q(date=day) | Q(submitted_at__gte=now - dt.timedelta(hours=24)))
    candidates = [
        c
        for c in recent.prefetch_related("versions")
        if c.date == day or Disposition(worst_of_day(c)) != Disposition.SELF_CARE
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (Disposition(worst_of_day(c)).rank, c.date == day, c.date))


def _labels(protocol: Protocol) -> dict[str, str]:
    return {s.code: s.label for s in protocol.symptoms}


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request.user)
    protocol = protocol_for(patient.clinic).protocol
    day = clinic_today(patient.clinic, timezone.now())
    procedure = _latest_procedure(patient)
    guidance = (
        recovery.guidance_for(protocol.recovery_plan, protocol.schedules, procedure.performed_on, day)
        if procedure
        else None
    )
    todays = _checkin_to_show(procedure, day, timezone.now()) if procedure else None
    screening = patient.screenings.first()
    # Answers that needed the emergency department stay on this page until the clinic closes their alert:
    # neither the physician's decision nor calmer answers given since take the instruction away.
    emergency_alert = (
        patient.alerts.filter(screening__isnull=False, disposition=Disposition.EMERGENCY)
        .exclude(state=AlertState.RESOLVED)
        .exists()
    )
    screening_emergency = (
        patient.screenings.filter(disposition=Disposition.EMERGENCY).order_by("-answered_at").first()
        if emergency_alert
        else None
    )
    todays_result = disposition_view(protocol, worst_of_day(todays)) if todays else None
    # An emergency in a form that was refused and not stored stays here until a stored report explains it
    # or the clinic closes the alert: the patient may come back to this page rather than to the form.
    unsent_alert = (
        patient.alerts.filter(disposition=Disposition.EMERGENCY)
        .exclude(unsent="")
        .exclude(state=AlertState.RESOLVED)
        .order_by("-updated_at")
        .first()
        if screening_emergency is None and (todays_result is None or todays_result["code"] != Disposition.EMERGENCY)
        else None
    )
    # Before the injection, the screening's own instructions (such as pausing NSAIDs) are the guidance.
    before = [f.reason for f in screening.findings if f.disposition == Disposition.SELF_CARE] if screening else []
    record_read(patient_actor(request), AuditAction("patient.today"), patient.clinic, [patient], now=timezone.now())
    return render(
        request,
        "clinic/patient/today.html",
        {
            "nav": "today",
            "patient": patient,
            "clinic": patient.clinic,
            "procedure": procedure,
            "guidance": guidance,
            "todays_checkin": todays,
            "todays_result": todays_result,
            "unsent_alert": unsent_alert,
            "checkin_is_today": todays is not None and todays.date == day,
            "checked_in_today": procedure is not None and procedure.checkins.filter(date=day).exists(),
            "screening_result": disposition_view(protocol, screening.disposition) if screening else None,
            "screening_emergency": screening_emergency,
            "emergency": disposition_view(protocol, Disposition.EMERGENCY),
            "screening": screening,
            "before_injection": before,
            "target_label": {t.code: t.label for t in protocol.targets}.get(procedure.target) if procedure else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request.user)
    clinic_protocol = protocol_for(patient.clinic)
    protocol = clinic_protocol.protocol
    day = clinic_today(patient.clinic, timezone.now())
    procedure = _latest_procedure(patient)
    form = CheckInForm(request.POST or None, protocol=protocol, today=day)
    todays = procedure.checkins.filter(date=day).first() if procedure and request.method == "GET" else None
    if request.method == "GET" and procedure is not None:
        record_read(patient_actor(request), AuditAction("checkin.form"), patient.clinic, [patient], now=timezone.now())
        if todays is not None:
            # Reporting again today starts from this morning's answers: nothing said before silently drops.
            form.initial.update({"pain": todays.pain, "temperature_c": todays.temperature_c, "note": todays.note})
            form.start_symptoms_from(todays.symptoms)
        else:
            # A slider always has a value: start it at the last pain reported, never at an arbitrary middle.
            last = procedure.checkins.order_by("-date").values_list("pain", flat=True).first()
            form.initial["pain"] = last if last is not None else patient.baseline_pain
    if request.method == "POST" and form.is_valid():
        try:
            checkin = do_record_checkin(
                patient_actor(request), patient, form.report(), protocol=clinic_protocol, now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            return redirect("patient-checkin-result", checkin_uuid=checkin.uuid)
    unsent = None
    if request.method == "POST" and form.is_bound and procedure is not None:
        unsent = do_triage_refused_checkin(
            patient_actor(request), patient, form.readable_answers(), protocol=clinic_protocol, now=timezone.now()
        )
    return form_page(
        request,
        "clinic/patient/check_in.html",
        {
            "nav": "checkin",
            "unsent_emergency": _unsent_emergency(protocol, unsent, "check-in"),
            "patient": patient,
            "clinic": patient.clinic,
            "form": form,
            "procedure": procedure,
            "day": (day - procedure.performed_on).days if procedure else None,
            "todays_checkin": todays,
            "pain_marks": range(protocol.limits.pain_min, protocol.limits.pain_max + 1),
        },
        invalid=request.method == "POST",
    )


def _unsent_emergency(protocol: Protocol, assessment: Assessment | None, what: str) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "what": what,
        "result": disposition_view(protocol, Disposition.EMERGENCY),
        "findings": [f for f in records_of(assessment.findings) if f.disposition == Disposition.EMERGENCY],
    }


@login_required
@require_GET
def checkin_result(request: HttpRequest, checkin_uuid: uuid.UUID) -> HttpResponse:
    patient = require_patient(request.user)
    try:
        checkin = CheckIn.objects.get(uuid=checkin_uuid, patient=patient)
    except CheckIn.DoesNotExist:
        raise Http404 from None
    protocol = protocol_for(patient.clinic).protocol
    record_read(
        patient_actor(request),
        AuditAction.CHECKIN_RESULT,
        patient.clinic,
        [patient],
        now=timezone.now(),
        detail={"checkin": str(checkin.uuid)},
    )
    latest = disposition_view(protocol, checkin.disposition)
    # An amended day keeps its most severe answer in view: "expected" now must not hide that this
    # morning's report needed the emergency department. An emergency earlier in the day still fills the
    # screen, with the calmer latest answer named under it.
    worst = worst_version(checkin)
    earlier = None
    if Disposition(worst.disposition).rank > Disposition(checkin.disposition).rank:
        earlier = disposition_view(protocol, worst.disposition)
    if worst.disposition == Disposition.EMERGENCY:
        template, result, findings = "clinic/patient/emergency.html", earlier or latest, worst.findings
    else:
        template, result, findings = "clinic/patient/result.html", latest, checkin.findings
    return render(
        request,
        template,
        {
            "patient": patient,
            "clinic": patient.clinic,
            "checkin": checkin,
            "result": result,
            "earlier": earlier,
            "latest": latest,
            "reported_on_the_day": checkin.date == clinic_today(patient.clinic, timezone.now()),
            # On the emergency screen only what makes it an emergency: a calmer reason beside it would blur
            # the one instruction that matters.
            "findings": [f for f in findings if f.disposition == result["code"]]
            if result["code"] == Disposition.EMERGENCY
            else findings,
            "reported": [(_labels(protocol).get(code, code), severity) for code, severity in checkin.symptoms.items()],
        },
    )


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request.user)
    protocol = protocol_for(patient.clinic).protocol
    procedure = _latest_procedure(patient)
    checkins = list(procedure.checkins.order_by("-date").prefetch_related("versions")) if procedure else []
    chart = pain_chart([(c.day, c.pain) for c in checkins], patient.baseline_pain, pain_max=protocol.limits.pain_max)
    record_read(patient_actor(request), AuditAction("patient.history"), patient.clinic, [patient], now=timezone.now())
    return render(
        request,
        "clinic/patient/history.html",
        {
            "nav": "history",
            "patient": patient,
            "clinic": patient.clinic,
            "procedure": procedure,
            # Each day is badged with its most severe report: an evening amendment must not hide the morning's.
            "checkins": [(c, disposition_view(protocol, worst_of_day(c))) for c in checkins],
            "chart": chart,
            "labels": _labels(protocol),
        },
    )


@login_required
@require_GET
def learn(request: HttpRequest, topic: str | None = None) -> HttpResponse:
    patient = require_patient(request.user)
    protocol = protocol_for(patient.clinic).protocol
    topics = list(getattr(protocol, "education", []))
    chosen = None
    if topic is not None:
        chosen = next((t for t in topics if t.code == topic), None)
        if chosen is None:
            raise Http404
    conditions = [c for c in protocol.conditions if c.code in patient.conditions]
    if conditions:  # the page names the patient's diagnosis
        record_read(patient_actor(request), AuditAction("patient.learn"), patient.clinic, [patient], now=timezone.now())
    return render(
        request,
        "clinic/patient/learn.html",
        {
            "nav": "learn",
            "patient": patient,
            "clinic": patient.clinic,
            "topics": topics,
            "topic": chosen,
            "conditions": conditions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request.user)
    clinic_protocol = protocol_for(patient.clinic)
    protocol = clinic_protocol.protocol
    if patient.injected_on is not None:
        return redirect("patient-today")
    form = ScreeningForm(request.POST or None, protocol=protocol)
    if request.method == "POST" and form.is_valid():
        try:
            record = do_record_screening(
                patient_actor(request), patient, form.answers(), protocol=clinic_protocol, now=timezone.now()
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            return redirect("patient-screening-result", screening_uuid=record.uuid)
    elif request.method == "GET" and patient.baseline_pain is not None:
        record_read(
            patient_actor(request), AuditAction("screening.form"), patient.clinic, [patient], now=timezone.now()
        )
        form.initial = {
            "conditions": patient.conditions,
            "history": patient.history,
            "pain": patient.baseline_pain,
            "pain_trend": patient.baseline_pain_trend,
        }
        form.start_symptoms_from(patient.baseline_symptoms)
    unsent = None
    if request.method == "POST" and form.is_bound:
        unsent = do_triage_refused_screening(
            patient_actor(request), patient, form.readable_answers(), protocol=clinic_protocol, now=timezone.now()
        )
    return form_page(
        request,
        "clinic/patient/screening.html",
        {
            "unsent_emergency": _unsent_emergency(protocol, unsent, "screening"),
            "patient": patient,
            "clinic": patient.clinic,
            "form": form,
            "pain_marks": range(protocol.limits.pain_min, protocol.limits.pain_max + 1),
        },
        invalid=request.method == "POST",
    )


@login_required
@require_GET
def screening_result(request: HttpRequest, screening_uuid: uuid.UUID) -> HttpResponse:
    patient = require_patient(request.user)
    try:
        record = Screening.objects.get(uuid=screening_uuid, patient=patient)
    except Screening.DoesNotExist:
        raise Http404 from None
    protocol = protocol_for(patient.clinic).protocol
    record_read(
        patient_actor(request),
        AuditAction.SCREENING_RESULT,
        patient.clinic,
        [patient],
        now=timezone.now(),
        detail={"screening": str(record.uuid)},
    )
    result = disposition_view(protocol, record.disposition)
    template = (
        "clinic/patient/emergency.html"
        if record.disposition == Disposition.EMERGENCY
        else "clinic/patient/screening_result.html"
    )
    return render(
        request,
        template,
        {
            "patient": patient,
            "clinic": patient.clinic,
            "screening": record,
            "result": result,
            "findings": [f for f in record.findings if f.disposition == result["code"]]
            if result["code"] == Disposition.EMERGENCY
            else record.findings,
        },
    )


@never_cache  # it shows the patient's name and email
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    holder = find_access_link(token, now=timezone.now())
    if holder is None:
        return render(request, "clinic/invitation_unusable.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "GET":  # the page shows the person's name and email to whoever holds the link
        record_read(
            Actor.system("access link page"),
            AuditAction.INVITATION_OPEN,
            holder.clinic,
            [holder.patient] if holder.patient is not None else [],
            now=timezone.now(),
            detail={"link": str(holder.link.uuid)},
        )
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_access_link(token, form.cleaned_data["password"], now=timezone.now())
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if holder.staff is not None:
                messages.success(request, "Your password is set.")
                return redirect("worklist")
            if holder.new_password:
                messages.success(request, "Your new password is set.")
                return redirect("patient-today")
            return redirect("patient-screening")
    return form_page(
        request,
        "clinic/accept_invitation.html",
        {
            "form": form,
            "staff": holder.staff,
            "given_name": holder.given_name,
            "email": holder.email,
            "clinic": holder.clinic,
            "new_password": holder.new_password,
        },
        invalid=request.method == "POST",
    )
