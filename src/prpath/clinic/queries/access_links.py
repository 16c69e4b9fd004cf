"""The link a person follows to choose a password: who it is for, if it can still be used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prpath.accounts.models import AccessLink, LinkPurpose, token_hash
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.models import Clinic, Patient, StaffMember
from prpath.clinic.queries.reads import record_read


@dataclass(frozen=True, slots=True)
class LinkHolder:
    link: AccessLink
    clinic: Clinic
    given_name: str
    email: str
    patient: Patient | None
    staff: StaffMember | None

    @property
    def new_password(self) -> bool:
        return self.link.purpose == LinkPurpose.NEW_PASSWORD


def find_access_link(token: str, *, now: dt.datetime, opened: bool = False) -> LinkHolder | None:
    """The person a link is for, if it can still be used; None for any other token. ``opened``: the page
    showing their name and email is opened by whoever holds the link, which the audit trail records."""
    link = AccessLink.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if link is None or not link.is_usable(now) or not link.user.is_active:
        return None
    patient = Patient.objects.select_related("clinic").filter(user_id=link.user_id).first()
    staff = (
        None
        if patient is not None
        else StaffMember.objects.select_related("clinic").filter(user_id=link.user_id).first()
    )
    holder = patient or staff
    if holder is None:
        return None
    if opened:
        record_read(
            Actor.system("access link page"),
            AuditAction.INVITATION_OPEN,
            holder.clinic,
            [patient] if patient is not None else [],
            now=now,
            detail={"link": str(link.uuid)},
        )
    email = patient.email if patient is not None else str(link.user.email)
    return LinkHolder(link, holder.clinic, link.user.given_name, email, patient, staff)


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
