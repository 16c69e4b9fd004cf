"""The patient's pages (phone first). Every one of them is about the signed-in patient only."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prpath.clinic.actions.access_links import do_accept_access_link, do_join_with_account
from prpath.clinic.actions.checkins import (
    do_record_checkin,
    do_triage_refused_checkin,
    needs_the_clinic_without_the_note,
)
from prpath.clinic.actions.screening import do_record_screening, do_triage_refused_screening
from prpath.clinic.models import Patient
from prpath.clinic.permissions import (
    choose,
    get_own_checkin,
    get_own_screening,
    login_required,
    membership_key,
    require_patient,
    signed_in,
)
from prpath.clinic.queries import patient_pages
from prpath.clinic.queries.access_links import LinkHolder, find_access_link, link_page_sent_back
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.translate import clinic_today
from prpath.clinic.web.charts import pain_chart
from prpath.clinic.web.forms import AcceptInvitationForm, CheckInForm, ScreeningForm, add_problems
from prpath.clinic.web.views.common import form_page, patient_actor
from prpath.core.findings import records_of
from prpath.core.notes import NoteQuestion
from prpath.core.problems import ProblemsFound


def _context(patient: Patient, **extra: Any) -> dict[str, Any]:
    return {"patient": patient, "clinic": patient.clinic, **extra}


def _fields(view: Any) -> dict[str, Any]:
    """A view model's fields as template names: the template shows them, it decides nothing."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request)
    view = patient_pages.today(patient_actor(request), patient, protocol_for(patient.clinic), now=timezone.now())
    return render(request, "clinic/patient/today.html", _context(patient, nav="today", view=view))


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request)
    clinic_protocol = protocol_for(patient.clinic)
    protocol = clinic_protocol.protocol
    now = timezone.now()
    form = CheckInForm(
        request.POST or None, protocol=protocol, today=clinic_today(patient.clinic, now), record=patient.uuid
    )
    unsent = None
    questions: tuple[NoteQuestion, ...] = ()
    asking = False  # held: the questions about the note are shown, nothing is stored yet
    if request.method == "GET":
        view = patient_pages.checkin_form(patient_actor(request), patient, now=now)
        form.initial.update(view.initial)
        form.start_symptoms_from(view.initial_symptoms)
        procedure, day, todays = view.procedure, view.day, view.todays
        last, offer, last_symptoms = view.last, view.offer_nothing_new, view.last_symptoms
    else:
        procedure = patient_pages.latest_procedure(patient)
        day = (clinic_today(patient.clinic, now) - procedure.performed_on).days if procedure else None
        todays, last = None, None
        offer, last_symptoms = bool(request.POST.get("nothing_new_offered")), []
        # What the note reports and the answers do not is asked back before anything is stored, unless the
        # answers already need the clinic today or more: then that is said at once, the note counted as written.
        questions = form.note_questions()
        shown = form.questions_shown()
        waiting = [q.code for q in questions if q.code not in shown]
        if form.is_valid():
            answered = tuple(q for q in questions if q.code in shown)  # a "yes" already given counts
            asking = bool(waiting) and not needs_the_clinic_without_the_note(
                patient, form.report(answered), protocol=clinic_protocol
            )
            if not asking:
                try:
                    checkin = do_record_checkin(
                        patient_actor(request),
                        patient,
                        form.report(answered),
                        protocol=clinic_protocol,
                        now=now,
                        once=form.cleaned_data["once"],
                    )
                except ProblemsFound as found:
                    add_problems(form, found)
                else:
                    return redirect("patient-checkin-result", checkin_uuid=checkin.uuid)
        if procedure is not None:
            # Refused, or held for the questions: if what was sent needs the emergency department, the
            # clinic is told now, in case the patient never sends it again.
            told = do_triage_refused_checkin(
                patient_actor(request),
                patient,
                form.readable_answers(),
                asked=waiting if asking else (),
                protocol=clinic_protocol,
                now=now,
            )
            if told is not None and not asking:
                unsent = patient_pages.refused_emergency(clinic_protocol, records_of(told.findings), "check-in")
    if request.method == "POST":  # shown again with what was sent: a read of the record, as the first showing
        again = patient_pages.checkin_sent_back(patient_actor(request), patient, procedure, now=now)
        procedure, day, last = again.procedure, again.day, again.last
    answers = form.question_answers() if form.is_bound else {}
    return form_page(
        request,
        "clinic/patient/check_in.html",
        _context(
            patient,
            nav="checkin",
            unsent_emergency=unsent,
            form=form,
            procedure=procedure,
            day=day,
            todays_checkin=todays,
            last_checkin=last,
            offer_nothing_new=offer,
            # Folded away only while nothing in it needs the patient's eye (a temperature to correct).
            fold=offer and not any(n == "temperature_c" or n.startswith("symptom__") for n in form.errors),
            last_symptoms=last_symptoms,
            note_questions=[(q, answers.get(q.code, "")) for q in questions],
        ),
        invalid=request.method == "POST" and not asking,
    )


@login_required
@require_GET
def checkin_result(request: HttpRequest, checkin_uuid: uuid.UUID) -> HttpResponse:
    patient = require_patient(request)
    checkin = get_own_checkin(patient, checkin_uuid)
    view = patient_pages.checkin_result(patient_actor(request), patient, checkin, now=timezone.now())
    template = "clinic/patient/emergency.html" if view.emergency else "clinic/patient/result.html"
    return render(request, template, _context(patient, **_fields(view)))


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request)
    view = patient_pages.history(patient_actor(request), patient, protocol_for(patient.clinic), now=timezone.now())
    chart = pain_chart(view.points, view.baseline_pain, pain_max=view.pain_max)
    return render(
        request,
        "clinic/patient/history.html",
        _context(patient, nav="history", procedure=view.procedure, days=view.days, chart=chart),
    )


@login_required
@require_GET
def emergency_summary(request: HttpRequest) -> HttpResponse:
    """ "Show this to the emergency team": one page, printable, that needs nothing more once it is open."""
    patient = require_patient(request)
    view = patient_pages.emergency_summary(
        patient_actor(request), patient, protocol_for(patient.clinic), now=timezone.now()
    )
    return render(request, "clinic/patient/emergency_summary.html", _context(patient, summary=view))


@login_required
@require_GET
def learn(request: HttpRequest, topic: str | None = None) -> HttpResponse:
    patient = require_patient(request)
    view = patient_pages.learn(patient_actor(request), patient, protocol_for(patient.clinic), topic, now=timezone.now())
    if view is None:
        raise Http404
    return render(request, "clinic/patient/learn.html", _context(patient, nav="learn", **_fields(view)))


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: HttpRequest) -> HttpResponse:
    patient = require_patient(request)
    clinic_protocol = protocol_for(patient.clinic)
    protocol = clinic_protocol.protocol
    if patient.injected_on is not None:
        return redirect("patient-today")
    form = ScreeningForm(request.POST or None, protocol=protocol, record=patient.uuid)
    if request.method == "POST" and form.is_valid():
        try:
            record = do_record_screening(
                patient_actor(request),
                patient,
                form.answers(),
                protocol=clinic_protocol,
                now=timezone.now(),
                once=form.cleaned_data["once"],
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            return redirect("patient-screening-result", screening_uuid=record.uuid)
    elif request.method == "GET":
        view = patient_pages.screening_form(patient_actor(request), patient, now=timezone.now())
        form.initial.update(view.initial)
        form.start_symptoms_from(view.initial_symptoms)
    unsent = None
    if request.method == "POST" and form.is_bound:
        told = do_triage_refused_screening(
            patient_actor(request), patient, form.readable_answers(), protocol=clinic_protocol, now=timezone.now()
        )
        if told is not None:
            unsent = patient_pages.refused_emergency(clinic_protocol, records_of(told.findings), "screening")
        patient_pages.screening_sent_back(patient_actor(request), patient, now=timezone.now())
    return form_page(
        request,
        "clinic/patient/screening.html",
        {
            "unsent_emergency": unsent,
            "patient": patient,
            "clinic": patient.clinic,
            "form": form,
        },
        invalid=request.method == "POST",
    )


@login_required
@require_GET
def screening_result(request: HttpRequest, screening_uuid: uuid.UUID) -> HttpResponse:
    patient = require_patient(request)
    record = get_own_screening(patient, screening_uuid)
    view = patient_pages.screening_result(patient_actor(request), patient, record, now=timezone.now())
    template = "clinic/patient/emergency.html" if view.emergency else "clinic/patient/screening_result.html"
    return render(request, template, _context(patient, **_fields(view)))


@never_cache  # it shows the patient's name and email
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    # The page shows the person's name and email to whoever holds the link: opening it is a read.
    holder = find_access_link(token, now=timezone.now(), opened=request.method == "GET")
    if holder is None:
        return render(request, "clinic/invitation_unusable.html", status=404)
    if holder.joins_account:
        return _join_with_account(request, token, holder)
    form = AcceptInvitationForm(request.POST or None)
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
    if request.method == "POST":  # the name and email are shown again
        link_page_sent_back(holder, now=timezone.now())
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


def _join_with_account(request: HttpRequest, token: str, holder: LinkHolder) -> HttpResponse:
    """The link's email already signs in: no password is chosen here. Its owner signs in (and comes back
    here), then accepts, and the clinic's record joins their account; anyone else is told whose it is."""
    user = request.user if request.user.is_authenticated else None
    problem = ""
    if request.method == "POST":
        if user is None:
            problem = "Sign in first: this link joins the account you already have."
        else:
            try:
                joined = do_join_with_account(token, signed_in(request), now=timezone.now())
            except ProblemsFound as found:
                problem = " ".join(p.message for p in found.problems).capitalize() + "."
            else:
                choose(request, membership_key(joined))
                messages.success(request, f"You have joined {holder.clinic.name}.")
                if holder.staff is not None:
                    return redirect("worklist")
                return redirect("patient-screening")
    return form_page(
        request,
        "clinic/join_with_account.html",
        {
            "staff": holder.staff,
            "given_name": holder.given_name,
            "email": holder.email,
            "clinic": holder.clinic,
            "signed_in_as": getattr(user, "email", None) or "",
            "is_theirs": user is not None and getattr(user, "email", None) == holder.email,
            "problem": problem,
        },
        invalid=bool(problem),
    )
