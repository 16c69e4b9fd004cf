"""A finding as it is kept: one versioned schema for the database, the vignette output, the pages and,
later, the API and FHIR.

The engine builds ``Finding`` tuples (cheap, internal); what is stored and shown is a ``FindingRecord``,
made from one in exactly one place (``FindingRecord.of``). Stored records carry their schema number, so
a later schema can read what an earlier one wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from prpath.core.protocol.schema import Candidacy, Disposition
from prpath.core.triage.model import Finding

FINDING_SCHEMA: Literal[1] = 1


class FindingRecord(BaseModel):
    """What one rule found, in the words the patient was given (``reason``) and the clinician reads
    (``rationale``, ``source``), with the evidence it cites."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_version: Literal[1] = Field(default=FINDING_SCHEMA, alias="schema")
    rule: str
    title: str
    disposition: Disposition
    candidacy: Candidacy | None = None
    reason: str
    evidence: tuple[str, ...] = ()
    rationale: str = ""
    source: str = ""

    @classmethod
    def of(cls, finding: Finding) -> FindingRecord:
        return cls.model_construct(
            schema_version=FINDING_SCHEMA,
            rule=finding.rule,
            title=finding.title,
            disposition=finding.disposition,
            candidacy=finding.candidacy,
            reason=finding.reason,
            evidence=tuple(finding.evidence),
            rationale=finding.rationale,
            source=finding.source,
        )

    @property
    def above_self_care(self) -> bool:
        return self.disposition != Disposition.SELF_CARE

    def as_data(self) -> dict[str, Any]:
        """As stored (JSON-ready, with its schema number)."""
        return {
            "schema": self.schema_version,
            "rule": self.rule,
            "title": self.title,
            "disposition": self.disposition.value,
            "candidacy": self.candidacy.value if self.candidacy is not None else None,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "rationale": self.rationale,
            "source": self.source,
        }

    def as_vignette_output(self, *, explain: bool = False) -> dict[str, Any]:
        """As a line of ``prpath triage`` shows it (FORMAT.md): rule, disposition, candidacy when there
        is one, the reason; with ``explain``, the rationale and source too."""
        item: dict[str, Any] = {"rule": self.rule, "disposition": self.disposition.value}
        if self.candidacy is not None:
            item["candidacy"] = self.candidacy.value
        item["reason"] = self.reason
        if explain:
            item["rationale"] = self.rationale
            item["source"] = self.source
        return item


_RECORDS: TypeAdapter[tuple[FindingRecord, ...]] = TypeAdapter(tuple[FindingRecord, ...])


def records_of(findings: Iterable[Finding]) -> tuple[FindingRecord, ...]:
    return tuple(FindingRecord.of(f) for f in findings)


def findings_from_data(data: Any) -> tuple[FindingRecord, ...]:
    """Stored findings read back; raises pydantic's ValidationError on anything that is not one."""
    return _RECORDS.validate_python(data or ())


def findings_as_data(records: Sequence[FindingRecord]) -> list[dict[str, Any]]:
    return [record.as_data() for record in records]


def evidence_lines(records: Iterable[FindingRecord]) -> list[str]:
    """The evidence of every finding above self-care, each line once, in order."""
    return list(dict.fromkeys(line for r in records if r.above_self_care for line in r.evidence))
