"""Enrolling a patient: their record in the clinic and the account their invitation will open.

The email is checked against this clinic's patients only: whether it is anyone's elsewhere (a patient
or staff of another clinic, an invitation not yet accepted) is not this clinic's to know, and changes
nothing here. If it already signs in when the invitation is accepted, its owner signs in to accept it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from prpath.accounts.models import EMAIL_MAX_LENGTH, User, normal_email
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, problems
from prpath.clinic.models import Clinic, Patient, Sex
from prpath.clinic.translate import ClinicProtocol, clinic_today
from prpath.core.problems import Problem, ProblemsFound


@dataclass(frozen=True, slots=True)
class Enrolment:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    email: str
    sex: Sex | str = ""
    phone: str = ""
    clinic_reference: str = ""
    conditions: Sequence[str] = field(default_factory=tuple)  # condition codes from the protocol


@transaction.atomic(durable=True)
def do_enrol_patient(
    actor: Actor, clinic: Clinic, enrolment: Enrolment, *, protocol: ClinicProtocol, now: dt.datetime
) -> Patient:
    """A new patient of ``clinic``, with the diagnosis the clinic knows; their account cannot sign in
    until they choose a password through an invitation link (``do_invite_patient``)."""
    protocol.check_clinic(clinic.pk)
    known = {c.code for c in protocol.protocol.conditions}
    found = [
        Problem("conditions", f"{code!r} is not a condition in the protocol")
        for code in enrolment.conditions
        if code not in known
    ]
    given_name, family_name = enrolment.given_name.strip(), enrolment.family_name.strip()
    found += [
        Problem(name, "is required")
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if not value
    ]
    if enrolment.date_of_birth > clinic_today(clinic, now):
        found.append(Problem("date_of_birth", "is in the future"))
    if enrolment.sex not in ("", *Sex.values):
        found.append(Problem("sex", f"must be one of {', '.join(Sex.values)} or not recorded (got {enrolment.sex!r})"))
    email = normal_email(enrolment.email)
    try:
        validate_email(email)
    except DjangoValidationError:
        found.append(Problem("email", f"is not an email address (got {email!r})"))
    if len(email) > EMAIL_MAX_LENGTH:  # the email is the login, and logins hold 150 characters
        found.append(Problem("email", f"is longer than {EMAIL_MAX_LENGTH} characters"))
    if found:
        raise ProblemsFound(found)
    if Patient.objects.filter(clinic=clinic, email=email).exists():
        raise problems(("email", "a patient with this email is already enrolled in this clinic"))
    try:
        with transaction.atomic():  # a savepoint: the same patient enrolled twice at once
            user = User.objects.create_user(None, None, given_name=given_name, family_name=family_name)
            patient = Patient.objects.create(
                clinic=clinic,
                user=user,
                email=email,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=enrolment.date_of_birth,
                sex=enrolment.sex,
                phone=enrolment.phone.strip(),
                clinic_reference=enrolment.clinic_reference.strip(),
                conditions=sorted(set(enrolment.conditions)),
                enrolled_at=now,
            )
    except IntegrityError:
        raise problems(("email", "a patient with this email is already enrolled in this clinic")) from None
    audit(actor, AuditAction.PATIENT_ENROL, clinic, now=now, patient=patient, object_uuid=patient.uuid)
    return patient
