"""Reading vignette files and writing their results, exactly as FORMAT.md describes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prpath.problems import Problem, ProblemsFound, problems_from_validation_error
from prpath.protocol.schema import Protocol
from prpath.triage import Assessment, Case, triage


# The answer key of a file that is not valid JSON can still be read from its text.
_EXPECTS_ERROR = re.compile(r'"expected"\s*:\s*\{\s*"error"\s*:\s*true\b')


@dataclass(frozen=True, slots=True)
class VignetteResult:
    id: str
    path: Path
    assessment: Assessment | None = None
    error: str | None = None
    expected: dict[str, Any] | None = None

    def as_line(self, *, explain: bool = False) -> dict[str, Any]:
        if self.assessment is None:
            return {"id": self.id, "error": self.error}
        return assessment_as_dict(self.id, self.assessment, explain=explain)


def assessment_as_dict(vignette_id: str, assessment: Assessment, *, explain: bool = False) -> dict[str, Any]:
    findings = []
    for finding in assessment.findings:
        item: dict[str, Any] = {"rule": finding.rule, "disposition": finding.disposition.value}
        if finding.candidacy is not None:
            item["candidacy"] = finding.candidacy.value
        item["reason"] = finding.reason
        if explain:
            item["rationale"] = finding.rationale
            item["source"] = finding.source
        findings.append(item)
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


def collect_vignette_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[VignetteResult]]:
    """Files named, and the *.json files in folders named, in file-name order; plus an error result for
    each path that does not exist."""
    files: list[Path] = []
    missing: list[VignetteResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(p for p in path.glob("*.json") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            missing.append(VignetteResult(id=path.stem, path=path, error=f"{path}: no such file or folder"))
    files = sorted(dict.fromkeys(files), key=lambda p: (p.name, str(p)))
    return files, missing


def parse_vignette(data: Any) -> tuple[str | None, Case]:
    """The id and the case of a decoded vignette; raises ProblemsFound naming every problem found."""
    if not isinstance(data, dict):
        raise ProblemsFound([Problem("", "a vignette must be a JSON object")])
    problems: list[Problem] = []
    vignette_id = data.get("id")
    if "id" not in data:
        problems.append(Problem("id", "is required"))
    elif not isinstance(vignette_id, str) or not vignette_id.strip():
        problems.append(Problem("id", "must be non-empty text"))
        vignette_id = None
    fields = {key: data[key] for key in ("phase", "patient") if key in data}
    if data.get("phase") == "recovery":
        # A screening file's procedure and check-ins are ignored, even when they would not be valid.
        fields.update({key: data[key] for key in ("procedure", "checkins") if key in data})
    try:
        case = Case.model_validate(fields)
    except ValidationError as error:
        raise ProblemsFound(problems + problems_from_validation_error(error)) from None
    if problems:
        raise ProblemsFound(problems)
    return vignette_id, case


def evaluate_vignette_file(protocol: Protocol, path: Path) -> VignetteResult:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return VignetteResult(id=path.stem, path=path, error=f"{path.name}: cannot be read: {error}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return VignetteResult(
            id=path.stem,
            path=path,
            error=f"{path.name}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            expected={"error": True} if _EXPECTS_ERROR.search(text) else None,
        )
    expected = data.get("expected") if isinstance(data, dict) else None
    expected = expected if isinstance(expected, dict) else None
    raw_id = data.get("id") if isinstance(data, dict) else None
    shown_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else path.stem
    try:
        vignette_id, case = parse_vignette(data)
        assessment = triage(protocol, case)
    except ProblemsFound as found:
        error = f"{path.name}: " + "; ".join(str(p) for p in found.problems)
        return VignetteResult(id=shown_id, path=path, error=error, expected=expected)
    return VignetteResult(id=vignette_id or shown_id, path=path, assessment=assessment, expected=expected)


def evaluate_vignettes(protocol: Protocol, paths: Iterable[str | Path]) -> Iterator[VignetteResult]:
    files, missing = collect_vignette_paths(paths)
    yield from missing
    for path in files:
        yield evaluate_vignette_file(protocol, path)
