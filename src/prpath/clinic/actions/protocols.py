"""A clinic's protocol versions: drafts saved as written, activated only through the safety suite.

A draft holds the document exactly as the clinic wrote it, valid or not (the Protocol page names every
problem with its location). Activation parses it, runs the safety suite (the vignettes shipped with
prpath and those the clinic added) and refuses while any emergency is missed; every other disagreement
with an answer key needs a reason, and the reasons are kept on the version and in the audit trail. The
version that was active is retired, never changed or removed: what it told patients stays derivable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from prpath.audit.actors import Actor
from prpath.audit.models import AuditAction
from prpath.clinic.actions.base import audit, problems
from prpath.clinic.models import Clinic, ProtocolVersion, SafetyVignette, VersionState
from prpath.clinic.translate import parse_document, suite_for
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.document import content_hash
from prpath.core.protocol.schema import Protocol
from prpath.core.suite.notes import looks_like_note, parse_note_file
from prpath.core.suite.safety import SuiteResult, run_suite
from prpath.core.suite.vignettes import parse_vignette

DOCUMENT_LIMIT = 1_000_000  # characters; the default protocol is about 60,000
VIGNETTE_LIMIT = 200_000  # bytes


@dataclass(frozen=True, slots=True)
class DraftSaved:
    version: ProtocolVersion
    problems: tuple[Problem, ...]  # what stands in the way of activating it; empty when it is valid


def first_version(
    actor: Actor, clinic: Clinic, document: str, *, reasons: Mapping[str, str], now: dt.datetime
) -> ProtocolVersion:
    """A new clinic's protocol, active at once (called inside ``do_create_clinic``'s transaction). It passes
    the safety suite as any activation does: no missed emergency, and a reason for each other disagreement."""
    try:
        protocol = parse_document(document)
    except ProblemsFound as found:
        raise ProblemsFound(
            [Problem(f"protocol.{p.location}".rstrip("."), p.message) for p in found.problems]
        ) from None
    result, accepted = _suite_allows(protocol, clinic, reasons)
    version = ProtocolVersion.objects.create(
        clinic=clinic,
        number=1,
        document=document,
        content_hash=content_hash(document),
        name=protocol.name,
        version_label=protocol.version,
        state=VersionState.ACTIVE,
        created_by=actor.user,
        created_at=now,
        updated_at=now,
        activated_by=actor.user,
        activated_at=now,
        activation_reasons=accepted,
        suite_summary=result.summary_lines(),
    )
    detail = {"number": 1, "hash": version.content_hash, "reasons": accepted, "suite": result.summary_lines()}
    audit(actor, AuditAction.PROTOCOL_ACTIVATE, clinic, now=now, object_uuid=version.uuid, detail=detail)
    return version


def _suite_allows(protocol: Protocol, clinic: Clinic, reasons: Mapping[str, str]) -> tuple[SuiteResult, dict[str, str]]:
    """The safety suite's result for ``protocol`` at ``clinic`` and the reasons it accepted; ProblemsFound
    while any emergency is missed or any other disagreement has no reason."""
    result = run_suite(protocol, suite_for(clinic))
    missed = result.missed_emergencies
    if missed:
        raise ProblemsFound(
            [Problem("suite", f"misses an emergency: {d.line} ({d.source}); it cannot be activated") for d in missed]
        )
    missing = result.reasons_missing(reasons)
    if missing:
        raise ProblemsFound(
            [Problem(f"reason:{d.source}", f"give the reason the clinic accepts this: {d.line}") for d in missing]
        )
    return result, {d.source: reasons[d.source].strip() for d in result.to_accept}


def _check_document(document: str) -> None:
    if not document.strip():
        raise problems(("document", "is required: paste or upload the protocol document (YAML)"))
    if len(document) > DOCUMENT_LIMIT:
        raise problems(("document", f"is longer than {DOCUMENT_LIMIT:,} characters"))
    if "\x00" in document:
        raise problems(("document", "holds a NUL character: it is not a text document"))


@transaction.atomic(durable=True)
def do_save_protocol_draft(
    actor: Actor,
    clinic: Clinic,
    *,
    document: str,
    draft: ProtocolVersion | None = None,
    now: dt.datetime,
) -> DraftSaved:
    """Save a new draft (started from the active version), or the edited text of ``draft``. A draft that
    is not valid is saved too, with its problems returned: the admin fixes them in the next edit."""
    _check_document(document)
    Clinic.objects.select_for_update().get(pk=clinic.pk)
    protocol: Protocol | None
    found: tuple[Problem, ...]
    try:
        protocol, found = parse_document(document), ()
    except ProblemsFound as refused:
        protocol, found = None, refused.problems
    if draft is not None:
        draft = ProtocolVersion.objects.select_for_update().get(pk=draft.pk)
        if draft.clinic_id != clinic.pk:
            raise problems(("version", f"Version #{draft.number} is not a protocol version of this clinic."))
        if draft.state != VersionState.DRAFT:
            raise problems(
                ("version", f"Version #{draft.number} is {draft.state}: only a draft can be edited; start a new draft.")
            )
    else:
        active = ProtocolVersion.objects.get(clinic=clinic, state=VersionState.ACTIVE)
        number = (ProtocolVersion.objects.filter(clinic=clinic).aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ProtocolVersion(clinic=clinic, number=number, based_on=active, created_by=actor.user, created_at=now)
    draft.document = document
    draft.content_hash = content_hash(document)
    draft.name = protocol.name if protocol is not None else ""
    draft.version_label = protocol.version if protocol is not None else ""
    draft.updated_at = now
    draft.save()
    audit(
        actor,
        AuditAction.PROTOCOL_DRAFT,
        clinic,
        now=now,
        object_uuid=draft.uuid,
        detail={"number": draft.number, "hash": draft.content_hash, "problems": len(found)},
    )
    return DraftSaved(draft, found)


@transaction.atomic(durable=True)
def do_activate_protocol(
    actor: Actor, version: ProtocolVersion, *, reasons: Mapping[str, str], now: dt.datetime
) -> ProtocolVersion:
    """Make a valid draft the clinic's active version, if the safety suite allows it.

    ``reasons`` holds, for each vignette that disagrees with its answer key (by its suite key), why the
    clinic accepts that. Refused, with nothing changed, while any emergency is missed or any reason is
    missing. The suite is run here, on the text being activated: what a page showed earlier is not trusted.
    """
    clinic = Clinic.objects.select_for_update().get(pk=version.clinic_id)
    version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.DRAFT:
        raise problems(("version", f"Version #{version.number} is {version.state}: only a draft can be activated."))
    try:
        protocol = parse_document(version.document)
    except ProblemsFound as found:
        raise ProblemsFound(
            [Problem(f"document: {p.location}".rstrip(": "), p.message) for p in found.problems]
        ) from None
    result, accepted = _suite_allows(protocol, clinic, reasons)
    previous = ProtocolVersion.objects.select_for_update().get(clinic=clinic, state=VersionState.ACTIVE)
    previous.state = VersionState.RETIRED
    previous.retired_at = now
    previous.save(update_fields=["state", "retired_at"])
    version.state = VersionState.ACTIVE
    version.activated_by = actor.user
    version.activated_at = now
    version.activation_reasons = accepted
    version.suite_summary = result.summary_lines()
    version.updated_at = now
    version.save()
    audit(
        actor,
        AuditAction.PROTOCOL_ACTIVATE,
        clinic,
        now=now,
        object_uuid=version.uuid,
        detail={
            "number": version.number,
            "hash": version.content_hash,
            "previous": previous.number,
            "reasons": accepted,
            "suite": result.summary_lines(),
        },
    )
    return version


@dataclass(frozen=True, slots=True)
class VignetteFile:
    name: str  # the file's name as uploaded
    text: bytes  # its bytes (a caller may stop reading past VIGNETTE_LIMIT: it is refused either way)


NAME_LIMIT = 200  # characters of a vignette's file name


@transaction.atomic(durable=True)
def do_add_safety_vignettes(
    actor: Actor, clinic: Clinic, files: Sequence[VignetteFile], *, now: dt.datetime
) -> list[SafetyVignette]:
    """Vignette files the clinic's drafts must pass from now on, each with an answer key. All or none: a
    file that is refused (with every problem, file by file) keeps the others out too."""
    Clinic.objects.select_for_update().get(pk=clinic.pk)
    taken = set(clinic.safety_vignettes.values_list("name", flat=True))
    checked: list[tuple[str, str, str]] = []
    found: list[Problem] = []
    if not files:
        found.append(Problem("vignettes", "choose one or more vignette files (JSON) to add"))
    for file in files:
        try:
            name, decoded, vignette_id = _check_vignette(file)
        except ProblemsFound as refused:
            found.extend(refused.problems)
            continue
        if name in taken:
            found.append(Problem("vignettes", f"{name}: the suite already has a vignette of this name; remove it"))
            continue
        taken.add(name)
        checked.append((name, decoded, vignette_id))
    if found:
        raise ProblemsFound(found)
    added = []
    for name, decoded, vignette_id in checked:
        vignette = SafetyVignette.objects.create(
            clinic=clinic, name=name, text=decoded, added_by=actor.user, added_at=now
        )
        audit(
            actor,
            AuditAction.PROTOCOL_VIGNETTE_ADD,
            clinic,
            now=now,
            object_uuid=vignette.uuid,
            detail={"name": name, "id": vignette_id, "hash": content_hash(decoded)},
        )
        added.append(vignette)
    return added


def _check_vignette(file: VignetteFile) -> tuple[str, str, str]:
    """The file's name, its text and the vignette's id; ProblemsFound naming the file otherwise."""
    name = file.name.strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not name:
        raise problems(("vignettes", "a file needs a name"))
    if len(name) > NAME_LIMIT or "\x00" in name:
        raise problems(("vignettes", f"{name[:40]}...: a file name has at most {NAME_LIMIT} characters of text"))
    if len(file.text) > VIGNETTE_LIMIT:
        raise problems(("vignettes", f"{name}: is larger than {VIGNETTE_LIMIT // 1000} kB"))
    try:
        decoded = file.text.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise problems(("vignettes", f"{name}: is not UTF-8 text")) from None
    if "\x00" in decoded or "\\u0000" in decoded.lower():
        raise problems(("vignettes", f"{name}: holds a NUL character: it is not a vignette"))
    if looks_like_note(decoded):  # a patient's words and what they report (notes/FORMAT.md)
        try:
            note = parse_note_file(decoded, stem=name.removesuffix(".json"))
        except ProblemsFound as found:
            raise ProblemsFound([Problem("vignettes", f"{name}: {p}") for p in found.problems]) from None
        if note.expected is None:
            raise problems(("vignettes", f"{name}: has no answer key (expected.reports): the suite could not check it"))
        return name, decoded, note.id
    try:
        parsed = parse_vignette(decoded)
    except ProblemsFound as found:
        raise ProblemsFound([Problem("vignettes", f"{name}: {p}") for p in found.problems]) from None
    if not isinstance(parsed.expected, dict):
        raise problems(("vignettes", f"{name}: has no answer key (expected): the suite could not check it"))
    return name, decoded, parsed.id


@transaction.atomic(durable=True)
def do_remove_safety_vignette(actor: Actor, vignette: SafetyVignette, *, now: dt.datetime) -> None:
    vignette = SafetyVignette.objects.select_for_update().select_related("clinic").get(pk=vignette.pk)
    audit(
        actor,
        AuditAction.PROTOCOL_VIGNETTE_REMOVE,
        vignette.clinic,
        now=now,
        object_uuid=vignette.uuid,
        detail={"name": vignette.name, "hash": content_hash(vignette.text), "text": vignette.text},
    )
    vignette.delete()
