"""Links that let someone choose a password: a patient's invitation, a colleague's sign-up, and a new
password for whoever has lost theirs. Each is single use, expires after 7 days, and makes earlier links
for the same person unusable. The token is returned once and only its hash is kept."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from prpath.accounts.models import LINK_DAYS, AccessLink, LinkPurpose, User, new_token, token_hash
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, problems
from prpath.clinic.models import Clinic, Patient, StaffMember
from prpath.core.problems import Problem, ProblemsFound


def check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ProblemsFound([Problem("password", message) for message in error.messages]) from None


def issue_link(
    actor: Actor, user: User, clinic: Clinic, patient: Patient | None, *, now: dt.datetime
) -> tuple[AccessLink, str]:
    """A new link for ``user`` (called inside an action's transaction, with the holder's row locked)."""
    if patient is not None:
        purpose = LinkPurpose.NEW_PASSWORD if user.has_joined else LinkPurpose.INVITATION
        action = AuditAction.PATIENT_PASSWORD_LINK if user.has_joined else AuditAction.PATIENT_INVITE
    else:
        purpose = LinkPurpose.NEW_PASSWORD if user.has_usable_password() else LinkPurpose.SIGN_UP
        action = AuditAction.STAFF_PASSWORD_LINK
    user.access_links.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    token, hashed = new_token()
    link = AccessLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=hashed,
        created_by=actor.user,
        created_at=now,
        expires_at=now + dt.timedelta(days=LINK_DAYS),
    )
    audit(actor, action, clinic, now=now, patient=patient, object_uuid=link.uuid)
    return link, token


def _locked_patient(patient: Patient) -> Patient:
    # Under the patient's lock: two links made at once leave only the later one usable.
    return Patient.objects.select_for_update(of=("self",)).select_related("clinic", "user").get(pk=patient.pk)


@transaction.atomic(durable=True)
def do_invite_patient(actor: Actor, patient: Patient, *, now: dt.datetime) -> tuple[AccessLink, str]:
    """A new invitation link for a patient who has not joined yet."""
    patient = _locked_patient(patient)
    if patient.user.has_joined:
        raise problems(
            ("patient", "already has an account; if they have lost their password, make a new-password link")
        )
    return issue_link(actor, patient.user, patient.clinic, patient, now=now)


@transaction.atomic(durable=True)
def do_issue_password_link(actor: Actor, patient: Patient, *, now: dt.datetime) -> tuple[AccessLink, str]:
    """A link for a patient who has lost their password to choose a new one.

    There is no email here: the clinic gives it the way it gives invitations, after checking who asks."""
    patient = _locked_patient(patient)
    if not patient.user.has_joined:
        raise problems(("patient", "has no account yet: make an invitation link instead"))
    return issue_link(actor, patient.user, patient.clinic, patient, now=now)


@transaction.atomic(durable=True)
def do_issue_staff_link(actor: Actor, staff: StaffMember, *, now: dt.datetime) -> tuple[AccessLink, str]:
    """A link for a staff member to set their password: the first one, or a new one when it is lost.
    Earlier links stop working. A deactivated account gets none."""
    staff = StaffMember.objects.select_for_update(of=("self",)).select_related("clinic", "user").get(pk=staff.pk)
    if not staff.user.is_active:
        raise problems(("staff", "This account is deactivated: reactivate it first."))
    return issue_link(actor, staff.user, staff.clinic, None, now=now)


@transaction.atomic(durable=True)
def do_accept_access_link(token: str, password: str, *, now: dt.datetime) -> User:
    """The holder of a link chooses their password; the link is used up, and every other session of the
    account ends with the old password."""
    link = (
        AccessLink.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or not link.is_usable(now):
        raise problems(("token", "this invitation link has expired or has already been used"))
    user = link.user
    patient = Patient.objects.select_related("clinic").filter(user=user).first()
    staff = StaffMember.objects.select_related("clinic").filter(user=user).first() if patient is None else None
    if (staff is None and patient is None) or not user.is_active:
        # The account was deactivated since the link was made.
        raise problems(("token", "this link can no longer be used; ask the clinic for a new one"))
    if patient is not None and user.email is None:
        # Joining: the email the clinic enrolled them with becomes their login, unless it already is
        # someone's (they were enrolled by another clinic too, and joined there first).
        if User.objects.filter(email=patient.email).exists():
            raise problems(("email", "an account with this email already exists; ask the clinic for help"))
        user.email = patient.email
    check_password(password, user)
    user.set_password(password)
    if user.joined_at is None:
        user.joined_at = now
    try:
        with transaction.atomic():  # a savepoint: two clinics' invitations for one email accepted at once
            user.save(update_fields=["email", "password", "joined_at"])
    except IntegrityError:
        raise problems(("email", "an account with this email already exists; ask the clinic for help")) from None
    link.used_at = now
    link.save(update_fields=["used_at"])
    if patient is not None:
        action = (
            AuditAction.PATIENT_ACCEPT_INVITATION
            if link.purpose == LinkPurpose.INVITATION
            else AuditAction.PATIENT_SET_PASSWORD
        )
        audit(Actor.patient(user), action, patient.clinic, now=now, patient=patient)
    else:
        assert staff is not None
        audit(Actor.staff(user), AuditAction.STAFF_SET_PASSWORD, staff.clinic, now=now)
    return user
