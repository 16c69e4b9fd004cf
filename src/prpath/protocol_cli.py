"""``prpath protocol versions|add|diff|activate --clinic CLINIC``: a clinic's protocol versions from the
command line, through the same actions as the Protocol page (and the same safety suite)."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from typing import Any, TextIO

from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Protocol

EXIT_OK, EXIT_DISAGREE, EXIT_INVALID = 0, 1, 2


def add_commands(commands: Any) -> None:
    def clinic_command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        parser.add_argument("--clinic", required=True, metavar="CLINIC", help="the clinic's name or id")
        return parser

    versions = clinic_command("versions", "a clinic's protocol versions, newest first")
    versions.set_defaults(run=_run_versions)

    add = clinic_command("add", "save a protocol document as a new draft of the clinic's protocol")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--by", required=True, metavar="EMAIL", help="the clinic admin doing it (kept with the version)")
    add.set_defaults(run=_run_add)

    diff = clinic_command("diff", "what a draft changes against the active version, and what the safety suite says")
    diff.add_argument("number", nargs="?", type=int, help="the draft's number (default: the newest draft)")
    diff.set_defaults(run=_run_diff)

    activate = clinic_command("activate", "make a draft the active version (only if no emergency is missed)")
    activate.add_argument("number", type=int, help="the draft's number")
    add_reason_argument(activate)
    activate.add_argument(
        "--by", required=True, metavar="EMAIL", help="the clinic admin doing it (kept with the version)"
    )
    activate.set_defaults(run=_run_activate)


def _setup() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prpath.project.settings")
    django.setup()


def _report(found: ProblemsFound, err: TextIO | None = None) -> int:
    for problem in found.problems:
        line = f"prpath: {problem.location}: {problem.message}" if problem.location else f"prpath: {problem}"
        print(line, file=err or sys.stderr)
    return EXIT_INVALID


def add_reason_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reason",
        action="append",
        default=[],
        metavar="VIGNETTE=WHY",
        help="why the clinic accepts a disagreement with that vignette's answer key (once per vignette)",
    )


def parse_reasons(given: list[str]) -> dict[str, str]:
    """``--reason VIGNETTE=WHY`` arguments as {vignette: why}; ProblemsFound for one not written so."""
    reasons: dict[str, str] = {}
    for each in given:
        key, sep, why = each.partition("=")
        if not sep or not key.strip() or not why.strip():
            raise ProblemsFound([Problem("reason", f"write it as VIGNETTE=WHY (got {each!r})")])
        reasons[key.strip()] = why.strip()
    return reasons


def _reports_problems(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command that sets Django up, and reports what stops it (no such clinic, admin or draft, a refused
    action) as problems with exit status 2."""

    @functools.wraps(run)
    def command(args: argparse.Namespace) -> int:
        _setup()
        try:
            return run(args)
        except ProblemsFound as found:
            return _report(found)

    return command


def find_clinic(name_or_id: str) -> Any:
    """The clinic a command names; ProblemsFound saying why none is."""
    from django.core.exceptions import ValidationError

    from prpath.clinic.models import Clinic

    try:
        return Clinic.objects.get(uuid=name_or_id)
    except (Clinic.DoesNotExist, ValidationError):
        matches = list(Clinic.objects.filter(name=name_or_id)[:2])
    if len(matches) != 1:
        why = "no clinic has that name or id" if not matches else "two clinics have that name: give its id"
        raise ProblemsFound([Problem("clinic", f"{why} (prpath clinic list)")])
    return matches[0]


def active_protocol_of(name_or_id: str, err: TextIO) -> tuple[Protocol, str] | None:
    _setup()
    from prpath.clinic.queries.protocols import protocol_for

    try:
        clinic = find_clinic(name_or_id)
    except ProblemsFound as found:
        _report(found, err)
        return None
    active = protocol_for(clinic)
    return active.protocol, f"{clinic.name}, protocol {active.version.label}"


def _actor(clinic: Any, by: str) -> Any:
    from prpath.accounts.models import normal_email
    from prpath.audit.actors import Actor
    from prpath.clinic.models import Role, StaffMember

    member = StaffMember.objects.select_related("user").filter(
        clinic=clinic, user__email=normal_email(by), role=Role.ADMIN, is_active=True, user__is_active=True
    )
    found = member.first()
    if found is None:
        raise ProblemsFound([Problem("by", f"{by} is not an active admin of {clinic.name}")])
    return Actor.staff(found.user)


@_reports_problems
def _run_versions(args: argparse.Namespace) -> int:
    clinic = find_clinic(args.clinic)
    for version in clinic.protocol_versions.select_related("created_by", "activated_by").order_by("-number"):
        made = f"added {version.created_at:%Y-%m-%d %H:%M}" + (
            f" by {version.created_by.email}" if version.created_by else ""
        )
        active = (
            f"; active from {version.activated_at:%Y-%m-%d %H:%M}"
            + (f" by {version.activated_by.email}" if version.activated_by else "")
            if version.activated_at
            else ""
        )
        retired = f"; retired {version.retired_at:%Y-%m-%d %H:%M}" if version.retired_at else ""
        label = f"{version.name} {version.version_label}" if version.name else "(not valid yet)"
        hashed = f"sha256 {version.content_hash[:12]}"
        print(f"#{version.number:<4} {version.state:<8} {label}  {hashed}  {made}{active}{retired}")
    return EXIT_OK


@_reports_problems
def _run_add(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from prpath.clinic.actions.protocols import do_save_protocol_draft
    from prpath.files.protocols import read_protocol_file_text

    clinic = find_clinic(args.clinic)
    actor = _actor(clinic, args.by)
    saved = do_save_protocol_draft(actor, clinic, document=read_protocol_file_text(args.file), now=timezone.now())
    print(f"saved as draft #{saved.version.number} of {clinic.name}'s protocol")
    if saved.problems:
        print("it cannot be activated until these are fixed:", file=sys.stderr)
        for problem in saved.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID
    print(f"next: prpath protocol diff --clinic {clinic.uuid} {saved.version.number}")
    return EXIT_OK


def _draft(clinic: Any, number: int | None) -> Any:
    from prpath.clinic.models import VersionState

    drafts = clinic.protocol_versions.filter(state=VersionState.DRAFT)
    version = drafts.filter(number=number).first() if number is not None else drafts.order_by("-number").first()
    if version is None:
        if number is None:
            raise ProblemsFound([Problem("number", f"{clinic.name} has no draft: prpath protocol add FILE first")])
        raise ProblemsFound([Problem("number", f"#{number} is not a draft of {clinic.name}'s protocol")])
    return version


@_reports_problems
def _run_diff(args: argparse.Namespace) -> int:
    from prpath.clinic.queries.protocols import draft_review

    version = _draft(find_clinic(args.clinic), args.number)
    review = draft_review(version)
    if review.problems:
        print(f"draft #{version.number} is not valid yet:")
        for problem in review.problems:
            print(f"  {problem}")
        return EXIT_INVALID
    print(f"draft #{version.number} against the active version #{review.active.number}:")
    for sentence in [c.sentence for c in review.changes] or ["no change"]:
        print(f"  {sentence}")
    assert review.suite is not None
    print("safety suite:")
    for line in review.suite.summary_lines():
        print(f"  {line}")
    for d in review.suite.missed_emergencies:
        print(f"  MISSED EMERGENCY {d.source}: {d.line}")
    for d in review.suite.to_accept:
        print(f"  needs a reason: {d.source}: {d.line}")
    if review.suite.missed_emergencies:
        print("it cannot be activated: it misses an emergency")
        return EXIT_DISAGREE
    return EXIT_OK


@_reports_problems
def _run_activate(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from prpath.clinic.actions.protocols import do_activate_protocol

    clinic = find_clinic(args.clinic)
    actor = _actor(clinic, args.by)
    version = _draft(clinic, args.number)
    active = do_activate_protocol(actor, version, reasons=parse_reasons(args.reason), now=timezone.now())
    print(f"#{active.number} is now {clinic.name}'s active protocol ({active.label}); the one before is retired")
    return EXIT_OK
