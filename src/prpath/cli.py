"""``prpath``: the one command for everything a person runs.

prpath triage PATH... [--check] [--explain]   evaluate vignette files (FORMAT.md)
prpath protocol validate FILE...              check protocol documents; exit 2 on any problem
prpath protocol show [--yaml]                 a protocol (the built-in one, a file, or a clinic's active one)
prpath protocol versions|add|diff|activate --clinic CLINIC   a clinic's protocol versions
prpath clinic create NAME --phone PHONE ...    set up a clinic (its emergency number and time zone)
prpath clinic list                            the clinics, with their staff
prpath staff add --clinic CLINIC --email ...  give someone a staff account (asks for the password)
prpath demo                                   migrate, then serve the demo on SQLite
prpath serve                                  serve the web app
prpath manage ARGS...                         Django's management commands
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import yaml

from prpath import __version__
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Protocol, describe_days, describe_expression
from prpath.files.protocols import DEFAULT_PROTOCOL_NAME, default_protocol, load_protocol_file

EXIT_OK, EXIT_DISAGREE, EXIT_INVALID = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_INVALID
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        code: int = args.run(args)
    except ImproperlyConfigured as error:  # a bad setting: say which, without a traceback
        print(f"prpath: {error}", file=sys.stderr)
        return EXIT_INVALID
    except DatabaseError as error:  # most often a database not yet set up
        print(f"prpath: the database refused: {error}. Is it migrated? prpath manage migrate", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:  # Ctrl+C on `prpath demo` or `prpath serve`: stop quietly
        print("\nprpath: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `prpath ... | head`: the reader left; say nothing more (Python's documented recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a shell reports a process ended by SIGPIPE
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prpath", description="Care-pathway software for PRP injections.")
    parser.add_argument("--version", action="version", version=f"prpath {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    triage = commands.add_parser(
        "triage", help="evaluate triage vignette files, and note files beside them (one JSON line per file)"
    )
    triage.add_argument("paths", nargs="+", metavar="PATH", help="a vignette or note file, or a folder of *.json files")
    triage.add_argument("--check", action="store_true", help="compare with each file's answer key")
    triage.add_argument("--explain", action="store_true", help="add each finding's rationale and source")
    which = triage.add_mutually_exclusive_group()
    which.add_argument("--protocol", metavar="FILE", help="a protocol document (default: the built-in one)")
    which.add_argument("--clinic", metavar="CLINIC", help="the active protocol of a clinic (name or id)")
    triage.set_defaults(run=_run_triage)

    notes = commands.add_parser("notes", help="read patients' notes (one JSON line per file)")
    notes.add_argument("paths", nargs="+", metavar="PATH", help="a note file or a folder of *.json files")
    notes.add_argument("--check", action="store_true", help="compare with each file's answer key")
    which = notes.add_mutually_exclusive_group()
    which.add_argument("--protocol", metavar="FILE", help="a protocol document (default: the built-in one)")
    which.add_argument("--clinic", metavar="CLINIC", help="the active protocol of a clinic (name or id)")
    notes.set_defaults(run=_run_notes)

    protocol = commands.add_parser("protocol", help="validate or show protocol documents")
    protocol_commands = protocol.add_subparsers(title="protocol commands", metavar="COMMAND", required=True)
    validate = protocol_commands.add_parser("validate", help="check protocol documents; exit 2 on a problem")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(run=_run_protocol_validate)
    show = protocol_commands.add_parser("show", help="print a protocol: its rules in a line each, or all of it")
    show.add_argument("--yaml", action="store_true", help="print the whole document as YAML")
    which = show.add_mutually_exclusive_group()
    which.add_argument("--protocol", metavar="FILE", help="a protocol document (default: the built-in one)")
    which.add_argument("--clinic", metavar="CLINIC", help="the active protocol of a clinic (name or id)")
    show.set_defaults(run=_run_protocol_show)
    from prpath import protocol_cli

    protocol_cli.add_commands(protocol_commands)

    clinic = commands.add_parser("clinic", help="set up and list clinics")
    clinic_commands = clinic.add_subparsers(title="clinic commands", metavar="COMMAND", required=True)
    create = clinic_commands.add_parser("create", help="set up a clinic")
    create.add_argument("name")
    create.add_argument("--phone", required=True, help="the number patients call; shown on every patient page")
    create.add_argument("--emergency-number", default="112", help="what patients dial in an emergency (default 112)")
    create.add_argument("--time-zone", default="UTC", help="decides what 'today' is for its patients (default UTC)")
    create.add_argument("--locale", default="en-GB", help="en-GB or en-US: the protocol's words and dates (en-GB)")
    create.add_argument("--temperature-unit", default="C", choices=["C", "F"], help="°C or °F on its pages (C)")
    create.add_argument("--protocol", metavar="FILE", help="the clinic's first protocol (default: the built-in one)")
    protocol_cli.add_reason_argument(create)
    create.set_defaults(run=_run_clinic_create)
    clinic_commands.add_parser("list", help="the clinics, with their staff").set_defaults(run=_run_clinic_list)

    staff = commands.add_parser("staff", help="staff accounts")
    staff_commands = staff.add_subparsers(title="staff commands", metavar="COMMAND", required=True)
    add = staff_commands.add_parser("add", help="give someone a staff account in a clinic")
    add.add_argument("--clinic", required=True, metavar="CLINIC", help="the clinic's name or id (prpath clinic list)")
    add.add_argument("--email", required=True, help="their login")
    add.add_argument("--given-name", required=True)
    add.add_argument("--family-name", required=True)
    add.add_argument("--role", required=True, choices=["admin", "physician", "nurse", "coordinator"])
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input instead of asking"
    )
    add.set_defaults(run=_run_staff_add)

    for name, help_text in (
        ("demo", "migrate and serve a demo clinic on SQLite"),
        ("serve", "serve the web app"),
    ):
        serve = commands.add_parser(name, help=help_text)
        serve.add_argument("--host", default=os.environ.get("PRPATH_HOST", "127.0.0.1"))
        serve.add_argument("--port", type=_port, default=os.environ.get("PRPATH_PORT", "8000"))  # argparse checks it
        serve.set_defaults(run=_run_demo if name == "demo" else _run_serve)
        if name == "demo":
            serve.add_argument("--reset", action="store_true", help="rebuild the demo clinic (dated from today)")

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(run=_run_manage)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def _load_protocol(args: argparse.Namespace, err: TextIO) -> tuple[Protocol, str] | None:
    """The protocol a command was asked for, with where it came from; None (and a message) if it cannot be read."""
    if getattr(args, "clinic", None):
        from prpath import protocol_cli

        return protocol_cli.active_protocol_of(args.clinic, err)
    source = args.protocol or f"the built-in {DEFAULT_PROTOCOL_NAME}"
    try:
        return (load_protocol_file(args.protocol) if args.protocol else default_protocol()), source
    except ProblemsFound as found:
        for problem in found.problems:
            print(f"{source}: {problem}", file=err)
        return None


def _read_files(args: argparse.Namespace, read: Callable[[Protocol, list[str]], Any], kind: str) -> Any:
    """The protocol the command names and what ``read`` makes of the files named; None, said, when the
    protocol cannot be loaded or no file is there (an empty or mistyped folder is no passing check)."""
    loaded = _load_protocol(args, sys.stderr)
    if loaded is None:
        return None
    protocol, _ = loaded
    results = list(read(protocol, args.paths))
    if not results:
        print(f"no {kind} files (*.json) found in {', '.join(args.paths)}", file=sys.stderr)
        return None
    return protocol, results


def _run_triage(args: argparse.Namespace) -> int:
    from prpath.core.suite.safety import check_suite
    from prpath.files.vignettes import evaluate_vignettes

    read = _read_files(args, evaluate_vignettes, "vignette")
    if read is None:
        return EXIT_INVALID
    protocol, results = read
    if not args.check:
        for result in results:
            print(json.dumps(result.as_line(explain=args.explain), ensure_ascii=False))
        return EXIT_INVALID if any(r.error for r in results) else EXIT_OK
    report = check_suite(protocol, results)
    for line in report.bad_keys + report.disagreements:
        print(line)
    print(f"protocol: {protocol.label}")
    for line in report.summary_lines():
        print(line)
    if not report.all_agree:
        return EXIT_DISAGREE
    if report.checked == 0:
        print("no vignette has an answer key (expected): nothing was checked", file=sys.stderr)
        return EXIT_INVALID
    unexpected_errors = any(r.error and r.expected is None for r in results)
    return EXIT_INVALID if unexpected_errors else EXIT_OK


def _run_notes(args: argparse.Namespace) -> int:
    from prpath.core.suite.notes import check_notes
    from prpath.files.notes import read_note_files

    read = _read_files(args, read_note_files, "note")
    if read is None:
        return EXIT_INVALID
    protocol, results = read
    invalid = any(r.error for r in results)
    if not args.check:
        for result in results:
            print(json.dumps(result.as_line(), ensure_ascii=False))
        return EXIT_INVALID if invalid else EXIT_OK
    check = check_notes(results)
    for line in check.disagreements:
        print(line)
    for result in results:
        if result.error:
            print(f"INVALID {result.id}: {result.error}")
    print(f"protocol: {protocol.label}")
    for line in check.summary_lines():
        print(line)
    if not check.all_agree:
        return EXIT_DISAGREE
    if check.checked == 0:
        print("no note has an answer key (expected): nothing was checked", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_INVALID if invalid else EXIT_OK


def _run_protocol_validate(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for name in args.files:
        try:
            protocol = load_protocol_file(name)
        except ProblemsFound as found:
            status = EXIT_INVALID
            for problem in found.problems:
                print(f"{name}: {problem}")
            continue
        print(
            f"{name}: valid ({protocol.label}; {len(protocol.screening_rules)} screening rules, "
            f"{len(protocol.recovery_rules)} recovery rules)"
        )
    return status


def _run_protocol_show(args: argparse.Namespace) -> int:
    loaded = _load_protocol(args, sys.stderr)
    if loaded is None:
        return EXIT_INVALID
    protocol, source = loaded
    if args.yaml:
        print(f"# {protocol.label} (from {source})")
        document = protocol.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
        print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110), end="")
        return EXIT_OK
    print(f"{protocol.name}, version {protocol.version} (from {source})")
    if protocol.description:
        print(protocol.description)
    print("\nSigns (named conditions the rules share):")
    for name, expression in protocol.signs.items():
        print(f"  [{name}] = {describe_expression(expression)}")
    for title, rules in (("Screening rules", protocol.screening_rules), ("Recovery rules", protocol.recovery_rules)):
        print(f"\n{title}:")
        for rule in rules:
            outcome = rule.disposition.value + (f" / {rule.candidacy.value}" if rule.candidacy else "")
            when = describe_expression(rule.when)
            if rule.window is not None:
                when = f"{describe_days(rule.window)}: {when}"
            print(f"  {rule.id:<36} {outcome:<24} {rule.title}")
            print(f"  {'':<36} when {when}")
    print(
        f"\n{len(protocol.symptoms)} symptoms, {len(protocol.screening_factors)} screening factors, "
        f"{len(protocol.conditions)} conditions, {len(protocol.targets)} targets, "
        f"{len(protocol.recovery_plan.stages)} recovery-plan stages. `prpath protocol show --yaml` prints it all."
    )
    return EXIT_OK


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prpath.project.settings")
    import django

    django.setup()


def _report(found: ProblemsFound) -> int:
    for problem in found.problems:
        print(f"prpath: {problem.location}: {problem.message}", file=sys.stderr)
    return EXIT_INVALID


def _run_clinic_create(args: argparse.Namespace) -> int:
    _django_setup()
    from django.utils import timezone

    from prpath import protocol_cli
    from prpath.audit.actors import Actor
    from prpath.clinic.actions.clinics import do_create_clinic
    from prpath.files.protocols import read_protocol_file_text

    try:
        text = read_protocol_file_text(args.protocol) if args.protocol else None
        reasons = protocol_cli.parse_reasons(args.reason)
        clinic = do_create_clinic(
            Actor.system("cli"),
            name=args.name,
            phone=args.phone,
            emergency_number=args.emergency_number,
            time_zone=args.time_zone,
            locale=args.locale,
            temperature_unit=args.temperature_unit,
            protocol_text=text,
            protocol_reasons=reasons,
            now=timezone.now(),
        )
    except ProblemsFound as found:
        return _report(found)
    print(f"clinic {clinic.name} created: id {clinic.uuid}")
    print(f"next: prpath staff add --clinic {clinic.uuid} --role admin --email ... --given-name ... --family-name ...")
    return EXIT_OK


def _run_clinic_list(args: argparse.Namespace) -> int:
    _django_setup()
    from prpath.clinic.models import Clinic, VersionState

    clinics = Clinic.objects.prefetch_related("staff__user", "protocol_versions").order_by("name")
    for clinic in clinics:
        active = next((v for v in clinic.protocol_versions.all() if v.state == VersionState.ACTIVE), None)
        print(
            f"{clinic.uuid}  {clinic.name}  (phone {clinic.phone}, emergency {clinic.emergency_number}, "
            f"{clinic.time_zone}; protocol {active.label if active else 'none'})"
        )
        for member in clinic.staff.all():
            print(f"    {member.get_role_display():<12} {member.email}")
    if not clinics:
        print("no clinics yet: prpath clinic create NAME --phone PHONE", file=sys.stderr)
    return EXIT_OK


def _run_staff_add(args: argparse.Namespace) -> int:
    import getpass

    _django_setup()
    from django.utils import timezone

    from prpath import protocol_cli
    from prpath.audit.actors import Actor
    from prpath.clinic.actions.staff import NewStaff, do_add_staff
    from prpath.clinic.models import Role
    from prpath.core.problems import Problem

    try:
        clinic = protocol_cli.find_clinic(args.clinic)
    except ProblemsFound as found:
        return _report(found)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.email}: ")
        if getpass.getpass("The same password again: ") != password:
            return _report(ProblemsFound([Problem("password", "the two passwords are not the same")]))
    try:
        member = do_add_staff(
            Actor.system("cli"),
            clinic,
            NewStaff(email=args.email, given_name=args.given_name, family_name=args.family_name, role=Role(args.role)),
            password=password,
            now=timezone.now(),
        )
    except ProblemsFound as found:
        return _report(found)
    print(
        f"{member.email} is {member.get_role_display().lower()} at {clinic.name}: they sign in "
        "with their email and this password"
    )
    return EXIT_OK


def _run_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prpath.project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["prpath manage", *args.arguments])
    return EXIT_OK


def _run_serve(args: argparse.Namespace) -> int:
    _django_setup()
    from prpath.project.serve import serve

    serve(host=args.host, port=args.port)
    return EXIT_OK


def _run_demo(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from prpath.clinic.demo import DEMO_CLINIC, load_demo_clinic, reset_demo_clinic
    from prpath.project.serve import serve

    call_command("migrate", interactive=False, verbosity=0)
    where = settings.DATA_DIR if connection.vendor == "sqlite" else connection.settings_dict["NAME"]
    print(f"prpath demo: {connection.vendor} database migrated ({where})")
    if args.reset:
        try:
            reset_demo_clinic()
        except ProblemsFound as found:
            return _report(found)
    print(f"prpath demo: loading {DEMO_CLINIC} (30 synthetic patients; kept between runs, --reset rebuilds it)")
    sys.stdout.flush()
    logins = load_demo_clinic()
    url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}/"  # noqa: S104
    print(f"prpath demo: open {url}  (Ctrl+C stops it)")
    print("prpath demo: sign in as")
    width = max(len(login.role) for login in logins)
    for login in logins:
        print(f"  {login.role:<{width}}  {login.email}  password: {login.password}")
    print("prpath demo: try `.venv/bin/prpath triage ../shared/vignettes/public --check` in another terminal")
    sys.stdout.flush()
    serve(host=args.host, port=args.port)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
