from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from prpath.cli import main
from tests.conftest import DEFAULT_VERSION

DEFAULT_TEXT = resources.files("prpath.files").joinpath("default.yaml").read_text(encoding="utf-8")


def test_validate_accepts_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert main(["protocol", "validate", str(path)]) == 0
    assert (
        f"valid (prpath default protocol {DEFAULT_VERSION}; 14 screening rules, 17 recovery rules)"
        in capsys.readouterr().out
    )


def test_validate_reports_every_problem_with_its_location_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(DEFAULT_TEXT)
    document["recovery_rules"][3]["window"] = {"from_day": -2}
    document["symptoms"][0]["group"] = "elsewhere"
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["protocol", "validate", str(path)]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: recovery_rules[3].window.from_day: must be greater than or equal to 0 (got -2)",
    ]
    del document["recovery_rules"][3]["window"]
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["protocol", "validate", str(path)]) == 2
    assert capsys.readouterr().out.splitlines() == [f"{path}: symptoms[0].group: unknown symptom group 'elsewhere'"]


def test_validate_reports_yaml_syntax_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    assert main(["protocol", "validate", str(broken), str(tmp_path / "nope.yaml")]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{broken}: line 2, column 1: not valid YAML")
    assert out[1] == f"{tmp_path / 'nope.yaml'}: cannot be read: No such file or directory"


def test_validate_reads_toml_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "clinic.toml"
    toml.write_text('name = "Clinic"\nversion = "1"\n[limits]\npain_min = 0\n', encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    assert main(["protocol", "validate", str(toml), str(broken)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert f"{toml}: limits.pain_max: is required" in out
    assert f"{toml}: dispositions: is required" in out
    assert out[-1].startswith(f"{broken}: document: not valid TOML")


def test_show_prints_the_active_protocol_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"prpath default protocol, version {DEFAULT_VERSION} (from the built-in default.yaml)")
    assert "recovery.lingering_bruise" in out
    assert "when day 11 on: injection_site_bruising\n" in out
    assert "[fever] = temperature >= 38.0 °C or fever|chills\n" in out


def test_show_follows_the_protocol_named_and_round_trips_as_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(DEFAULT_TEXT)
    document["version"] = "clinic-2"
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["protocol", "show", "--yaml", "--protocol", str(path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"# prpath default protocol clinic-2 (from {path})")
    again = tmp_path / "again.yaml"
    again.write_text(printed, encoding="utf-8")
    assert main(["protocol", "validate", str(again)]) == 0
