"""A clinic's protocol versions: the first one, drafts, what a draft changes, the safety suite that stands
between a draft and the clinic's patients, and what a stored assessment keeps of the version it was made with."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.checkins import CheckInReport, do_record_checkin
from prpath.clinic.actions.protocols import (
    VignetteFile,
    do_activate_protocol,
    do_add_safety_vignettes,
    do_remove_safety_vignette,
    do_save_protocol_draft,
)
from prpath.clinic.guards import KEPT_COLUMNS
from prpath.clinic.models import CheckInVersion, Clinic, ProtocolVersion, VersionState
from prpath.clinic.queries.assessments import rederive_checkin, rederive_screening
from prpath.clinic.queries.protocols import draft_review, protocol_for
from prpath.clinic.translate import ProtocolMismatch
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.diff import Topic
from prpath.core.protocol.document import content_hash
from prpath.files.protocols import default_protocol_text
from tests.personas import World, check_in, create_clinic, injected_patient, patient_actor, protocol_of, staff

DEFAULT: dict[str, Any] = yaml.safe_load(default_protocol_text())


def document(change: Any = None, *, version: str = "riverside-2") -> str:
    data = copy.deepcopy(DEFAULT)
    data["version"] = version
    if change is not None:
        change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["recovery_rules"] if r["id"] == rule_id)


def fever_rule_at_38_5(data: dict[str, Any]) -> None:
    # The urgent fever rule alone asks for 38.5 °C; fever with new nerve signs stays an emergency at 38.0.
    rule(data, "recovery.fever")["when"] = {
        "any": [{"temperature": {"at_least": 38.5}}, {"symptom": {"codes": ["fever", "chills"]}}]
    }


def fever_sign_at_38_5(data: dict[str, Any]) -> None:
    # Every rule that uses the fever sign: fever with new nerve signs at 38.2 is then no emergency.
    data["signs"]["fever"]["any"][0]["temperature"]["at_least"] = 38.5


def draft(world: World, text: str, clinic: Clinic | None = None) -> ProtocolVersion:
    return do_save_protocol_draft(staff(world.admin), clinic or world.clinic, document=text, now=timezone.now()).version


def activations(clinic: Clinic) -> int:
    return AuditEvent.objects.filter(clinic=clinic, action=AuditAction.PROTOCOL_ACTIVATE).count()


def test_a_new_clinic_starts_on_the_built_in_protocol(world: World) -> None:
    [first] = ProtocolVersion.objects.filter(clinic=world.clinic)

    assert (first.number, first.state, first.document) == (1, VersionState.ACTIVE, default_protocol_text())
    assert first.content_hash == content_hash(default_protocol_text())
    assert (first.name, first.version_label) == (DEFAULT["name"], DEFAULT["version"])
    assert protocol_for(world.clinic).version == first


def test_a_draft_is_saved_as_written_even_when_it_is_not_valid(world: World) -> None:
    text = "name: Clinic\nversion: '1'\n"

    saved = do_save_protocol_draft(staff(world.admin), world.clinic, document=text, now=timezone.now())

    assert saved.version.document == text
    assert saved.version.state == VersionState.DRAFT
    assert "dispositions: is required" in [str(p) for p in saved.problems]
    assert protocol_for(world.clinic).version.number == 1  # nothing reaches patients
    review = draft_review(saved.version)
    assert review.suite is None
    assert "dispositions: is required" in [str(p) for p in review.problems]


def test_a_higher_fever_threshold_is_named_listed_and_activated_only_with_reasons(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    before = check_in(patient, days_after=3, temperature_c="38.2")
    assert before.disposition == "urgent"
    version = draft(world, document(fever_rule_at_38_5))

    review = draft_review(version)
    [change] = [c for c in review.changes if c.section == "Recovery rules"]
    assert change.item.startswith("recovery.fever ")
    assert change.topic == Topic.RULE
    assert change.after == "temperature >= 38.5 °C or fever|chills"
    assert review.suite is not None
    assert not review.suite.missed_emergencies
    disagreeing = {d.source for d in review.suite.to_accept}
    assert {"shipped/own-r01.json", "shipped/review/r-temp-38.0.json"} <= disagreeing

    with pytest.raises(ProblemsFound) as refused:
        do_activate_protocol(staff(world.admin), version, reasons={}, now=timezone.now())
    assert {p.location for p in refused.value.problems} == {f"reason:{key}" for key in disagreeing}
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert activations(world.clinic) == 1  # only the clinic's first version

    reasons = dict.fromkeys(disagreeing, "Our physicians call from 38.5 °C, after review of our own audit.")
    do_activate_protocol(staff(world.admin), version, reasons=reasons, now=timezone.now())

    version.refresh_from_db()
    assert (version.state, version.activation_reasons) == (VersionState.ACTIVE, reasons)
    assert ProtocolVersion.objects.get(clinic=world.clinic, number=1).state == VersionState.RETIRED
    event = AuditEvent.objects.filter(clinic=world.clinic, action=AuditAction.PROTOCOL_ACTIVATE).latest("pk")
    assert (event.actor, event.detail["number"], event.detail["reasons"]) == (world.admin, version.number, reasons)

    # What the patient was told before the change keeps its version and its words, and comes out the same again.
    before.refresh_from_db()
    [told] = CheckInVersion.objects.filter(checkin=before)
    assert told.protocol.number == 1
    assert "38.2" in told.findings[0].reason
    again = rederive_checkin(told)
    assert again.same
    # Under the new version, the same report is now expected.
    after = check_in(patient, days_after=4, temperature_c="38.2")
    assert (after.disposition, after.protocol.number) == ("self_care", version.number)


def test_a_draft_that_misses_an_emergency_cannot_be_activated_whatever_the_reasons(world: World) -> None:
    version = draft(world, document(fever_sign_at_38_5))
    review = draft_review(version)
    assert review.suite is not None
    missed = {d.source for d in review.suite.missed_emergencies}
    assert "shipped/review/r-fever-new-tingling.json" in missed
    everything = {d.source: "We accept it." for d in review.suite.disagreements}

    with pytest.raises(ProblemsFound) as refused:
        do_activate_protocol(staff(world.admin), version, reasons=everything, now=timezone.now())

    assert {p.location for p in refused.value.problems} == {"suite"}
    assert all("misses an emergency" in p.message for p in refused.value.problems)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert protocol_for(world.clinic).version.number == 1


def test_a_vignette_the_clinic_adds_is_part_of_the_suite(world: World) -> None:
    own = {
        "id": "riverside-high-fever",
        "phase": "recovery",
        "patient": {"baseline": {"pain": 5}},
        "procedure": {"date": "2026-03-02", "target": "intradiscal"},
        "checkins": [{"date": "2026-03-05", "pain": 5, "temperature_c": 38.6}],
        "expected": {"disposition": "emergency", "candidacy": None},
    }
    own_file = VignetteFile("high-fever.json", json.dumps(own).encode())
    [vignette] = do_add_safety_vignettes(staff(world.admin), world.clinic, [own_file], now=timezone.now())
    version = draft(world, document())  # the built-in rules: a fever alone is urgent

    review = draft_review(version)
    assert review.suite is not None
    assert [d.source for d in review.suite.missed_emergencies] == ["clinic/high-fever.json"]

    do_remove_safety_vignette(staff(world.admin), vignette, now=timezone.now())
    review = draft_review(version)
    assert review.suite is not None
    assert review.suite.disagreements == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"not json", "not valid JSON"),
        (b'{"id": "x", "phase": "screening", "patient": {}}', "has no answer key"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
)
def test_a_vignette_that_cannot_be_checked_is_refused(world: World, text: bytes, message: str) -> None:
    with pytest.raises(ProblemsFound) as refused:
        do_add_safety_vignettes(staff(world.admin), world.clinic, [VignetteFile("x.json", text)], now=timezone.now())

    assert message in refused.value.problems[0].message
    assert not world.clinic.safety_vignettes.exists()


def test_an_active_version_cannot_be_edited(world: World) -> None:
    active = protocol_for(world.clinic).version

    with pytest.raises(ProblemsFound) as refused:
        do_save_protocol_draft(staff(world.admin), world.clinic, document=document(), draft=active, now=timezone.now())

    assert [p.location for p in refused.value.problems] == ["version"]


KEPT = [
    "UPDATE {table} SET document = 'x' WHERE id = %s",
    "UPDATE {table} SET content_hash = 'x' WHERE id = %s",
    "UPDATE {table} SET state = 'draft' WHERE id = %s",  # a draft again, to be edited in a second statement
    "UPDATE {table} SET name = 'x', version_label = 'y' WHERE id = %s",  # the label patients are shown
    "UPDATE {table} SET activation_reasons = '{{}}', suite_summary = '[]' WHERE id = %s",  # the safety record
    "UPDATE {table} SET number = 99 WHERE id = %s",
    "DELETE FROM {table} WHERE id = %s",
]


def test_the_triggers_keep_every_column_but_the_move_to_retired() -> None:
    columns = {f.column for f in ProtocolVersion._meta.concrete_fields}
    assert set(KEPT_COLUMNS) == columns - {"state", "retired_at"}


def test_the_active_version_may_still_be_retired_at_the_database(world: World) -> None:
    active = protocol_for(world.clinic).version
    table = ProtocolVersion._meta.db_table
    with connection.cursor() as cursor:
        retire = f"UPDATE {table} SET state = 'retired', retired_at = %s WHERE id = %s"
        cursor.execute(retire, [timezone.now(), active.pk])
    active.refresh_from_db()
    assert active.state == "retired"


@pytest.mark.parametrize("state", ["active", "retired"])
@pytest.mark.parametrize("sql", KEPT)
def test_the_database_keeps_a_version_that_has_been_active(world: World, sql: str, state: str) -> None:
    version = protocol_for(world.clinic).version
    if state == "retired":
        version = _retire_the_active_version(world)

    with pytest.raises(IntegrityError, match="keeps its text"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=ProtocolVersion._meta.db_table), [version.pk])

    version.refresh_from_db()
    assert (version.document, version.state) == (default_protocol_text(), state)


def test_a_retired_version_is_never_active_again_at_the_database(world: World) -> None:
    retired = _retire_the_active_version(world)
    table = ProtocolVersion._meta.db_table

    with pytest.raises(IntegrityError, match="keeps its text"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET state = 'active' WHERE id = %s", [retired.pk])


def _retire_the_active_version(world: World) -> ProtocolVersion:
    first = protocol_for(world.clinic).version
    do_activate_protocol(staff(world.admin), draft(world, document()), reasons={}, now=timezone.now())
    first.refresh_from_db()
    assert first.state == "retired"
    return first


def test_a_draft_can_still_be_edited_at_the_database(world: World) -> None:
    version = draft(world, document())
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ProtocolVersion._meta.db_table} SET document = 'x' WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.document == "x"


def test_two_clinics_on_different_versions_each_triage_their_own_patients(world: World) -> None:
    version = draft(world, document(fever_rule_at_38_5))
    review = draft_review(version)
    assert review.suite is not None
    do_activate_protocol(
        staff(world.admin),
        version,
        reasons={d.source: "Clinic policy." for d in review.suite.to_accept},
        now=timezone.now(),
    )
    ours = injected_patient(world, days_ago=4)
    theirs = injected_patient(world, days_ago=4, clinic=world.other_clinic)

    mine = check_in(ours, days_after=4, temperature_c="38.2")
    other = check_in(theirs, days_after=4, temperature_c="38.2")

    assert (mine.disposition, mine.protocol.clinic) == ("self_care", world.clinic)
    assert (other.disposition, other.protocol.clinic) == ("urgent", world.other_clinic)


def test_another_clinics_protocol_never_reaches_this_clinics_patients(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    report = CheckInReport(date=patient.injected_on or timezone.now().date(), pain=4)

    with pytest.raises(ProtocolMismatch):
        do_record_checkin(
            patient_actor(patient), patient, report, protocol=protocol_of(world.other_clinic), now=timezone.now()
        )

    assert not patient.checkins.exists()


def test_a_screening_keeps_its_version_and_comes_out_the_same_again(world: World) -> None:
    patient = injected_patient(world, days_ago=4, history=("anticoagulant_use",))
    screening = patient.screenings.get()

    assert screening.protocol == protocol_for(world.clinic).version
    again = rederive_screening(screening)
    assert again.same
    assert again.stored[0] == screening.disposition


def test_a_clinic_made_with_its_own_protocol_starts_on_it(db: None) -> None:
    text = document(version="lakeside-1")

    clinic = create_clinic("Lakeside", "+1 555 0100", protocol_text=text)

    assert protocol_for(clinic).version.document == text
    assert protocol_for(clinic).protocol.version == "lakeside-1"


def test_a_clinic_cannot_start_on_a_protocol_that_is_not_valid(db: None) -> None:
    with pytest.raises(ProblemsFound) as refused:
        create_clinic("Lakeside", "+1 555 0100", protocol_text="name: x\n")

    assert any(p.location.startswith("protocol") for p in refused.value.problems)
    assert not Clinic.objects.filter(name="Lakeside").exists()


def test_a_draft_that_stops_reading_a_red_flag_in_a_note_cannot_be_activated(world: World) -> None:
    def forget_how_patients_say_it(data: dict[str, Any]) -> None:
        data["notes"]["symptoms"]["bladder_control_loss"] = ["incontinence"]

    version = draft(world, document(forget_how_patients_say_it))
    review = draft_review(version)
    assert review.suite is not None

    assert "shipped/own-n01.json" in {d.source for d in review.suite.missed_emergencies}
    assert any("notes" in change.sentence.lower() or "bladder" in change.sentence.lower() for change in review.changes)
    with pytest.raises(ProblemsFound):
        do_activate_protocol(staff(world.admin), version, reasons={}, now=timezone.now())
