"""Vignettes as the interchange format describes them (``../shared/vignettes/FORMAT.md``): a case with
an answer key, read from its JSON text, triaged, and written back as one result line. Pure: the files
are read at the edge (``prpath.files.vignettes``), the texts a clinic adds come from the database."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, TypeAdapter, ValidationError

from prpath.core.findings import records_of
from prpath.core.problems import Problem, ProblemsFound, problems_from_validation_error
from prpath.core.protocol.schema import Protocol
from prpath.core.triage import Assessment, Case, triage
from prpath.core.triage.model import CheckIn, Patient, Procedure

# The answer key of a file that is not valid JSON can still be read from its text.
_EXPECTS_ERROR = re.compile(r'"expected"\s*:\s*\{\s*"error"\s*:\s*true\b')


@dataclass(frozen=True, slots=True)
class VignetteResult:
    id: str
    name: str  # where it came from: a file name, or the name a clinic gave it
    assessment: Assessment | None = None
    error: str | None = None
    expected: dict[str, Any] | None = None

    def as_line(self, *, explain: bool = False) -> dict[str, Any]:
        if self.assessment is None:
            return {"id": self.id, "error": self.error}
        return assessment_as_dict(self.id, self.assessment, explain=explain)


def assessment_as_dict(vignette_id: str, assessment: Assessment, *, explain: bool = False) -> dict[str, Any]:
    # The same record the clinic stores and shows, projected as FORMAT.md writes a finding.
    findings = [record.as_vignette_output(explain=explain) for record in records_of(assessment.findings)]
    line: dict[str, Any] = {
        "id": vignette_id,
        "disposition": assessment.disposition.value,
        "candidacy": assessment.candidacy.value if assessment.candidacy else None,
        "findings": findings,
    }
    if explain:
        line["protocol"] = {"name": assessment.protocol_name, "version": assessment.protocol_version}
        line["day"] = assessment.day
    return line


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class _Vignette(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Annotated[str, Strict(), AfterValidator(_not_blank)]
    patient: Patient
    expected: Any = None


class _ScreeningVignette(_Vignette):
    # No procedure or check-ins: a screening file's are ignored, even when they would not be valid.
    phase: Literal["screening"]


class _RecoveryVignette(_Vignette):
    phase: Literal["recovery"]
    procedure: Procedure | None = None
    checkins: tuple[CheckIn, ...] = ()


_VIGNETTE: TypeAdapter[_ScreeningVignette | _RecoveryVignette] = TypeAdapter(
    Annotated[_ScreeningVignette | _RecoveryVignette, Field(discriminator="phase")]
)


@dataclass(frozen=True, slots=True)
class ParsedVignette:
    id: str
    case: Case
    expected: Any


def parse_vignette(text: str | bytes) -> ParsedVignette:
    """A vignette's id, case and answer key from its JSON text, validated in one pass.

    Raises ProblemsFound naming every problem of shape found; the protocol's checks (known codes,
    plausible ranges, dates) come after, in ``triage``.
    """
    try:
        vignette = _VIGNETTE.validate_json(text)
    except ValidationError as error:
        raise ProblemsFound(_vignette_problems(error)) from None
    if isinstance(vignette, _RecoveryVignette):
        case = Case.model_construct(
            phase="recovery", patient=vignette.patient, procedure=vignette.procedure, checkins=vignette.checkins
        )
    else:
        case = Case.model_construct(phase="screening", patient=vignette.patient, procedure=None, checkins=())
    return ParsedVignette(id=vignette.id, case=case, expected=vignette.expected)


def _vignette_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        kind, loc = item["type"], item["loc"]
        if kind == "json_invalid":
            return [Problem("", f"not valid JSON: {item.get('ctx', {}).get('error', item['msg'])}")]
        if kind in ("dict_type", "model_attributes_type", "model_type") and not loc:
            return [Problem("", "a vignette must be a JSON object")]
        if kind == "union_tag_not_found":
            problems.append(Problem("phase", "is required"))
        elif kind == "union_tag_invalid":
            problems.append(Problem("phase", f"must be 'screening' or 'recovery' (got {item['input'].get('phase')!r})"))
    if problems:
        return problems
    # Locations inside a phase start with the phase's name: drop it.
    return problems_from_validation_error(error, strip_first=True)


def evaluate_vignette_text(protocol: Protocol, text: bytes, *, name: str, stem: str) -> VignetteResult:
    """Triage one vignette's text. ``name`` says where it came from in messages; ``stem`` is the id
    shown when the text has none that can be read."""
    try:
        parsed = parse_vignette(text)
        assessment = triage(protocol, parsed.case)
    except ProblemsFound as found:
        shown_id, expected = _id_and_key_of_invalid(text, stem)
        message = f"{name}: " + "; ".join(str(p) for p in found.problems)
        return VignetteResult(id=shown_id, name=name, error=message, expected=expected)
    expected = parsed.expected if isinstance(parsed.expected, dict) else None
    return VignetteResult(id=parsed.id, name=name, assessment=assessment, expected=expected)


def _id_and_key_of_invalid(text: bytes, stem: str) -> tuple[str, dict[str, Any] | None]:
    """The id to print and the answer key of a file that was rejected, as far as they can be read."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's limit
        return stem, {"error": True} if _EXPECTS_ERROR.search(text.decode("utf-8", "replace")) else None
    if not isinstance(data, dict):
        return stem, None
    raw_id, expected = data.get("id"), data.get("expected")
    shown_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else stem
    return shown_id, expected if isinstance(expected, dict) else None
