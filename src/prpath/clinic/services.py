"""Every change to a clinic's records happens here, in a ``do_*`` function that owns its transaction
and writes the audit trail. Pages, the API, commands and the demo generator all call these.

Input that breaks a rule raises ``ProblemsFound`` with each problem named by its field, and nothing is
saved: every function runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import ValidationError

from prpath.clinic.models import (
    DISPOSITION_CHOICES,
    Alert,
    AlertState,
    AuditEvent,
    CheckIn,
    CheckInVersion,
    Clinic,
    ClinicalNote,
    Invitation,
    LinkPurpose,
    Patient,
    Procedure,
    Role,
    Screening,
    StaffMember,
    Stage,
    UnsentForm,
)
from prpath.core import recovery
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Candidacy, Disposition, Protocol, as_asked
from prpath.core.triage import Assessment, Baseline, assess_recovery, assess_screening, check_case
from prpath.core.triage import CheckIn as TriageCheckIn
from prpath.core.triage import Patient as TriagePatient
from prpath.core.triage import Procedure as TriageProcedure
from prpath.core.triage.model import Case
from prpath.files.protocols import active_protocol

INVITATION_DAYS = 7
EMAIL_MAX_LENGTH = 150
EMERGENCY_NUMBER = re.compile(r"\+?[0-9]{2,20}")  # what a tel: link dials: 112, 911, 000, +441234...
PROCEDURE_RECORD_DAYS = 366  # a procedure is recorded within a year of it, or the date is a typo


# --- helpers ---------------------------------------------------------------------------------------


def clinic_today(clinic: Clinic, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the clinic is: a check-in at 23:30 local time belongs to that day."""
    now = now or timezone.now()
    return now.astimezone(zoneinfo.ZoneInfo(clinic.time_zone)).date()


def audit(
    actor: User | None,
    clinic: Clinic,
    action: str,
    what: str,
    *,
    patient: Patient | None = None,
    object_uuid: uuid.UUID | None = None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    AuditEvent.objects.create(
        clinic=clinic,
        actor=actor,
        at=now or timezone.now(),
        action=action,
        what=what,
        patient=patient,
        object_uuid=object_uuid,
        detail=dict(detail or {}),
    )


def audit_read(actor: User, clinic: Clinic, what: str, patients: Sequence[Patient], **detail: Any) -> None:
    """A page showed patient data: one event, naming the patient (or every patient on a list page)."""
    if len(patients) == 1:
        audit(actor, clinic, "read", what, patient=patients[0], detail=detail)
    else:
        audit(actor, clinic, "read", what, detail={**detail, "patients": [str(p.uuid) for p in patients]})


def findings_as_data(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "rule": f.rule,
            "title": f.title,
            "disposition": f.disposition.value,
            "candidacy": f.candidacy.value if f.candidacy else None,
            "reason": f.reason,
            "evidence": list(f.evidence),
            "rationale": f.rationale,
            "source": f.source,
        }
        for f in assessment.findings
    ]


def _problems(*items: tuple[str, str]) -> ProblemsFound:
    return ProblemsFound([Problem(location, message) for location, message in items])


# --- clinics and staff -----------------------------------------------------------------------------


def do_create_clinic(name: str, phone: str, *, emergency_number: str = "112", time_zone: str = "UTC") -> Clinic:
    problems = []
    if not name.strip():
        problems.append(Problem("name", "is required"))
    if not phone.strip():
        problems.append(Problem("phone", "is required: patients are shown it on every page"))
    if not EMERGENCY_NUMBER.fullmatch(emergency_number.strip()):
        problems.append(
            Problem("emergency_number", "must be the number patients dial in an emergency: digits, at most 20")
        )
    if time_zone not in zoneinfo.available_timezones():
        problems.append(Problem("time_zone", f"is not a time zone name (got {time_zone!r})"))
    if problems:
        raise ProblemsFound(problems)
    return Clinic.objects.create(name=name, phone=phone, emergency_number=emergency_number.strip(), time_zone=time_zone)


def do_add_staff(
    clinic: Clinic,
    *,
    email: str,
    given_name: str,
    family_name: str,
    role: Role | str,
    password: str | None = None,
    actor: User | None = None,
) -> StaffMember:
    """A new staff member. Without a password the account cannot sign in until its owner sets one
    through a link (``do_issue_staff_link``): the clinic admin never learns it."""
    email = email.strip().lower()
    given_name, family_name = given_name.strip(), family_name.strip()
    problems = [
        Problem(name, "is required")
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if not value
    ]
    problems += [
        Problem(name, "is longer than 150 characters")
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if len(value) > 150
    ]
    try:
        validate_email(email)
    except DjangoValidationError:
        problems.append(Problem("email", f"is not an email address (got {email!r})"))
    if len(email) > EMAIL_MAX_LENGTH:
        problems.append(Problem("email", f"is longer than {EMAIL_MAX_LENGTH} characters"))
    if role not in Role.values:
        problems.append(Problem("role", f"must be one of {', '.join(Role.values)} (got {role!r})"))
    if problems:
        raise ProblemsFound(problems)
    user_model = get_user_model()
    taken = ("email", "already has a prpath account: each person signs in with their own email")
    if user_model.objects.filter(username=email).exists():
        raise _problems(taken)
    if Patient.objects.filter(email=email, user=None).exists():
        # The patient's invitation would make this their login: taking it first would lock them out.
        raise _problems(("email", "is the email of a patient invited to prpath who has not joined yet"))
    user = user_model(username=email, email=email, first_name=given_name, last_name=family_name)
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            staff = StaffMember.objects.create(user=user, clinic=clinic, role=Role(role))
            audit(
                actor, clinic, "write", "staff.add", object_uuid=staff.uuid, detail={"email": email, "role": str(role)}
            )
    except IntegrityError:  # the same person added twice at once (a double click)
        raise _problems(taken) from None
    return staff


def do_issue_staff_link(actor: User, staff: StaffMember, *, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A link for a staff member to set their password: the first one, or a new one when it is lost.
    Earlier links stop working. A deactivated account gets none."""
    user = get_user_model().objects.get(pk=staff.user_id)  # as it is now, not as the caller last read it
    purpose = LinkPurpose.NEW_PASSWORD if user.has_usable_password() else LinkPurpose.JOIN
    return _issue_link(actor, staff, purpose, now=now or timezone.now())


def do_set_staff_active(
    actor: User, staff: StaffMember, *, active: bool, now: dt.datetime | None = None
) -> StaffMember:
    """Deactivate a staff member who has left, or bring one back. Their name stays on everything they
    recorded. Nobody deactivates themself, and a clinic keeps at least one active admin.

    Deactivation also drops the password: every session signed in with it ends for good (Django checks a
    session against the password hash), so reactivating does not revive a browser left signed in. A
    returning colleague sets a new password through a link."""
    now = now or timezone.now()
    with transaction.atomic():
        # Under the clinic's lock: two admins deactivating each other at once cannot leave it with none.
        Clinic.objects.select_for_update().get(pk=staff.clinic_id)
        staff = StaffMember.objects.select_for_update(of=("self",)).select_related("user", "clinic").get(pk=staff.pk)
        if not active and staff.user_id == actor.pk:
            raise _problems(("staff", "You cannot deactivate your own account."))
        if not active:
            _refuse_leaving_no_admin(staff, "staff")
        if staff.user.is_active == active:
            return staff
        staff.user.is_active = active
        if not active:
            staff.user.set_unusable_password()
        staff.user.save(update_fields=["is_active", "password"])
        if not active:
            staff.invitations.filter(accepted_at=None, revoked_at=None).update(revoked_at=now)
        what = "staff.reactivate" if active else "staff.deactivate"
        audit(actor, staff.clinic, "write", what, object_uuid=staff.uuid, detail={"email": staff.user.email}, now=now)
    return staff


def do_change_staff_role(
    actor: User, staff: StaffMember, *, role: Role | str, now: dt.datetime | None = None
) -> StaffMember:
    """A colleague's role changes (a nurse becomes the clinic's coordinator, a physician its admin).

    What they may do changes with their next request. Nobody changes their own role, and a clinic keeps
    at least one active admin. A physician who stops being one stays named on what they recorded."""
    if role not in Role.values:
        raise _problems(("role", f"must be one of {', '.join(Role.values)} (got {role!r})"))
    role = Role(role)
    now = now or timezone.now()
    with transaction.atomic():
        Clinic.objects.select_for_update().get(pk=staff.clinic_id)  # as for deactivation: one admin kept
        staff = StaffMember.objects.select_for_update(of=("self",)).select_related("user", "clinic").get(pk=staff.pk)
        if staff.user_id == actor.pk:
            raise _problems(("role", "You cannot change your own role: ask another admin."))
        if staff.role == role:
            return staff
        if not staff.user.is_active:
            raise _problems(("role", f"{staff.user.get_full_name()} is deactivated: reactivate them first."))
        _refuse_leaving_no_admin(staff, "role")
        before = staff.role
        staff.role = role
        staff.save(update_fields=["role"])
        audit(
            actor,
            staff.clinic,
            "write",
            "staff.role",
            object_uuid=staff.uuid,
            detail={"email": staff.user.email, "from": str(before), "to": str(role)},
            now=now,
        )
    return staff


def _refuse_leaving_no_admin(staff: StaffMember, field: str) -> None:
    """Called under the clinic's lock, before ``staff`` stops being an active admin. An admin invited who
    has not yet chosen a password does not count: they cannot sign in, perhaps ever."""
    if staff.role != Role.ADMIN:
        return
    admins = StaffMember.objects.filter(clinic=staff.clinic, role=Role.ADMIN, user__is_active=True).exclude(
        user__password__startswith=UNUSABLE_PASSWORD_PREFIX
    )
    if not admins.exclude(pk=staff.pk).exists():
        who = staff.user.get_full_name()
        raise _problems(
            (
                field,
                f"{who} is the clinic's only admin who can sign in: another admin must join (choose a password) first.",
            )
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ProblemsFound([Problem("password", message) for message in error.messages]) from None


# --- patients and invitations ----------------------------------------------------------------------


def do_enrol_patient(actor: User, clinic: Clinic, **fields: Any) -> Patient:
    """Fields: given_name, family_name, date_of_birth, email, and optionally sex, phone,
    clinic_reference, conditions (protocol codes)."""
    protocol = active_protocol()
    known = {c.code for c in protocol.conditions}
    problems = [
        Problem("conditions", f"{code!r} is not a condition in the protocol")
        for code in fields.get("conditions", [])
        if code not in known
    ]
    born = fields.get("date_of_birth")
    if isinstance(born, dt.date) and born > clinic_today(clinic):
        problems.append(Problem("date_of_birth", "is in the future"))
    if problems:
        raise ProblemsFound(problems)
    fields["email"] = fields["email"].strip().lower()
    if len(fields["email"]) > EMAIL_MAX_LENGTH:  # the email is the login, and logins hold 150 characters
        raise _problems(("email", f"is longer than {EMAIL_MAX_LENGTH} characters"))
    if get_user_model().objects.filter(username=fields["email"]).exists():
        # The email becomes the patient's login: one already taken would make the invitation unusable.
        raise _problems(("email", "is already the login of a prpath account: enrol the patient with another email"))
    try:
        with transaction.atomic():
            patient = Patient.objects.create(clinic=clinic, **fields)
            audit(actor, clinic, "write", "patient.enrol", patient=patient, object_uuid=patient.uuid)
    except IntegrityError:
        raise _problems(("email", "a patient with this email is already enrolled in this clinic")) from None
    return patient


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_invite_patient(actor: User, patient: Patient, *, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A new invitation link (the token is returned once and never stored); earlier ones stop working."""
    if patient.user_id is not None:
        raise _problems(
            ("patient", "already has an account; if they have lost their password, make a new-password link")
        )
    return _issue_link(actor, patient, LinkPurpose.JOIN, now=now or timezone.now())


def do_issue_password_link(actor: User, patient: Patient, *, now: dt.datetime | None = None) -> tuple[Invitation, str]:
    """A link for a patient who has lost their password to choose a new one (single use, as an invitation).

    There is no email here: the clinic gives it the way it gives invitations, after checking who asks.
    """
    if patient.user_id is None:
        raise _problems(("patient", "has no account yet: make an invitation link instead"))
    return _issue_link(actor, patient, LinkPurpose.NEW_PASSWORD, now=now or timezone.now())


def _issue_link(
    actor: User, holder: Patient | StaffMember, purpose: LinkPurpose, *, now: dt.datetime
) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Under the holder's lock: two links made at once leave only the later one usable.
        if isinstance(holder, Patient):
            patient = Patient.objects.select_for_update().select_related("clinic").get(pk=holder.pk)
            if (patient.user_id is None) != (purpose == LinkPurpose.JOIN):
                raise _problems(("patient", "their account changed meanwhile: reload the page"))
            patient.invitations.filter(accepted_at=None, revoked_at=None).update(revoked_at=now)
            invitation = Invitation(patient=patient)
            what = "patient.invite" if purpose == LinkPurpose.JOIN else "patient.password_link"
        else:
            staff = (
                StaffMember.objects.select_for_update(of=("self",)).select_related("clinic", "user").get(pk=holder.pk)
            )
            if not staff.user.is_active:
                raise _problems(("staff", "This account is deactivated: reactivate it first."))
            staff.invitations.filter(accepted_at=None, revoked_at=None).update(revoked_at=now)
            invitation = Invitation(staff=staff)
            patient = None
            what = "staff.password_link"
        invitation.purpose = purpose
        invitation.token_hash = _token_hash(token)
        invitation.created_by = actor
        invitation.created_at = now
        invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
        invitation.save()
        audit(actor, invitation.clinic, "write", what, patient=patient, object_uuid=invitation.uuid, now=now)
    return invitation, token


def _set_new_password(invitation: Invitation, password: str, *, now: dt.datetime) -> User:
    """A patient's new password, or a staff member's first or new one."""
    if invitation.staff is not None:
        user: User | None = invitation.staff.user
        if user is not None and not user.is_active:
            user = None
        what = "staff.set_password"
    else:
        assert invitation.patient is not None
        user = invitation.patient.user
        what = "patient.set_password"
    if user is None:  # the account was removed or deactivated since the link was made
        raise _problems(("token", "this link can no longer be used; ask the clinic for a new one"))
    _check_password(password, user)
    user.set_password(password)  # every other session of this account ends with the old password
    user.save(update_fields=["password"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    audit(user, invitation.clinic, "write", what, patient=invitation.patient, now=now)
    return user


def find_invitation(token: str, *, now: dt.datetime | None = None) -> Invitation | None:
    """The invitation a link carries, if it can still be used."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("patient", "patient__clinic", "staff", "staff__clinic", "staff__user")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_usable(now) else None


def do_accept_invitation(token: str, password: str, *, now: dt.datetime | None = None) -> User:
    now = now or timezone.now()
    user_model = get_user_model()
    with transaction.atomic():
        invitation = (
            # Lock the link only: PostgreSQL cannot lock the empty side of the outer joins.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("patient", "patient__clinic", "staff", "staff__clinic", "staff__user")
            .filter(token_hash=_token_hash(token))
            .first()
        )
        if invitation is None or not invitation.is_usable(now):
            raise _problems(("token", "this invitation link has expired or has already been used"))
        patient = invitation.patient
        if invitation.purpose == LinkPurpose.NEW_PASSWORD or patient is None:
            return _set_new_password(invitation, password, now=now)
        if user_model.objects.filter(username=patient.email).exists():
            raise _problems(("email", "an account with this email already exists; ask the clinic for help"))
        user = user_model(
            username=patient.email, email=patient.email, first_name=patient.given_name, last_name=patient.family_name
        )
        _check_password(password, user)
        user.set_password(password)
        user.save()
        patient.user = user
        patient.save(update_fields=["user"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        audit(user, patient.clinic, "write", "patient.accept_invitation", patient=patient, now=now)
    return user


# --- screening -------------------------------------------------------------------------------------


def do_record_screening(
    actor: User,
    patient: Patient,
    *,
    conditions: Sequence[str],
    history: Sequence[str],
    pain: int,
    pain_trend: str,
    symptoms: Mapping[str, str],
    now: dt.datetime | None = None,
) -> Screening:
    """Store the answers, assess them, make them the patient's baseline, and raise an alert if needed."""
    now = now or timezone.now()
    protocol = active_protocol()
    symptoms = as_asked(protocol, symptoms)
    answers = {
        "conditions": sorted(conditions),
        "history": sorted(history),
        "pain": pain,
        "pain_trend": pain_trend,
        "symptoms": dict(sorted(symptoms.items())),
    }
    try:
        triage_patient = _triage_patient_from(answers)
    except ValidationError as error:
        raise _field_problems(error) from None
    problems = check_case(protocol, Case(phase="screening", patient=triage_patient))
    if problems:
        raise ProblemsFound([Problem(_answer_field(p.location), p.message) for p in problems])
    assessment = assess_screening(protocol, triage_patient)
    assert assessment.candidacy is not None
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        screening = Screening.objects.create(
            patient=patient,
            answered_at=now,
            answered_by=actor,
            answers=answers,
            protocol_version=assessment.protocol_version,
            disposition=assessment.disposition.value,
            recommended_candidacy=assessment.candidacy.value,
            findings=findings_as_data(assessment),
        )
        patient.conditions = answers["conditions"]
        patient.history = answers["history"]
        patient.baseline_pain = pain
        patient.baseline_pain_trend = pain_trend
        patient.baseline_symptoms = answers["symptoms"]
        if patient.stage != Stage.INJECTED:
            patient.stage = Stage.SCREENED
        patient.save()
        _raise_alert(patient, assessment, screening=screening, now=now)
        audit(actor, patient.clinic, "write", "screening.record", patient=patient, object_uuid=screening.uuid, now=now)
    return screening


def _triage_patient_from(answers: Mapping[str, Any]) -> TriagePatient:
    return TriagePatient(
        conditions=tuple(answers["conditions"]),
        history=tuple(answers["history"]),
        baseline=Baseline(pain=answers["pain"], pain_trend=answers["pain_trend"] or None, symptoms=answers["symptoms"]),
    )


FORM_FIELDS = ("pain_trend", "pain", "symptoms", "temperature_c", "conditions", "history", "date")


def _field_problems(error: ValidationError) -> ProblemsFound:
    """A value the engine's input model refuses, named by the form field it came from."""
    problems = []
    for item in error.errors():
        field = next((str(part) for part in item["loc"] if part in FORM_FIELDS), ".".join(map(str, item["loc"])))
        problems.append(Problem(field, item["msg"]))
    return ProblemsFound(problems)


def _answer_field(location: str) -> str:
    # check_case names the engine's fields (patient.baseline.pain); the form's fields are flat.
    for prefix in ("patient.baseline.", "patient."):
        if location.startswith(prefix):
            return location.removeprefix(prefix).split("[")[0].split(".")[0]
    return location


def do_decide_candidacy(
    actor: User,
    screening: Screening,
    *,
    candidacy: Candidacy,
    reason: str,
    now: dt.datetime | None = None,
) -> Screening:
    now = now or timezone.now()
    reason = reason.strip()
    if candidacy == Candidacy.NEEDS_REVIEW:
        raise _problems(("candidacy", "decide eligible or defer: the review is this decision"))
    if candidacy.value != screening.recommended_candidacy and not reason:
        raise _problems(
            (
                "reason",
                f"is required when the decision ({candidacy.value.replace('_', ' ')}) differs from the "
                f"recommendation ({screening.recommended_candidacy.replace('_', ' ')})",
            )
        )
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=screening.patient_id)
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        latest = patient.screenings.order_by("-answered_at").first()
        if latest is not None and latest.pk != screening.pk:
            raise _problems(
                ("screening", "the patient has answered the screening again since: decide on the newest answers")
            )
        screening.decided_candidacy = candidacy.value
        screening.decision_reason = reason
        screening.decided_by = actor
        screening.decided_at = now
        screening.save()
        if patient.stage != Stage.INJECTED:
            patient.stage = Stage.DEFERRED if candidacy == Candidacy.DEFER else Stage.APPROVED
            patient.save(update_fields=["stage"])
        # A screening alert that asked only for this review is resolved by the decision. One that sent the
        # patient to the emergency department or asked the clinic to call today stays for a person to close:
        # deciding about an injection says nothing about whether the patient was seen.
        screening.alerts.exclude(state=AlertState.RESOLVED).filter(severity_rank__lte=Disposition.CONSULT.rank).update(
            state=AlertState.RESOLVED,
            resolved_by=actor,
            resolved_at=now,
            resolution_note=f"Candidacy decided: {candidacy.value}. {reason}".strip(),
            updated_at=now,
        )
        audit(
            actor,
            patient.clinic,
            "write",
            "screening.decide",
            patient=patient,
            object_uuid=screening.uuid,
            detail={"candidacy": candidacy.value, "recommended": screening.recommended_candidacy},
            now=now,
        )
    return screening


# --- procedure -------------------------------------------------------------------------------------


def do_record_procedure(actor: User, patient: Patient, **fields: Any) -> Procedure:
    """Fields as on ``Procedure``: performed_at (aware), target, spinal_level, side, image_guidance,
    blood_drawn_ml, spin_protocol, platelet_concentration_x and/or platelet_count_per_ul, leukocytes,
    activation, volume_injected_ml, operator (a physician of the clinic), notes."""
    protocol = active_protocol()
    now = fields.pop("now", None) or timezone.now()
    problems = []
    if fields.get("target") not in {t.code for t in protocol.targets}:
        problems.append(Problem("target", f"{fields.get('target')!r} is not a target in the protocol"))
    if fields.get("platelet_concentration_x") is None and fields.get("platelet_count_per_ul") is None:
        problems.append(Problem("platelet_concentration_x", "give the concentration (× baseline) or the count"))
    performed_at: dt.datetime = fields["performed_at"]
    if performed_at > now + dt.timedelta(minutes=5):
        problems.append(Problem("performed_at", "is in the future"))
    if performed_at < now - dt.timedelta(days=PROCEDURE_RECORD_DAYS):
        problems.append(Problem("performed_at", f"is more than {PROCEDURE_RECORD_DAYS} days ago: check the date"))
    operator = fields.get("operator")
    if not StaffMember.objects.filter(user=operator, clinic=patient.clinic, role=Role.PHYSICIAN).exists():
        problems.append(Problem("operator", "must be a physician of this clinic"))
    blood, volume = fields.get("blood_drawn_ml"), fields.get("volume_injected_ml")
    if isinstance(blood, Decimal) and isinstance(volume, Decimal) and volume > blood:
        problems.append(Problem("volume_injected_ml", "is more than the blood drawn"))
    performed_on = performed_at.astimezone(zoneinfo.ZoneInfo(patient.clinic.time_zone)).date()
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        # Checked under the patient's lock: a screening answered meanwhile must be decided first.
        screening = patient.screenings.order_by("-answered_at").first()
        if screening is None or screening.decided_candidacy != Candidacy.ELIGIBLE.value:
            # The gate before a spinal injection: screening answered and the physician's decision on record.
            problems.append(
                Problem(
                    "patient",
                    "is not yet decided eligible on their latest screening: record the physician's candidacy "
                    "decision before the procedure",
                )
            )
        else:
            # An injection dated before the patient's first screening is a mistyped date (it would start the
            # recovery plan and the check-in schedule on the wrong day). An earlier injection entered late
            # from paper is fine, as long as it follows that first screening.
            first = patient.screenings.order_by("answered_at").values_list("answered_at", flat=True).first()
            if first is not None and performed_at < first:
                problems.append(
                    Problem(
                        "performed_at", f"is before the patient's first screening ({first:%Y-%m-%d}): check the date"
                    )
                )
        if problems:
            raise ProblemsFound(problems)
        procedure = Procedure.objects.create(
            patient=patient, performed_on=performed_on, recorded_by=actor, recorded_at=now, **fields
        )
        latest = patient.procedures.order_by("-performed_at").first()
        assert latest is not None
        patient.stage = Stage.INJECTED
        patient.injected_on = latest.performed_on
        last = latest.checkins.order_by("-date").values_list("date", flat=True).first()
        patient.last_checkin_on = last
        patient.next_checkin_due = recovery.next_checkin_due(protocol.schedules, latest.performed_on, last)
        patient.save()
        audit(actor, patient.clinic, "write", "procedure.record", patient=patient, object_uuid=procedure.uuid, now=now)
    return procedure


# --- check-ins and alerts --------------------------------------------------------------------------


def do_record_checkin(
    actor: User,
    patient: Patient,
    *,
    date: dt.date,
    pain: int,
    temperature_c: Decimal | None,
    symptoms: Mapping[str, str],
    note: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Record (or amend) the day's check-in, triage it at once, and raise or update its alert.

    A second report on the same day amends that day's check-in: the earlier version stays in
    ``CheckInVersion`` and the alert, if any, follows the most severe report of the day.
    """
    now = now or timezone.now()
    protocol = active_protocol()
    symptoms = as_asked(protocol, symptoms)
    with transaction.atomic():
        # One report at a time per patient: two phones submitting together must not both see "no check-in".
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        today = clinic_today(patient.clinic, now)
        if date > today:
            raise _problems(("date", f"is in the future (today is {today.isoformat()})"))
        procedure = patient.procedures.filter(performed_on__lte=date).order_by("-performed_at").first()
        if procedure is None:
            first = patient.procedures.order_by("performed_at").first()
            raise _problems(
                ("date", "is before the injection" + (f" ({first.performed_on.isoformat()})" if first else ""))
                if first
                else ("date", "no injection is recorded yet: check-ins start after it")
            )
        earlier = list(procedure.checkins.filter(date__lt=date).order_by("date"))
        assessment = _assess_checkin(
            protocol, patient, procedure, earlier, date=date, pain=pain, temperature_c=temperature_c, symptoms=symptoms
        )
        checkin = procedure.checkins.filter(date=date).first()
        values = {
            "pain": pain,
            "temperature_c": temperature_c,
            "symptoms": dict(sorted(symptoms.items())),
            "note": note.strip(),
            "protocol_version": assessment.protocol_version,
            "disposition": assessment.disposition.value,
            "findings": findings_as_data(assessment),
            "submitted_at": now,
        }
        if checkin is None:
            checkin = CheckIn.objects.create(
                patient=patient, procedure=procedure, date=date, day=(date - procedure.performed_on).days, **values
            )
        else:
            for name, value in values.items():
                setattr(checkin, name, value)
            checkin.revision += 1
            checkin.save()
        CheckInVersion.objects.create(
            checkin=checkin,
            revision=checkin.revision,
            submitted_by=actor,
            **values,
        )
        _raise_alert(patient, assessment, checkin=checkin, now=now)
        if procedure.performed_on == patient.injected_on:
            last = max(date, patient.last_checkin_on) if patient.last_checkin_on else date
            patient.last_checkin_on = last
            patient.next_checkin_due = recovery.next_checkin_due(protocol.schedules, procedure.performed_on, last)
            patient.save(update_fields=["last_checkin_on", "next_checkin_due"])
        audit(
            actor,
            patient.clinic,
            "write",
            "checkin.record",
            patient=patient,
            object_uuid=checkin.uuid,
            detail={"date": date.isoformat(), "revision": checkin.revision, "disposition": checkin.disposition},
            now=now,
        )
    return checkin


def do_triage_refused_checkin(
    actor: User,
    patient: Patient,
    *,
    date: dt.date | None,
    pain: int | None,
    temperature_c: Decimal | None,
    symptoms: Mapping[str, str],
    refused: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Assessment | None:
    """A check-in refused for one bad answer must not hide an emergency in the others.

    Triages what could be read, storing nothing of the report: an unreadable or refused date counts
    as today, an unreadable pain as the last one reported (or the baseline), an unreadable temperature
    as not taken. Returns the assessment only when it needs the emergency department, so that the
    patient is told at once while they fix the form. The clinic is told too: the patient may well go
    straight to the emergency department and never send the form again, so an emergency alert is raised
    (or the open one updated) saying that the report was not stored, and the audit trail records which
    fields were refused and what was assumed in their place.
    """
    now = now or timezone.now()
    protocol = active_protocol()
    today = clinic_today(patient.clinic, now)
    procedure = patient.procedures.filter(performed_on__lte=today).order_by("-performed_at").first()
    if procedure is None:
        return None
    assumed: dict[str, Any] = {}
    if date is None or not procedure.performed_on <= date <= today:
        date = assumed["date"] = today
    earlier = list(procedure.checkins.filter(date__lt=date).order_by("date"))
    if pain is None:
        last = earlier[-1].pain if earlier else patient.baseline_pain
        pain = assumed["pain"] = last if last is not None else protocol.limits.pain_min
    if temperature_c is None and "temperature_c" in refused:
        assumed["temperature_c"] = None
    symptoms = as_asked(protocol, symptoms)
    assessment = None
    # Earlier reports the protocol no longer accepts must not hide what today's answers say alone.
    for history in (earlier, []):
        try:
            assessment = _assess_checkin(
                protocol,
                patient,
                procedure,
                history,
                date=date,
                pain=pain,
                temperature_c=temperature_c,
                symptoms=symptoms,
            )
            break
        except ProblemsFound:
            continue
    if assessment is None:
        return None
    if assessment.disposition != Disposition.EMERGENCY:
        return None
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        _raise_alert(patient, assessment, unsent=UnsentForm.CHECKIN, procedure=procedure, now=now)
        _audit_told(actor, patient, UnsentForm.CHECKIN, assessment, refused, assumed, now)
    return assessment


def do_triage_refused_screening(
    actor: User,
    patient: Patient,
    *,
    conditions: Sequence[str],
    history: Sequence[str],
    pain: int | None,
    pain_trend: str | None,
    symptoms: Mapping[str, str],
    refused: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Assessment | None:
    """The screening's counterpart of ``do_triage_refused_checkin``: a missing pain counts as none."""
    protocol = active_protocol()
    assumed: dict[str, Any] = {}
    if pain is None:
        pain = assumed["pain"] = protocol.limits.pain_min
    answers = {
        "conditions": list(conditions),
        "history": list(history),
        "pain": pain,
        "pain_trend": pain_trend or None,
        "symptoms": as_asked(protocol, symptoms),
    }
    try:
        triage_patient = _triage_patient_from(answers)
    except ValidationError:
        return None
    if check_case(protocol, Case(phase="screening", patient=triage_patient)):
        return None
    assessment = assess_screening(protocol, triage_patient)
    if assessment.disposition != Disposition.EMERGENCY:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        _raise_alert(patient, assessment, unsent=UnsentForm.SCREENING, now=now)
        _audit_told(actor, patient, UnsentForm.SCREENING, assessment, refused, assumed, now)
    return assessment


def _audit_told(
    actor: User,
    patient: Patient,
    form: UnsentForm,
    assessment: Assessment,
    refused: Sequence[str],
    assumed: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """The patient was shown the emergency instruction for a form that was not stored."""
    audit(
        actor,
        patient.clinic,
        "write",
        f"{form.value}.refused_but_emergency",
        patient=patient,
        detail={
            "rules": [f.rule for f in assessment.findings if f.disposition == Disposition.EMERGENCY],
            "refused": list(refused),
            "assumed": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in assumed.items()},
        },
        now=now,
    )


def _assess_checkin(
    protocol: Protocol,
    patient: Patient,
    procedure: Procedure,
    earlier: Sequence[CheckIn],
    *,
    date: dt.date,
    pain: int,
    temperature_c: Decimal | None,
    symptoms: Mapping[str, str],
) -> Assessment:
    # What was stored under an earlier protocol may hold codes the current one no longer knows. The
    # patient's report must still be assessed: codes the protocol cannot read are left out, not refused.
    symptoms_known = {s.code for s in protocol.symptoms}
    triage_patient = TriagePatient(
        conditions=tuple(c for c in patient.conditions if c in {x.code for x in protocol.conditions}),
        history=tuple(h for h in patient.history if h in {x.code for x in protocol.screening_factors}),
        baseline=Baseline(
            pain=patient.baseline_pain,
            pain_trend=patient.baseline_pain_trend or None,
            symptoms={k: v for k, v in patient.baseline_symptoms.items() if k in symptoms_known},
        ),
    )
    earlier = [_known_symptoms_only(c, symptoms_known) for c in earlier]
    try:
        return _assess_checkin_inputs(
            protocol,
            triage_patient,
            procedure,
            earlier,
            date=date,
            pain=pain,
            temperature_c=temperature_c,
            symptoms=symptoms,
        )
    except ValidationError as error:
        raise _field_problems(error) from None


def _known_symptoms_only(checkin: CheckIn, known: set[str]) -> CheckIn:
    if all(code in known for code in checkin.symptoms):
        return checkin
    kept = CheckIn(date=checkin.date, day=checkin.day, pain=checkin.pain, temperature_c=checkin.temperature_c)
    kept.symptoms = {k: v for k, v in checkin.symptoms.items() if k in known}
    return kept


def _assess_checkin_inputs(
    protocol: Protocol,
    triage_patient: TriagePatient,
    procedure: Procedure,
    earlier: Sequence[CheckIn],
    *,
    date: dt.date,
    pain: int,
    temperature_c: Decimal | None,
    symptoms: Mapping[str, str],
) -> Assessment:
    checkins = [
        TriageCheckIn(
            date=c.date,
            pain=c.pain,
            temperature_c=float(c.temperature_c) if c.temperature_c is not None else None,
            symptoms=c.symptoms,
        )
        for c in earlier
    ]
    checkins.append(
        TriageCheckIn(
            date=date,
            pain=pain,
            temperature_c=float(temperature_c) if temperature_c is not None else None,
            symptoms=dict(symptoms),  # type: ignore[arg-type]  # check_case below names a bad severity
        )
    )
    case = Case(
        phase="recovery",
        patient=triage_patient,
        procedure=TriageProcedure(date=procedure.performed_on, target=procedure.target),
        checkins=tuple(checkins),
    )
    last = len(checkins) - 1
    problems = check_case(protocol, case)
    mine = [p for p in problems if p.location.startswith(f"checkins[{last}]")]
    if mine:
        # Only this report's fields are the patient's to fix; name them as the form does.
        raise ProblemsFound(
            [
                Problem(p.location.removeprefix(f"checkins[{last}]").lstrip(".").split("[")[0].split(".")[0], p.message)
                for p in mine
            ]
        )
    if problems:  # stored data the protocol no longer accepts: a clinic problem, not the patient's
        raise ProblemsFound(problems)
    return assess_recovery(protocol, triage_patient, case.procedure, checkins)  # type: ignore[arg-type]


def _raise_alert(
    patient: Patient,
    assessment: Assessment,
    *,
    checkin: CheckIn | None = None,
    screening: Screening | None = None,
    unsent: UnsentForm | None = None,
    procedure: Procedure | None = None,
    now: dt.datetime,
) -> Alert | None:
    """An alert for an assessment above self_care, or an update of the patient's unresolved one.

    A patient has at most one unresolved alert per injection (and one about screening): a fever
    reported again the next day, or amended the same evening, updates it rather than adding rows for the
    nurse to work through. What it says is the union of every finding it has absorbed, each with its
    newest evidence, so nothing reported is dropped. It never drops in severity when a later report is
    milder (the clinic decides that, by resolving it). When the severity rises, or a finding it did not
    hold appears (discharge on top of an acknowledged fever), it goes back to open to be seen again.
    """
    if assessment.disposition == Disposition.SELF_CARE:
        return None
    rank = assessment.disposition.rank
    findings = [f for f in findings_as_data(assessment) if f["disposition"] != Disposition.SELF_CARE]
    # of=self: the lookup below may join check-ins (an outer join), which PostgreSQL will not lock.
    unresolved = (
        Alert.objects.select_for_update(of=("self",)).filter(patient=patient).exclude(state=AlertState.RESOLVED)
    )
    if checkin is not None:
        procedure = checkin.procedure
    if procedure is not None:
        about_it = Q(checkin__procedure_id=procedure.pk) | Q(unsent=UnsentForm.CHECKIN, procedure_id=procedure.pk)
        alert = unresolved.filter(about_it).first()
    else:
        alert = unresolved.filter(Q(screening__isnull=False) | Q(unsent=UnsentForm.SCREENING)).first()
    if alert is None:
        return Alert.objects.create(
            clinic=patient.clinic,
            patient=patient,
            checkin=checkin,
            screening=screening,
            unsent=unsent or "",
            procedure=procedure,
            disposition=assessment.disposition.value,
            severity_rank=rank,
            summary=_summary(findings),
            findings=findings,
            raised_at=now,
            updated_at=now,
        )
    held = {f["rule"]: f for f in alert.findings if f["disposition"] != Disposition.SELF_CARE}
    fresh = [f for f in findings if f["rule"] not in held]
    held.update({f["rule"]: f for f in findings})  # the newest evidence for each finding
    merged = sorted(held.values(), key=lambda f: -Disposition(f["disposition"]).rank)
    alert.findings = merged
    alert.summary = _summary(merged)
    # The alert points at the report that made it what it is: the most severe, the newest among equals.
    newest = checkin is not None and (alert.checkin is None or checkin.date >= alert.checkin.date)
    if checkin is not None and (rank > alert.severity_rank or (rank == alert.severity_rank and newest)):
        alert.checkin = checkin
        alert.unsent = ""  # a stored report now explains the alert
    # A screening as severe as the alert is what it points at; a calmer one joins its findings only, so
    # that an emergency alert never points at answers that were not an emergency.
    if screening is not None and rank >= alert.severity_rank:
        alert.screening = screening
        alert.unsent = ""
    if unsent is not None:
        # What the alert holds now came partly from a form that was not stored: the card says so, and
        # points the nurse at the patient rather than at a report that does not hold those answers.
        alert.unsent = unsent
        alert.procedure = procedure or alert.procedure
    # An emergency reported again after the alert was acknowledged is seen again: the patient may not
    # have gone, and whoever acknowledged it must know that it is still being reported.
    repeated = alert.state == AlertState.ACKNOWLEDGED and rank >= Disposition.EMERGENCY.rank
    if rank > alert.severity_rank or fresh or repeated:
        changes = []
        if rank > alert.severity_rank:
            words = dict(DISPOSITION_CHOICES)
            changes.append(f"escalated from {words[alert.disposition]} to {words[assessment.disposition.value]}")
        if fresh:
            changes.append("new: " + ", ".join(f["title"] for f in fresh))
        if repeated and not changes:
            emergencies = [f["title"] for f in findings if f["disposition"] == Disposition.EMERGENCY]
            changes.append("reported again since it was acknowledged: " + ", ".join(emergencies))
        alert.reopened_note = "; ".join(changes)[:300]
        alert.disposition = max(alert.disposition, assessment.disposition.value, key=lambda d: Disposition(d).rank)
        alert.severity_rank = max(rank, alert.severity_rank)
        alert.state = AlertState.OPEN
        alert.acknowledged_at = None
        alert.acknowledged_by = None
    alert.updated_at = now
    alert.save()
    return alert


def _summary(findings: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(f["title"] for f in findings)[:300]


def _check_unchanged(alert: Alert, seen: dt.datetime | None) -> None:
    """A nurse acts on the card they read: if a report changed the alert since, they read it again first."""
    if seen is not None and seen != alert.updated_at:
        raise _problems(("alert", "this alert changed since you opened it: read it again, then act on it"))


def do_acknowledge_alert(
    actor: User, alert: Alert, *, note: str = "", seen: dt.datetime | None = None, now: dt.datetime | None = None
) -> Alert:
    """``seen`` is the alert's ``updated_at`` as the page showed it; an alert changed since is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("clinic").get(pk=alert.pk)
        if alert.state != AlertState.OPEN:
            raise _problems(("state", f"this alert is already {alert.state}"))
        _check_unchanged(alert, seen)
        alert.state = AlertState.ACKNOWLEDGED
        alert.acknowledged_by = actor
        alert.acknowledged_at = now
        alert.acknowledge_note = note.strip()
        alert.reopened_note = ""  # seen: what changed is now part of what was acknowledged
        alert.updated_at = now
        alert.save()
        audit(actor, alert.clinic, "write", "alert.acknowledge", patient=alert.patient, object_uuid=alert.uuid, now=now)
    return alert


def do_resolve_alert(
    actor: User, alert: Alert, *, note: str, seen: dt.datetime | None = None, now: dt.datetime | None = None
) -> Alert:
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise _problems(("note", "is required: say what was done"))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("clinic").get(pk=alert.pk)
        if alert.state == AlertState.RESOLVED:
            raise _problems(("state", "this alert is already resolved"))
        _check_unchanged(alert, seen)
        if alert.acknowledged_at is None:  # resolving an open alert acknowledges it too
            alert.acknowledged_by = actor
            alert.acknowledged_at = now
        alert.state = AlertState.RESOLVED
        alert.resolved_by = actor
        alert.resolved_at = now
        alert.resolution_note = note
        alert.updated_at = now
        alert.save()
        audit(actor, alert.clinic, "write", "alert.resolve", patient=alert.patient, object_uuid=alert.uuid, now=now)
    return alert


def do_add_note(actor: User, patient: Patient, *, text: str, now: dt.datetime | None = None) -> ClinicalNote:
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise _problems(("text", "is required"))
    with transaction.atomic():
        note = ClinicalNote.objects.create(patient=patient, author=actor, written_at=now, text=text)
        audit(actor, patient.clinic, "write", "note.add", patient=patient, object_uuid=note.uuid, now=now)
    return note
