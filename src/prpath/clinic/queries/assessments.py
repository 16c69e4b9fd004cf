"""What a stored assessment was, and what the same case gives again under the same protocol version."""

from __future__ import annotations

from dataclasses import dataclass

from prpath.clinic.models import CheckInVersion, Screening
from prpath.clinic.translate import case_from_data, parsed_protocol
from prpath.core.findings import FindingRecord, records_of
from prpath.core.protocol.schema import Disposition
from prpath.core.triage import triage


@dataclass(frozen=True, slots=True)
class Rederived:
    """A stored assessment beside the one its case gives again under its own protocol version."""

    protocol_label: str
    stored: tuple[Disposition, tuple[FindingRecord, ...]]
    again: tuple[Disposition, tuple[FindingRecord, ...]]

    @property
    def same(self) -> bool:
        return self.stored == self.again


def rederive_checkin(version: CheckInVersion) -> Rederived:
    return _rederive(version)


def rederive_screening(screening: Screening) -> Rederived:
    return _rederive(screening)


def _rederive(record: CheckInVersion | Screening) -> Rederived:
    """The stored result beside the result of the stored case triaged again under its own version."""
    assessment = triage(parsed_protocol(record.protocol), case_from_data(record.case))
    return Rederived(
        record.protocol.label,
        (Disposition(record.disposition), tuple(record.findings)),
        (assessment.disposition, records_of(assessment.findings)),
    )
