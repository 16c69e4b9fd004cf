"""The procedure record: the injection and its PRP preparation. It starts the recovery plan and the
check-in schedule, so its date is checked against what the clinic already knows."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from prpath.accounts.models import User
from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, lock_patient, person, remember, sent_before
from prpath.clinic.models import (
    Activation,
    ImageGuidance,
    Leukocytes,
    Patient,
    Procedure,
    Role,
    Side,
    StaffMember,
    Stage,
)
from prpath.clinic.translate import ClinicProtocol, local_date
from prpath.core import recovery
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Candidacy

PROCEDURE_RECORD_DAYS = 366  # a procedure is recorded within a year of it, or the date is a typo
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks differ a little between the room and the server


@dataclass(frozen=True, slots=True)
class ProcedureRecord:
    performed_at: dt.datetime  # aware
    target: str  # a target code from the protocol
    spinal_level: str
    side: Side | str
    image_guidance: ImageGuidance | str
    blood_drawn_ml: Decimal
    spin_protocol: str
    leukocytes: Leukocytes | str
    activation: Activation | str
    volume_injected_ml: Decimal
    operator: User  # a physician of the clinic
    platelet_concentration_x: Decimal | None = None
    platelet_count_per_ul: int | None = None
    notes: str = ""


def _choice(name: str, value: str, choices: list[str], found: list[Problem]) -> None:
    if value not in choices:
        found.append(Problem(name, f"must be one of {', '.join(choices)} (got {value!r})"))


@transaction.atomic(durable=True)
def do_record_procedure(
    actor: Actor,
    patient: Patient,
    record: ProcedureRecord,
    *,
    protocol: ClinicProtocol,
    now: dt.datetime,
    once: uuid.UUID | None = None,
) -> Procedure:
    """The injection, recorded once: the same rendered form sent again (``once``) returns the first record."""
    protocol.check_clinic(patient.clinic_id)
    found: list[Problem] = []
    if record.target not in {t.code for t in protocol.protocol.targets}:
        found.append(Problem("target", f"{record.target!r} is not a target in the protocol"))
    _choice("side", record.side, Side.values, found)
    _choice("image_guidance", record.image_guidance, ImageGuidance.values, found)
    _choice("leukocytes", record.leukocytes, Leukocytes.values, found)
    _choice("activation", record.activation, Activation.values, found)
    if record.platelet_concentration_x is None and record.platelet_count_per_ul is None:
        found.append(Problem("platelet_concentration_x", "give the concentration (× baseline) or the count"))
    if record.performed_at > now + FUTURE_SLACK:
        found.append(Problem("performed_at", "is in the future"))
    if record.performed_at < now - dt.timedelta(days=PROCEDURE_RECORD_DAYS):
        found.append(Problem("performed_at", f"is more than {PROCEDURE_RECORD_DAYS} days ago: check the date"))
    if not StaffMember.objects.filter(user=record.operator, clinic=patient.clinic_id, role=Role.PHYSICIAN).exists():
        found.append(Problem("operator", "must be a physician of this clinic"))
    if record.volume_injected_ml > record.blood_drawn_ml:
        found.append(Problem("volume_injected_ml", "is more than the blood drawn"))
    patient = lock_patient(patient.pk)
    if (first_record := sent_before(actor, once, "procedure", record)) is not None:
        return Procedure.objects.get(uuid=first_record)
    # Checked under the patient's lock: a screening answered meanwhile must be decided first.
    screening = patient.screenings.order_by("-answered_at").first()
    if screening is None or screening.decided_candidacy != Candidacy.ELIGIBLE.value:
        # The gate before a spinal injection: screening answered and the physician's decision on record.
        found.append(
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
        if first is not None and record.performed_at < first:
            found.append(
                Problem("performed_at", f"is before the patient's first screening ({first:%Y-%m-%d}): check the date")
            )
    if found:
        raise ProblemsFound(found)
    procedure = Procedure.objects.create(
        patient=patient,
        performed_at=record.performed_at,
        performed_on=local_date(patient.clinic, record.performed_at),
        target=record.target,
        spinal_level=record.spinal_level,
        side=record.side,
        image_guidance=record.image_guidance,
        blood_drawn_ml=record.blood_drawn_ml,
        spin_protocol=record.spin_protocol,
        platelet_concentration_x=record.platelet_concentration_x,
        platelet_count_per_ul=record.platelet_count_per_ul,
        leukocytes=record.leukocytes,
        activation=record.activation,
        volume_injected_ml=record.volume_injected_ml,
        operator=record.operator,
        notes=record.notes.strip(),
        recorded_by=person(actor),
        recorded_at=now,
    )
    latest = patient.procedures.order_by("-performed_at").first()
    assert latest is not None
    patient.stage = Stage.INJECTED
    patient.injected_on = latest.performed_on
    last = latest.checkins.order_by("-date").values_list("date", flat=True).first()
    patient.last_checkin_on = last
    patient.next_checkin_due = recovery.next_checkin_due(protocol.protocol.schedules, latest.performed_on, last)
    patient.save()
    audit(actor, AuditAction.PROCEDURE_RECORD, patient.clinic, now=now, patient=patient, object_uuid=procedure.uuid)
    remember(actor, once, "procedure", record, procedure.uuid, now)
    return procedure
