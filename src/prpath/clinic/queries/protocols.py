"""A clinic's protocol: the version its patients are assessed under now, and its history."""

from __future__ import annotations

from dataclasses import dataclass

from prpath.clinic.models import Clinic, ProtocolVersion, SafetyVignette, VersionState
from prpath.clinic.translate import ClinicProtocol, clinic_protocol, parse_document, parsed_protocol, suite_for
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.diff import Change, diff_protocols
from prpath.core.protocol.document import lines_of
from prpath.core.suite.safety import SuiteResult, run_suite
from prpath.files.vignettes import shipped_suite


def protocol_for(clinic: Clinic) -> ClinicProtocol:
    """The clinic's active protocol version, parsed: what every action for its patients is given."""
    version = ProtocolVersion.objects.get(clinic_id=clinic.pk, state=VersionState.ACTIVE)
    return clinic_protocol(version)


@dataclass(frozen=True, slots=True)
class DraftReview:
    """What a draft would change and what the safety suite says of it: what the Protocol page and
    ``prpath protocol diff`` show before anyone activates it."""

    version: ProtocolVersion
    active: ProtocolVersion
    problems: tuple[Problem, ...]  # validation problems, each with its location; empty when valid
    changes: list[Change]  # against the active version
    suite: SuiteResult | None  # None while the draft is not valid


def draft_review(version: ProtocolVersion) -> DraftReview:
    active = ProtocolVersion.objects.get(clinic_id=version.clinic_id, state=VersionState.ACTIVE)
    try:
        protocol = parse_document(version.document)
    except ProblemsFound as found:
        return DraftReview(version, active, found.problems, [], None)
    changes = diff_protocols(parsed_protocol(active), protocol)
    return DraftReview(version, active, (), changes, run_suite(protocol, suite_for(version.clinic)))


@dataclass(frozen=True, slots=True)
class ProblemAt:
    """A validation problem with where it is: the path in the document and, when it can be found, its line."""

    location: str
    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class ProtocolOverview:
    active: ProtocolVersion
    drafts: list[ProtocolVersion]
    earlier: list[ProtocolVersion]  # retired, newest first
    vignettes: list[SafetyVignette]  # the clinic's own, beside the shipped ones
    shipped: int


def protocol_overview(clinic: Clinic) -> ProtocolOverview:
    versions = list(
        ProtocolVersion.objects.filter(clinic=clinic).select_related("created_by", "activated_by").order_by("-number")
    )
    active = next(v for v in versions if v.state == VersionState.ACTIVE)
    return ProtocolOverview(
        active=active,
        drafts=[v for v in versions if v.state == VersionState.DRAFT],
        earlier=[v for v in versions if v.state == VersionState.RETIRED],
        vignettes=list(clinic.safety_vignettes.select_related("added_by")),
        shipped=len(shipped_suite()),
    )


@dataclass(frozen=True, slots=True)
class VersionView:
    """One version as the Protocol page shows it. A draft: its problems (each with its line), what it
    changes against the active version, and the safety suite's findings. An active or retired version:
    what it changed against the version it was started from."""

    version: ProtocolVersion
    active: ProtocolVersion
    problems: list[ProblemAt]
    changes: list[Change]
    compared_with: ProtocolVersion | None
    suite: SuiteResult | None


def version_view(version: ProtocolVersion) -> VersionView:
    if version.state == VersionState.DRAFT:
        review = draft_review(version)
        lines = lines_of(version.document, [p.location for p in review.problems])
        problems = [ProblemAt(p.location, line, p.message) for p, line in zip(review.problems, lines, strict=True)]
        return VersionView(version, review.active, problems, review.changes, review.active, review.suite)
    active = ProtocolVersion.objects.get(clinic_id=version.clinic_id, state=VersionState.ACTIVE)
    before = version.based_on
    changes = diff_protocols(parsed_protocol(before), parsed_protocol(version)) if before is not None else []
    return VersionView(version, active, [], changes, before, None)
