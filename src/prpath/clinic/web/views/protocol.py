"""The clinic's Protocol page: the active version, drafts, what a draft changes, and the safety suite that
stands between a draft and the clinic's patients. Every clinician reads it; the clinic admin edits and
activates."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prpath.clinic.actions.protocols import (
    VIGNETTE_LIMIT,
    VignetteFile,
    do_activate_protocol,
    do_add_safety_vignettes,
    do_remove_safety_vignette,
    do_save_protocol_draft,
)
from prpath.clinic.models import ProtocolVersion, StaffMember
from prpath.clinic.permissions import (
    Permission,
    can,
    get_protocol_version_for,
    get_safety_vignette_for,
    login_required,
    require,
    require_staff,
)
from prpath.clinic.queries.protocols import protocol_for, protocol_overview, version_view
from prpath.clinic.web.forms import (
    ActivationForm,
    NewDraftForm,
    ProtocolDocumentForm,
    SafetyVignetteForm,
    add_problems,
)
from prpath.clinic.web.middleware import accepts_uploads
from prpath.clinic.web.views.common import form_page, staff_actor
from prpath.core.problems import ProblemsFound
from prpath.core.suite.safety import SuiteResult
from prpath.files.protocols import default_protocol_text


def _context(staff: StaffMember, **extra: Any) -> dict[str, Any]:
    may = {p.value: can(staff, p) for p in Permission}
    return {"staff": staff, "clinic": staff.clinic, "may": may, "nav": "protocol", **extra}


def _sentence(found: ProblemsFound) -> str:
    return " ".join(f"{p.location}: {p.message}" if p.location else p.message for p in found.problems)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    require(staff, Permission.VIEW_PROTOCOL)
    return form_page(
        request,
        "clinic/staff/protocol.html",
        _context(staff, page=protocol_overview(staff.clinic), vignette_form=SafetyVignetteForm()),
    )


@login_required
@require_POST
def new_draft(request: HttpRequest) -> HttpResponse:
    """A new draft, started from the active version's text or from the built-in protocol."""
    staff = require_staff(request)
    require(staff, Permission.MANAGE_PROTOCOL)
    form = NewDraftForm(request.POST)
    start = form.cleaned_data.get("start_from") if form.is_valid() else None
    document = default_protocol_text() if start == "default" else protocol_for(staff.clinic).version.document
    saved = do_save_protocol_draft(staff_actor(request), staff.clinic, document=document, now=timezone.now())
    messages.success(request, f"Draft #{saved.version.number} started: edit it below, then check and activate it.")
    return redirect("protocol-version", number=saved.version.number)


def _reasons_asked(suite: SuiteResult | None) -> tuple[list[str], dict[str, str]]:
    """The disagreements a reason is asked for (by suite key), each with the question beside its field."""
    if suite is None:
        return [], {}
    return [d.source for d in suite.to_accept], {
        d.source: f"{d.summary}. Why does the clinic accept it?" for d in suite.to_accept
    }


def _render_version(
    request: HttpRequest,
    staff: StaffMember,
    version: ProtocolVersion,
    *,
    document_form: ProtocolDocumentForm | None = None,
    activation_form: ActivationForm | None = None,
) -> HttpResponse:
    view = version_view(version)
    keys = [d.source for d in view.suite.to_accept] if view.suite is not None else []
    lines = (
        {d.source: f"{d.summary}. Why does the clinic accept it?" for d in view.suite.to_accept}
        if view.suite is not None
        else {}
    )
    invalid = document_form is not None or activation_form is not None
    return form_page(
        request,
        "clinic/staff/protocol_version.html",
        _context(
            staff,
            view=view,
            document_form=document_form or ProtocolDocumentForm(initial={"document": version.document}),
            activation_form=activation_form or ActivationForm(keys=keys, lines=lines),
        ),
        invalid=invalid,
    )


@login_required
@require_GET
def version(request: HttpRequest, number: int) -> HttpResponse:
    staff = require_staff(request)
    found = get_protocol_version_for(staff, number)
    return _render_version(request, staff, found)


@accepts_uploads
@login_required
@require_http_methods(["POST"])
def edit(request: HttpRequest, number: int) -> HttpResponse:
    staff = require_staff(request)
    draft = get_protocol_version_for(staff, number)
    require(staff, Permission.MANAGE_PROTOCOL)
    form = ProtocolDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            saved = do_save_protocol_draft(
                staff_actor(request),
                staff.clinic,
                document=form.cleaned_data["document"],
                draft=draft,
                now=timezone.now(),
            )
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            if saved.problems:
                messages.error(
                    request, f"Draft #{number} is saved, but it has problems to fix before it can be activated."
                )
            else:
                messages.success(
                    request, f"Draft #{number} is saved and valid: read what it changes and check the suite."
                )
            return redirect(reverse("protocol-version", kwargs={"number": number}) + "#check")
    draft.refresh_from_db()
    return _render_version(request, staff, draft, document_form=form)


@login_required
@require_POST
def activate(request: HttpRequest, number: int) -> HttpResponse:
    staff = require_staff(request)
    draft = get_protocol_version_for(staff, number)
    require(staff, Permission.MANAGE_PROTOCOL)
    view = version_view(draft)
    suite = view.suite
    keys = [d.source for d in suite.to_accept] if suite is not None else []
    lines = (
        {d.source: f"{d.summary}. Why does the clinic accept it?" for d in suite.to_accept} if suite is not None else {}
    )
    form = ActivationForm(request.POST, keys=keys, lines=lines)
    if form.is_valid():
        try:
            do_activate_protocol(staff_actor(request), draft, reasons=form.reasons(), now=timezone.now())
        except ProblemsFound as found:
            add_problems(form, found)
        else:
            messages.success(request, f"Version #{number} is now the clinic's protocol; the one before is retired.")
            return redirect("protocol")
    return _render_version(request, staff, draft, activation_form=form)


@accepts_uploads
@login_required
@require_POST
def add_vignettes(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    require(staff, Permission.MANAGE_PROTOCOL)
    form = SafetyVignetteForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose one or more vignette files (JSON) to add.")
        return redirect(reverse("protocol") + "#vignettes")
    files = [
        # Read no more than the limit and a byte: a larger file is refused without being held in memory.
        VignetteFile(upload.name or "", upload.read(VIGNETTE_LIMIT + 1))
        for upload in form.cleaned_data["vignettes"]
    ]
    try:
        added = do_add_safety_vignettes(staff_actor(request), staff.clinic, files, now=timezone.now())
    except ProblemsFound as found:
        messages.error(request, "Nothing was added.")
        for problem in found.problems:
            messages.error(request, f"Not added: {problem.message}")
    else:
        messages.success(request, f"Added to the safety suite: {', '.join(v.name for v in added)}.")
    return redirect(reverse("protocol") + "#vignettes")


@login_required
@require_POST
def remove_vignette(request: HttpRequest, vignette_uuid: uuid.UUID) -> HttpResponse:
    staff = require_staff(request)
    vignette = get_safety_vignette_for(staff, vignette_uuid)
    do_remove_safety_vignette(staff_actor(request), vignette, now=timezone.now())
    messages.success(request, f"{vignette.name} is no longer in the safety suite.")
    return redirect(reverse("protocol") + "#vignettes")
