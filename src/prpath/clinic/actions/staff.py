"""A clinic's staff: adding a colleague, changing their role, deactivating whoever leaves.

A clinic always keeps one active admin who can sign in; nobody changes their own role or deactivates
themself. A staff member who leaves is deactivated, never deleted: their name stays on what they wrote.

Adding a colleague says nothing of other clinics: their email is checked against this clinic's staff
only. Their account takes the email as its login when they choose a password; if the email already
signs in (they are a patient elsewhere), they accept the link by signing in instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from prpath.accounts.models import EMAIL_MAX_LENGTH, AccessLink, User, normal_email
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.access_links import check_password, issue_link
from prpath.clinic.actions.base import audit, problems
from prpath.clinic.models import Clinic, Patient, Role, StaffMember
from prpath.core.problems import Problem, ProblemsFound

NAME_LIMIT = 150


@dataclass(frozen=True, slots=True)
class NewStaff:
    email: str
    given_name: str
    family_name: str
    role: Role | str


ON_STAFF = "is already on this clinic's staff"


def _checked(clinic: Clinic, member: NewStaff) -> NewStaff:
    email = normal_email(member.email)
    given_name, family_name = member.given_name.strip(), member.family_name.strip()
    found = [
        Problem(name, "is required")
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if not value
    ]
    found += [
        Problem(name, f"is longer than {NAME_LIMIT} characters")
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if len(value) > NAME_LIMIT
    ]
    try:
        validate_email(email)
    except DjangoValidationError:
        found.append(Problem("email", f"is not an email address (got {email!r})"))
    if len(email) > EMAIL_MAX_LENGTH:
        found.append(Problem("email", f"is longer than {EMAIL_MAX_LENGTH} characters"))
    if member.role not in Role.values:
        found.append(Problem("role", f"must be one of {', '.join(Role.values)} (got {member.role!r})"))
    if found:
        raise ProblemsFound(found)
    # Only this clinic's own staff are looked at: whether the email is anyone's elsewhere is not its to know.
    if StaffMember.objects.filter(clinic=clinic, email=email).exists():
        raise problems(("email", ON_STAFF))
    return NewStaff(email, given_name, family_name, Role(member.role))


def _create(actor: Actor, clinic: Clinic, member: NewStaff, password: str | None, now: dt.datetime) -> StaffMember:
    """Without a password, the account has no login until its owner accepts their link (as a patient's):
    whoever of the clinics' people with this email joins first makes it theirs."""
    user = User(email=None, given_name=member.given_name, family_name=member.family_name)
    if password is None:
        user.set_unusable_password()
    else:
        user.email = member.email
        check_password(password, user)
        user.set_password(password)
        user.joined_at = now
    try:
        with transaction.atomic():  # a savepoint: the same person added twice at once (a double click)
            user.save()
            staff = StaffMember.objects.create(user=user, clinic=clinic, role=Role(member.role), email=member.email)
    except IntegrityError:
        if password is None or StaffMember.objects.filter(clinic=clinic, email=member.email).exists():
            raise problems(("email", ON_STAFF)) from None
        # Only with a password (the command line, run by whoever runs prpath): the login is taken.
        raise problems(("email", "already has a prpath account: each person signs in with their own email")) from None
    audit(
        actor,
        AuditAction.STAFF_ADD,
        clinic,
        now=now,
        object_uuid=staff.uuid,
        detail={"email": member.email, "role": str(member.role)},
    )
    return staff


@transaction.atomic(durable=True)
def do_add_staff(
    actor: Actor, clinic: Clinic, member: NewStaff, *, password: str | None = None, now: dt.datetime
) -> StaffMember:
    """A new staff member. Without a password the account cannot sign in until its owner sets one
    through a link (``do_issue_staff_link``, or ``do_invite_staff`` for both at once)."""
    return _create(actor, clinic, _checked(clinic, member), password, now)


@transaction.atomic(durable=True)
def do_invite_staff(
    actor: Actor, clinic: Clinic, member: NewStaff, *, now: dt.datetime
) -> tuple[StaffMember, AccessLink, str]:
    """A colleague's account and the link to choose their own password, or neither: the clinic admin
    never learns the password."""
    staff = _create(actor, clinic, _checked(clinic, member), None, now)
    link, token = issue_link(actor, staff.user, clinic, None, now=now)
    return staff, link, token


@transaction.atomic(durable=True)
def do_set_staff_active(actor: Actor, staff: StaffMember, *, active: bool, now: dt.datetime) -> StaffMember:
    """Deactivate a staff member who has left, or bring one back.

    Deactivation also drops the password: every session signed in with it ends for good (Django checks a
    session against the password hash), so reactivating does not revive a browser left signed in. A
    returning colleague sets a new password through a link. An account that is also a patient's (here or
    at another clinic) keeps its password and its patient records: only the staff membership ends, and
    the staff pages refuse it from the next request."""
    # Under the clinic's lock: two admins deactivating each other at once cannot leave it with none.
    Clinic.objects.select_for_update().get(pk=staff.clinic_id)
    staff = StaffMember.objects.select_for_update(of=("self",)).select_related("user", "clinic").get(pk=staff.pk)
    if not active and staff.user_id == actor.user_id:
        raise problems(("staff", "You cannot deactivate your own account."))
    if not active:
        _refuse_leaving_no_admin(staff, "staff")
    if staff.is_active == active:
        return staff
    staff.is_active = active
    staff.save(update_fields=["is_active"])
    if not Patient.objects.filter(user=staff.user).exists():  # the account is this membership's alone
        staff.user.is_active = active
        if not active:
            staff.user.set_unusable_password()
        staff.user.save(update_fields=["is_active", "password"])
        if not active:
            staff.user.access_links.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    action = AuditAction.STAFF_REACTIVATE if active else AuditAction.STAFF_DEACTIVATE
    audit(actor, action, staff.clinic, now=now, object_uuid=staff.uuid, detail={"email": staff.email})
    return staff


@transaction.atomic(durable=True)
def do_change_staff_role(actor: Actor, staff: StaffMember, *, role: Role | str, now: dt.datetime) -> StaffMember:
    """A colleague's role changes (a nurse becomes the clinic's coordinator, a physician its admin).

    What they may do changes with their next request. Nobody changes their own role, and a clinic keeps
    at least one active admin. A physician who stops being one stays named on what they recorded."""
    if role not in Role.values:
        raise problems(("role", f"must be one of {', '.join(Role.values)} (got {role!r})"))
    role = Role(role)
    Clinic.objects.select_for_update().get(pk=staff.clinic_id)  # as for deactivation: one admin kept
    staff = StaffMember.objects.select_for_update(of=("self",)).select_related("user", "clinic").get(pk=staff.pk)
    if staff.user_id == actor.user_id:
        raise problems(("role", "You cannot change your own role: ask another admin."))
    if staff.role == role:
        return staff
    if not staff.is_active:
        raise problems(("role", f"{staff.user.get_full_name()} is deactivated: reactivate them first."))
    _refuse_leaving_no_admin(staff, "role")
    before = staff.role
    staff.role = role
    staff.save(update_fields=["role"])
    audit(
        actor,
        AuditAction.STAFF_ROLE,
        staff.clinic,
        now=now,
        object_uuid=staff.uuid,
        detail={"email": staff.email, "from": str(before), "to": str(role)},
    )
    return staff


def _refuse_leaving_no_admin(staff: StaffMember, field: str) -> None:
    """Called under the clinic's lock, before ``staff`` stops being an active admin. An admin invited who
    has not yet chosen a password does not count: they cannot sign in, perhaps ever."""
    if staff.role != Role.ADMIN:
        return
    admins = StaffMember.objects.filter(
        clinic=staff.clinic, role=Role.ADMIN, is_active=True, user__is_active=True
    ).exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if not admins.exclude(pk=staff.pk).exists():
        who = staff.user.get_full_name()
        raise problems(
            (
                field,
                f"{who} is the clinic's only admin who can sign in: another admin must join (choose a password) first.",
            )
        )
