"""Setting up a clinic: the tenant, and its first protocol version (the built-in default, or a document
given at the command line)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping

from django.db import transaction

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit
from prpath.clinic.actions.protocols import first_version
from prpath.clinic.models import Clinic
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.locale import LOCALES
from prpath.files.protocols import default_protocol_text

EMERGENCY_NUMBER = re.compile(r"\+?[0-9]{2,20}")  # what a tel: link dials: 112, 911, 000, +441234...


@transaction.atomic(durable=True)
def do_create_clinic(
    actor: Actor,
    *,
    name: str,
    phone: str,
    emergency_number: str = "112",
    time_zone: str = "UTC",
    locale: str = "en-GB",
    temperature_unit: str = "C",
    protocol_text: str | None = None,
    protocol_reasons: Mapping[str, str] | None = None,
    now: dt.datetime,
) -> Clinic:
    """A new clinic, on the built-in protocol unless ``protocol_text`` gives its own, which must be valid
    and pass the safety suite as an activation does (``protocol_reasons``: why the clinic accepts each
    disagreement with an answer key)."""
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
    if locale not in LOCALES:
        problems.append(Problem("locale", f"must be one of {', '.join(LOCALES)} (got {locale!r})"))
    if temperature_unit not in ("C", "F"):
        problems.append(Problem("temperature_unit", f"must be C or F (got {temperature_unit!r})"))
    if problems:
        raise ProblemsFound(problems)
    clinic = Clinic.objects.create(
        name=name.strip(),
        phone=phone.strip(),
        emergency_number=emergency_number.strip(),
        time_zone=time_zone,
        locale=locale,
        temperature_unit=temperature_unit,
        created_at=now,
    )
    document = protocol_text if protocol_text is not None else default_protocol_text()
    version = first_version(actor, clinic, document, reasons=protocol_reasons or {}, now=now)
    audit(
        actor, AuditAction.CLINIC_CREATE, clinic, now=now, object_uuid=clinic.uuid, detail={"protocol": version.number}
    )
    return clinic
