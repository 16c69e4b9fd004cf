"""Writing the audit trail: the one function that records a row. Actions call it inside their
transaction, queries when they show patient data; pages and commands never call it themselves."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction, AuditEvent


def record(
    actor: Actor,
    action: AuditAction,
    *,
    clinic_id: int,
    at: dt.datetime,
    patient_id: int | None = None,
    patients: Iterable[int] = (),
    object_uuid: uuid.UUID | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """One row of the trail. A list page passes every patient it showed in ``patients``; a page about one
    patient passes ``patient_id``."""
    listed = sorted(set(patients))
    if patient_id is None and len(listed) == 1:
        patient_id, listed = listed[0], []
    return AuditEvent.objects.create(
        clinic_id=clinic_id,
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.user_id,
        actor_label=actor.label,
        access=action.access,
        action=action,
        patient_id=patient_id,
        patients=listed,
        object_uuid=object_uuid,
        detail=dict(detail or {}),
    )
