"""``prpath protocol versions|add|diff|activate --clinic``: a clinic's protocol versions from the command
line, through the same actions and the same safety suite as the Protocol page."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from prpath.audit.models import ActorKind, AuditAction, AuditEvent
from prpath.cli import main
from prpath.clinic.models import Clinic, ProtocolVersion, VersionState
from prpath.clinic.queries.protocols import protocol_for
from prpath.files.protocols import default_protocol_text
from tests.personas import World

DEFAULT: dict[str, Any] = yaml.safe_load(default_protocol_text())


def write(tmp_path: Path, change: Any, name: str = "draft.yaml") -> Path:
    data = copy.deepcopy(DEFAULT)
    data["version"] = "riverside-2"
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def fever_rule_at_38_5(data: dict[str, Any]) -> None:
    fever = next(r for r in data["recovery_rules"] if r["id"] == "recovery.fever")
    fever["when"] = {"any": [{"temperature": {"at_least": 38.5}}, {"symptom": {"codes": ["fever", "chills"]}}]}


def no_emergency(data: dict[str, Any]) -> None:
    for rule in data["recovery_rules"]:
        if rule["disposition"] == "emergency":
            rule["disposition"] = "urgent"


BY = ["--by", "admin@riverside.test"]  # the world's clinic admin: who adds and activates is kept with the version


def test_versions_lists_the_clinics_protocol(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "versions", "--clinic", "Riverside Spine"]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"#1    active   {DEFAULT['name']} {DEFAULT['version']}")


def test_add_diff_and_activate_with_reasons(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, fever_rule_at_38_5)
    assert main(["protocol", "add", str(path), "--clinic", str(world.clinic.uuid), *BY]) == 0
    assert "saved as draft #2" in capsys.readouterr().out

    assert main(["protocol", "diff", "--clinic", "Riverside Spine"]) == 0
    out = capsys.readouterr().out
    assert "Recovery rules: recovery.fever (" in out
    assert "temperature >= 38.5 °C or fever|chills" in out
    assert "needs a reason: shipped/own-r01.json" in out
    needing = [line.split(": ")[1] for line in out.splitlines() if line.strip().startswith("needs a reason:")]

    assert main(["protocol", "activate", "2", "--clinic", "Riverside Spine", *BY]) == 2
    err = capsys.readouterr().err
    assert "reason:shipped/own-r01.json: give the reason the clinic accepts this" in err
    assert protocol_for(world.clinic).version.number == 1

    reasons = [f"--reason={key}=Our physicians call from 38.5." for key in needing]
    activate = ["protocol", "activate", "2", "--clinic", "Riverside Spine", "--by", str(world.admin.email)]
    assert main([*activate, *reasons]) == 0
    assert "#2 is now Riverside Spine's active protocol" in capsys.readouterr().out
    assert protocol_for(world.clinic).version.number == 2
    event = AuditEvent.objects.filter(action=AuditAction.PROTOCOL_ACTIVATE, clinic=world.clinic).latest("pk")
    assert (event.actor_kind, event.actor) == (ActorKind.STAFF, world.admin)
    assert set(event.detail["reasons"]) == set(needing)


def test_a_draft_that_misses_an_emergency_is_refused(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["protocol", "add", str(write(tmp_path, no_emergency)), "--clinic", "Riverside Spine", *BY])
    capsys.readouterr()

    assert main(["protocol", "diff", "--clinic", "Riverside Spine", "2"]) == 1
    assert "MISSED EMERGENCY" in capsys.readouterr().out
    assert main(["protocol", "activate", "2", "--clinic", "Riverside Spine", "--reason", "x=y", *BY]) == 2
    assert "misses an emergency" in capsys.readouterr().err
    assert ProtocolVersion.objects.get(clinic=world.clinic, number=2).state == VersionState.DRAFT


def test_a_draft_that_is_not_valid_is_saved_and_its_problems_named(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: Clinic\nversion: '1'\n", encoding="utf-8")

    assert main(["protocol", "add", str(path), "--clinic", "Riverside Spine", *BY]) == 2
    captured = capsys.readouterr()
    assert "saved as draft #2" in captured.out
    assert "dispositions: is required" in captured.err
    assert main(["protocol", "diff", "--clinic", "Riverside Spine"]) == 2
    assert "is not valid yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["protocol", "versions", "--clinic", "Nowhere"], "no clinic has that name or id"),
        (["protocol", "diff", "--clinic", "Riverside Spine"], "has no draft"),
        (["protocol", "activate", "1", "--clinic", "Riverside Spine", *BY], "#1 is not a draft"),
        (
            ["protocol", "activate", "9", "--clinic", "Riverside Spine", "--by", "nurse@riverside.test"],
            "not an active admin",
        ),
        (["protocol", "activate", "9", "--clinic", "Riverside Spine", "--reason", "nothing", *BY], "VIGNETTE=WHY"),
    ],
)
def test_mistakes_are_named_and_exit_2(
    world: World, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    if "--reason" in arguments:  # a draft to give a malformed reason for
        ProtocolVersion.objects.create(
            clinic=world.clinic,
            number=9,
            document=default_protocol_text(),
            content_hash="0" * 64,
            created_at=world.clinic.created_at,
            updated_at=world.clinic.created_at,
        )
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_triage_and_show_read_a_clinics_active_protocol(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "show", "--clinic", "Riverside Spine"]) == 0
    assert f"(from Riverside Spine, protocol #1: {DEFAULT['name']}" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["add", "activate"])
def test_who_does_it_must_be_named(world: World, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["protocol", command, "2", "--clinic", "Riverside Spine"])

    assert stopped.value.code == 2
    assert "--by" in capsys.readouterr().err


def test_a_clinic_cannot_start_on_a_protocol_that_misses_an_emergency(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, no_emergency)

    assert main(["clinic", "create", "Lakeside", "--phone", "+1 555 0100", "--protocol", str(path)]) == 2
    assert "misses an emergency" in capsys.readouterr().err
    assert not Clinic.objects.filter(name="Lakeside").exists()


def test_a_clinic_starts_on_its_own_protocol_with_a_reason_for_each_disagreement(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, fever_rule_at_38_5)
    create = ["clinic", "create", "Lakeside", "--phone", "+1 555 0100", "--protocol", str(path)]

    assert main(create) == 2
    err = capsys.readouterr().err
    needing = sorted({line.split("reason:")[1].split(":")[0] for line in err.splitlines() if "reason:" in line})
    assert "shipped/own-r01.json" in needing
    assert not Clinic.objects.filter(name="Lakeside").exists()

    assert main([*create, *[f"--reason={key}=We call from 38.5." for key in needing]]) == 0
    version = protocol_for(Clinic.objects.get(name="Lakeside")).version
    assert set(version.activation_reasons) == set(needing)
    assert version.suite_summary
