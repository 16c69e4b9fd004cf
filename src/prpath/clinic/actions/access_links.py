"""Links that let someone choose a password: a patient's invitation, a colleague's sign-up, and a new
password for whoever has lost theirs. Each is single use, expires after 7 days, and makes earlier links
for the same person unusable. The token is returned once and only its hash is kept.

An invitation or sign-up link is for the account made with the clinic's record. If the record's email
already signs in (the person is a patient or staff elsewhere), the link sets no password: its owner
signs in with the one they have and accepts the link (``do_join_with_account``), and the record moves to
their account. No clinic gives a new password to an account another clinic shares: that password opens
the other clinic's records of the person too."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from prpath.accounts.models import LINK_DAYS, AccessLink, LinkPurpose, User, new_token, token_hash
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, problems
from prpath.clinic.models import Clinic, Membership, Patient, StaffMember
from prpath.clinic.models.memberships import only_membership, shared_beyond
from prpath.core.problems import Problem, ProblemsFound


def check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ProblemsFound([Problem("password", message) for message in error.messages]) from None


# Said to whoever holds a link whose email already signs in: its owner signs in, then accepts the link.
SIGN_IN_TO_JOIN = "this email already signs in to prpath: sign in with its password, then open this link again"
SHARED = (
    "signs in with an account that is not this clinic's alone, so the clinic cannot give it a new password: "
    "they change it themselves while signed in"
)


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
    if shared_beyond(patient.user, patient.clinic_id):
        raise problems(("patient", SHARED))
    return issue_link(actor, patient.user, patient.clinic, patient, now=now)


@transaction.atomic(durable=True)
def do_issue_staff_link(actor: Actor, staff: StaffMember, *, now: dt.datetime) -> tuple[AccessLink, str]:
    """A link for a staff member to set their password: the first one, or a new one when it is lost.
    Earlier links stop working. A deactivated account gets none."""
    staff = StaffMember.objects.select_for_update(of=("self",)).select_related("clinic", "user").get(pk=staff.pk)
    if not staff.is_active or not staff.user.is_active:
        raise problems(("staff", "This account is deactivated: reactivate it first."))
    if shared_beyond(staff.user, staff.clinic_id):
        raise problems(("staff", f"{staff.user.get_full_name()} {SHARED}."))
    return issue_link(actor, staff.user, staff.clinic, None, now=now)


def _locked_link(token: str, now: dt.datetime) -> AccessLink:
    link = (
        AccessLink.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or not link.is_usable(now):
        raise problems(("token", "this invitation link has expired or has already been used"))
    return link


def _holder(link: AccessLink) -> Membership:
    """The clinic record a link is for. A link whose account now belongs to several clinics is no longer
    any one clinic's to give (it was made before the account was shared)."""
    found = only_membership(link.user)
    if found is None or not link.user.is_active or (isinstance(found, StaffMember) and not found.is_active):
        # The account was deactivated since the link was made.
        raise problems(("token", "this link can no longer be used; ask the clinic for a new one"))
    return found


@transaction.atomic(durable=True)
def do_accept_access_link(token: str, password: str, *, now: dt.datetime) -> User:
    """The holder of a link chooses their password; the link is used up, and every other session of the
    account ends with the old password.

    Joining, the email the clinic knows the person by becomes their login, unless it already is one
    (they joined through another clinic first): then no password is set here (that would hand the other
    account to whoever holds this link), and the person signs in to accept it (``do_join_with_account``)."""
    link = _locked_link(token, now)
    user = link.user
    holder = _holder(link)
    if user.email is None:
        if User.objects.filter(email=holder.email).exists():
            raise problems(("email", SIGN_IN_TO_JOIN))
        user.email = holder.email
    check_password(password, user)
    user.set_password(password)
    if user.joined_at is None:
        user.joined_at = now
    try:
        with transaction.atomic():  # a savepoint: two clinics' invitations for one email accepted at once
            user.save(update_fields=["email", "password", "joined_at"])
    except IntegrityError:
        raise problems(("email", SIGN_IN_TO_JOIN)) from None
    link.used_at = now
    link.save(update_fields=["used_at"])
    if isinstance(holder, Patient):
        action = (
            AuditAction.PATIENT_ACCEPT_INVITATION
            if link.purpose == LinkPurpose.INVITATION
            else AuditAction.PATIENT_SET_PASSWORD
        )
        audit(Actor.patient(user), action, holder.clinic, now=now, patient=holder)
    else:
        audit(Actor.staff(user), AuditAction.STAFF_SET_PASSWORD, holder.clinic, now=now)
    return user


@transaction.atomic(durable=True)
def do_join_with_account(token: str, user: User, *, now: dt.datetime) -> Membership:
    """The signed-in ``user`` accepts an invitation or sign-up link made for the email they sign in with:
    the clinic's record moves to their account, which keeps its password. The link is used up; the empty
    account made with the record is switched off; and the account's own open links end (a new-password
    link made by one clinic must not outlive the account's being shared)."""
    link = _locked_link(token, now)
    holder = _holder(link)
    if link.user.email is not None or link.user.has_joined:
        raise problems(("token", "this link sets a password: it is not for joining another account"))
    if user.email != holder.email or not user.is_active:
        raise problems(("token", f"this link is for {holder.email}: sign out, then sign in with that email"))
    if isinstance(holder, StaffMember) and StaffMember.objects.filter(user=user).exists():
        raise problems(
            ("token", "your account is already on a clinic's staff: ask this clinic to add you with another email")
        )
    placeholder = link.user
    holder.user = user
    try:
        with transaction.atomic():  # a savepoint: the same account joined to one clinic twice at once
            holder.save(update_fields=["user"])
    except IntegrityError:
        raise problems(("token", "your account is already at this clinic; ask the clinic for help")) from None
    placeholder.is_active = False
    placeholder.save(update_fields=["is_active"])
    link.used_at = now
    link.save(update_fields=["used_at"])
    AccessLink.objects.filter(user__in=[user, placeholder], used_at=None, revoked_at=None).update(revoked_at=now)
    if isinstance(holder, Patient):
        audit(Actor.patient(user), AuditAction.PATIENT_ACCEPT_INVITATION, holder.clinic, now=now, patient=holder)
    else:
        audit(Actor.staff(user), AuditAction.STAFF_JOIN, holder.clinic, now=now, object_uuid=holder.uuid)
    return holder
