from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prpath.cli import main
from tests.conftest import DEFAULT_VERSION, OWN_VIGNETTES, PUBLIC_VIGNETTES, require_shared


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_it_agrees_with_every_public_vignette(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", str(require_shared(PUBLIC_VIGNETTES)), "--check"]) == 0
    out = capsys.readouterr().out
    assert "exact agreement 26/26 (100.0%)" in out
    assert "under-triage 0, over-triage 0" in out
    assert "emergency sensitivity 4/4 (100.0%)" in out


@pytest.mark.parametrize("folder", [OWN_VIGNETTES, OWN_VIGNETTES / "review"], ids=["own", "review"])
def test_it_agrees_with_every_vignette_of_our_own(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    count = len(list(folder.glob("*.json")))
    assert count >= 40
    assert main(["triage", str(folder), "--check"]) == 0
    assert f"exact agreement {count}/{count} (100.0%)" in capsys.readouterr().out


def test_it_prints_one_line_per_file_in_file_name_order_and_exits_2_on_invalid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["triage", str(require_shared(PUBLIC_VIGNETTES))]) == 2
    results = lines(capsys)
    assert [r["id"] for r in results] == sorted(p.stem for p in PUBLIC_VIGNETTES.glob("*.json"))
    fever = next(r for r in results if r["id"] == "pub-011")
    assert fever["disposition"] == "urgent"
    assert fever["candidacy"] is None
    assert fever["findings"] == [
        {
            "rule": "recovery.fever",
            "disposition": "urgent",
            "reason": fever["findings"][0]["reason"],
        }
    ]
    assert str(fever["findings"][0]["reason"]).startswith("Temperature 38.4 °C on day 4 after the injection")
    invalid = [r for r in results if "error" in r]
    assert [r["id"] for r in invalid] == ["pub-025", "pub-026"]
    assert invalid[0]["error"] == "pub-025.json: checkins[0].pain: must be a whole number from 0 to 10 (got 11)"


def test_a_valid_file_alone_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", str(OWN_VIGNETTES / "own-r01.json")]) == 0
    assert lines(capsys)[0]["disposition"] == "urgent"


def test_an_unreadable_file_is_named_by_its_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    shutil.copy(OWN_VIGNETTES / "own-s01.json", tmp_path / "ok.json")
    (tmp_path / "folder.json").mkdir()
    assert main(["triage", str(tmp_path), str(tmp_path / "missing.json")]) == 2
    results = lines(capsys)
    assert [r["id"] for r in results] == ["broken", "folder", "list", "missing", "own-s01"]
    assert results[0]["error"].startswith("broken.json: not valid JSON")
    assert results[1]["error"] == f"{tmp_path / 'folder.json'}: not a readable file"
    assert results[2]["error"] == "list.json: a vignette must be a JSON object"
    assert results[3] == {"id": "missing", "error": f"{tmp_path / 'missing.json'}: no such file or folder"}
    assert results[4]["disposition"] == "urgent"


def test_a_byte_order_mark_is_accepted_and_deep_nesting_is_an_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (OWN_VIGNETTES / "own-r01.json").read_text(encoding="utf-8")
    (tmp_path / "a-bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    deep = {"id": "b-deep", "phase": "screening", "patient": {}}
    nested = "[" * 5000 + "]" * 5000
    (tmp_path / "b-deep.json").write_text(json.dumps(deep)[:-1] + f', "x": {nested}}}', encoding="utf-8")
    assert main(["triage", str(tmp_path)]) == 2
    bom, deep_result = lines(capsys)
    assert bom["disposition"] == "urgent"
    assert deep_result["id"] == "b-deep"
    assert deep_result["error"].startswith("b-deep.json: not valid JSON")


def test_a_malformed_answer_key_is_reported_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((OWN_VIGNETTES / "own-r01.json").read_text(encoding="utf-8"))
    doc["expected"] = {"disposition": ["urgent"], "candidacy": None}
    (tmp_path / "key.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["triage", str(tmp_path), "--check"]) == 1
    assert "own-r01: the answer key is not valid" in capsys.readouterr().out


def test_check_counts_under_triage_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((OWN_VIGNETTES / "own-r04.json").read_text(encoding="utf-8"))
    doc["expected"]["disposition"] = "emergency"
    doc["checkins"][-1]["symptoms"] = {}  # now only a fever: urgent, below the key
    (tmp_path / "under.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["triage", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "UNDER-TRIAGE own-r04: expected emergency/-, got urgent/- (recovery.fever)" in out
    assert "under-triage 1, over-triage 0" in out
    assert "emergency sensitivity 0/1 (0.0%)" in out


def test_check_counts_an_accepted_invalid_file_as_a_disagreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((OWN_VIGNETTES / "own-r02.json").read_text(encoding="utf-8"))
    doc["expected"] = {"error": True}
    (tmp_path / "x.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["triage", str(tmp_path), "--check"]) == 1
    assert "own-r02: expected an error, but the file was accepted" in capsys.readouterr().out


def test_explain_adds_rationale_source_and_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--explain", str(OWN_VIGNETTES / "own-r11.json")]) == 0
    result = lines(capsys)[0]
    finding = result["findings"][0]
    assert finding["rationale"]
    assert finding["source"]
    assert result["protocol"] == {"name": "prpath default protocol", "version": DEFAULT_VERSION}


def test_a_bad_protocol_file_stops_triage_with_its_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "clinic.yaml"
    bad.write_text("name: x\nversion: '1'\n", encoding="utf-8")
    assert main(["triage", "--protocol", str(bad), str(OWN_VIGNETTES)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: dispositions: is required" in err


def test_the_installed_command_runs_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"id": "bad", "phase": "recovery", "patient": {}}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "prpath", "triage", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout) == {
        "id": "bad",
        "error": "bad.json: procedure: is required for a recovery case; "
        "checkins: a recovery case needs at least one check-in",
    }


def test_an_empty_folder_is_an_error_not_a_passing_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", str(tmp_path), "--check"]) == 2
    assert f"no vignette files (*.json) found in {tmp_path}" in capsys.readouterr().err


def test_check_without_any_answer_key_checks_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((OWN_VIGNETTES / "own-r01.json").read_text(encoding="utf-8"))
    del doc["expected"]
    (tmp_path / "nokey.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["triage", str(tmp_path), "--check"]) == 2
    assert "nothing was checked" in capsys.readouterr().err


def test_check_counts_candidacy_given_where_none_is_expected_on_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((OWN_VIGNETTES / "own-s05.json").read_text(encoding="utf-8"))  # consult / defer
    doc["expected"]["candidacy"] = None
    (tmp_path / "nocand.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["triage", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "candidacy too permissive 0, too strict 0, given where none is expected or missing 1" in out
