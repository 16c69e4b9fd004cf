"""What the triage engine takes and what it gives back.

Inputs are pydantic models (they validate shape: a pain score of 7.5 or a severity of "bad" never gets
in); what depends on the protocol (known codes, plausible ranges, dates after the injection) is checked
by ``check_case``. Outputs are NamedTuples (immutable; see ``Finding`` for why not dataclasses).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from prpath.core.protocol.schema import Candidacy, Disposition, PainTrend, Severity


def _whole_number(value: float) -> int:
    # JSON has one number type: 7.0 is the whole number 7; 7.5 is not a pain score.
    if not value.is_integer():
        raise ValueError("must be a whole number")
    return int(value)


# Strict types keep out what only looks like a value: "7" or true for a pain score, a timestamp for a
# date. From JSON, a strict date is text written YYYY-MM-DD; from Python it is a datetime.date.
if TYPE_CHECKING:
    WholeNumber = int
else:  # validated as a strict number, then required to be whole: the value is an int
    WholeNumber = Annotated[float, Strict(), AfterValidator(_whole_number)]
Number = Annotated[float, Strict()]
IsoDate = Annotated[dt.date, Strict()]
SeverityCode = Literal["mild", "moderate", "severe"]
Symptoms = dict[str, SeverityCode]


def _null_is_absent(default: Any) -> BeforeValidator:
    """An optional field written as null means the same as the field left out."""
    return BeforeValidator(lambda value: default() if value is None else value)


class _Input(BaseModel):
    # Unknown fields are ignored (the interchange format allows them); values are never changed.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Baseline(_Input):
    """The patient before treatment: usual pain, its trend, and the symptoms they have."""

    pain: WholeNumber | None = None
    pain_trend: PainTrend | None = None
    symptoms: Symptoms = Field(default_factory=dict)
    # The patient's own words at screening; what they report counts among these symptoms at screening (at
    # moderate unless `symptoms` grades it), as a check-in's note does. Recovery compares with `symptoms` only.
    note: str | None = None

    @field_validator("symptoms", mode="before")
    @classmethod
    def _plain_list_means_moderate(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, list | tuple):
            if not all(isinstance(code, str) for code in value):
                raise ValueError("a list of symptoms holds symptom codes")
            return dict.fromkeys(value, Severity.MODERATE.value)
        return value


class Patient(_Input):
    age: Annotated[WholeNumber | None, Field(ge=0, le=130)] = None
    sex: Literal["female", "male", "other"] | None = None
    conditions: Annotated[tuple[str, ...], _null_is_absent(tuple)] = ()
    history: Annotated[tuple[str, ...], _null_is_absent(tuple)] = ()
    baseline: Annotated[Baseline, _null_is_absent(dict)] = Field(default_factory=Baseline)


class Procedure(_Input):
    date: IsoDate
    target: str | None = None


# A pydantic dataclass rather than a model: a recovery case carries a check-in a day, and building
# dataclasses is about a quarter cheaper (bench/triage_bench.py). It validates the same way.
@pydantic_dataclass(frozen=True, slots=True, config=ConfigDict(extra="ignore"))
class CheckIn:
    date: IsoDate
    pain: WholeNumber
    temperature_c: Number | None = None
    # None (written null) means none reported, like the field left out; a union is checked natively,
    # where a validator turning null into {} would cost a Python call per check-in.
    symptoms: Symptoms | None = Field(default_factory=dict)
    # The patient's own words; what they report counts as reported (at moderate unless `symptoms` grades it).
    note: str | None = None
    # Symptoms the note reports that the patient, asked back, said they do not have: the note does not count
    # for them (the form's own answers still do).
    denied: tuple[str, ...] = ()


class Case(_Input):
    """One patient situation: screening (before any injection) or recovery (after it)."""

    phase: Literal["screening", "recovery"]
    patient: Patient
    procedure: Procedure | None = None
    checkins: tuple[CheckIn, ...] = ()


# Outputs are NamedTuples: immutable like frozen dataclasses, but about four times cheaper to build,
# and an assessment builds one per finding (bench/triage_bench.py).
class Finding(NamedTuple):
    rule: str
    title: str
    disposition: Disposition
    candidacy: Candidacy | None
    reason: str
    evidence: tuple[str, ...]
    rationale: str
    source: str


class Assessment(NamedTuple):
    phase: Literal["screening", "recovery"]
    disposition: Disposition
    candidacy: Candidacy | None
    findings: tuple[Finding, ...]
    protocol_name: str
    protocol_version: str
    day: int | None = None
