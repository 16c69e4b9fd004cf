"""The link a person follows to choose a password: who it is for, if it can still be used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prpath.accounts.models import AccessLink, LinkPurpose, User, token_hash
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.models import Clinic, Patient, StaffMember
from prpath.clinic.models.memberships import only_membership
from prpath.clinic.queries.reads import record_read


@dataclass(frozen=True, slots=True)
class LinkHolder:
    link: AccessLink
    clinic: Clinic
    given_name: str
    email: str
    patient: Patient | None
    staff: StaffMember | None
    # The email already signs in (the person joined through another clinic, or is staff somewhere): the
    # link sets no password; its owner signs in, then accepts it.
    joins_account: bool = False

    @property
    def new_password(self) -> bool:
        return self.link.purpose == LinkPurpose.NEW_PASSWORD


def find_access_link(token: str, *, now: dt.datetime, opened: bool = False) -> LinkHolder | None:
    """The person a link is for, if it can still be used; None for any other token. ``opened``: the page
    showing their name and email is opened by whoever holds the link, which the audit trail records."""
    link = AccessLink.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if link is None or not link.is_usable(now) or not link.user.is_active:
        return None
    holder = only_membership(link.user)
    if holder is None or (isinstance(holder, StaffMember) and not holder.is_active):
        return None
    patient = holder if isinstance(holder, Patient) else None
    staff = holder if isinstance(holder, StaffMember) else None
    if opened:
        record_read(
            Actor.system("access link page"),
            AuditAction.INVITATION_OPEN,
            holder.clinic,
            [patient] if patient is not None else [],
            now=now,
            detail={"link": str(link.uuid)},
        )
    joins = link.user.email is None and User.objects.filter(email=holder.email).exists()
    return LinkHolder(link, holder.clinic, link.user.given_name, holder.email, patient, staff, joins)


def link_page_sent_back(holder: LinkHolder, *, now: dt.datetime) -> None:
    """The link's page shown again with the problems of the password sent: it shows the name and email again."""
    record_read(
        Actor.system("access link page"),
        AuditAction.INVITATION_OPEN,
        holder.clinic,
        [holder.patient] if holder.patient is not None else [],
        now=now,
        detail={"link": str(holder.link.uuid), "sent_back": True},
    )
