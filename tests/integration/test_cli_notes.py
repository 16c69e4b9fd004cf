"""`prpath notes`: one JSON line per note file, `--check` against the answer keys, invalid files named; and
`prpath triage` reading the notes of the with-notes vignettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prpath.cli import main
from tests.conftest import ROOT, require_shared

PUBLIC_NOTES = ROOT.parent / "shared" / "notes" / "public"
WITH_NOTES = ROOT.parent / "shared" / "vignettes" / "with-notes"


def test_it_reads_every_public_note_as_its_answer_key(capsys: pytest.CaptureFixture[str]) -> None:
    folder = require_shared(PUBLIC_NOTES)
    count = len(list(folder.glob("*.json")))

    assert main(["notes", str(folder), "--check"]) == 0

    out = capsys.readouterr().out
    assert f"checked {count} notes; exact agreement {count}/{count} (100.0%)" in out
    assert "notes that report nothing, flagged anyway: 0" in out
    assert "DISAGREE" not in out


def test_triage_reads_the_notes_of_the_with_notes_vignettes(capsys: pytest.CaptureFixture[str]) -> None:
    folder = require_shared(WITH_NOTES)
    count = len(list(folder.glob("*.json")))

    assert main(["triage", str(folder), "--check"]) == 0

    assert f"exact agreement {count}/{count} (100.0%)" in capsys.readouterr().out


def write(folder: Path, name: str, content: object) -> None:
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def test_one_line_per_note_with_its_words_and_an_error_for_each_invalid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.json", {"id": "n-1", "text": "My left leg keeps giving way."})
    write(tmp_path, "b.json", "{not json")
    write(tmp_path, "c.json", {"id": "n-3"})
    write(tmp_path, "d.json", {"id": "n-4", "text": "x" * 2001})
    write(tmp_path, "e.json", {"id": "n-5", "text": "My husband has a fever."})

    assert main(["notes", str(tmp_path)]) == 2

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    evidence = [{"code": "leg_weakness", "text": "giving way"}]
    assert lines[0] == {"id": "n-1", "reports": ["leg_weakness"], "evidence": evidence}
    assert lines[1]["id"] == "b"
    assert "not valid JSON" in lines[1]["error"]
    assert lines[2] == {"id": "n-3", "error": "text: is required: the patient's words"}
    assert lines[3] == {"id": "n-4", "error": "text: is 2,001 characters; the protocol allows 2,000"}
    assert lines[4] == {"id": "n-5", "reports": [], "evidence": []}


def test_check_names_each_disagreement_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.json", {"id": "n-1", "text": "Feeling fine today.", "expected": {"reports": ["fever"]}})
    write(tmp_path, "b.json", {"id": "n-2", "text": "I wet myself.", "expected": {"reports": []}})

    assert main(["notes", str(tmp_path), "--check"]) == 1

    out = capsys.readouterr().out
    assert "DISAGREE n-1: missed fever; also found -" in out
    assert "DISAGREE n-2: missed -; also found bladder_control_loss" in out
    assert "notes that report nothing, flagged anyway: 1 (n-2)" in out
    assert "exact agreement 0/2" in out


def test_an_empty_folder_is_no_passing_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", str(tmp_path), "--check"]) == 2
    assert "no note files" in capsys.readouterr().err


# --- the safety suite reads notes beside vignettes -----------------------------------------------------

SHIPPED_NOTES = ROOT / "src" / "prpath" / "files" / "suite" / "notes"


def test_triage_checks_note_files_beside_vignettes(capsys: pytest.CaptureFixture[str]) -> None:
    vignettes, notes = require_shared(WITH_NOTES), require_shared(PUBLIC_NOTES)
    count = len(list(vignettes.glob("*.json"))) + len(list(notes.glob("*.json")))

    assert main(["triage", str(vignettes), str(notes), str(SHIPPED_NOTES), "--check"]) == 0

    out = capsys.readouterr().out
    total = count + len(list(SHIPPED_NOTES.glob("*.json")))
    assert f"checked {total} of {total} files (vignettes and notes); exact agreement {total}/{total}" in out


def test_a_note_that_misses_its_red_flag_is_a_missed_emergency_in_triage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.json", {"id": "a", "text": "My legs feel fine.", "expected": {"reports": ["leg_weakness"]}})
    write(tmp_path, "b.json", {"id": "b", "text": "I wet myself", "expected": {"reports": []}})

    assert main(["triage", str(tmp_path), "--check"]) == 1

    out = capsys.readouterr().out
    assert "DISAGREE a: missed leg_weakness; also found - (a missed emergency: leg_weakness)" in out
    assert "DISAGREE b: missed -; also found bladder_control_loss" in out
    assert "notes 2: a symptom missed in 1, only symptoms not in the key found in 1" in out
    assert "emergency sensitivity 0/1 (0.0%)" in out


def test_triage_prints_a_note_files_reading_as_prpath_notes_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "n.json", {"id": "n", "text": "I wet myself"})

    assert main(["triage", str(tmp_path)]) == 0

    line = json.loads(capsys.readouterr().out)
    assert line == {
        "id": "n",
        "reports": ["bladder_control_loss"],
        "evidence": [{"code": "bladder_control_loss", "text": "wet myself"}],
    }
