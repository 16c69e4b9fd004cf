"""Settings come from the environment through typed helpers that fail at start-up on a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from prpath.project.env import env_bool, env_int, env_list, secret_key


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("Off", False), ("", False)])
def test_booleans_accept_the_usual_words(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("PRPATH_X", raw)
    assert env_bool("PRPATH_X", default=not expected) is expected


def test_a_bad_boolean_stops_start_up_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRPATH_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"PRPATH_DEBUG must be one of .* \(got 'maybe'\)"):
        env_bool("PRPATH_DEBUG", default=False)


def test_integers_are_checked_for_form_and_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRPATH_PORT", "80x")
    with pytest.raises(ImproperlyConfigured, match="PRPATH_PORT must be a whole number"):
        env_int("PRPATH_PORT", 8000)
    monkeypatch.setenv("PRPATH_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="between 1 and 65535"):
        env_int("PRPATH_PORT", 8000, minimum=1, maximum=65535)
    monkeypatch.delenv("PRPATH_PORT")
    assert env_int("PRPATH_PORT", 8000) == 8000


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRPATH_ALLOWED_HOSTS", " clinic.example , localhost,")
    assert env_list("PRPATH_ALLOWED_HOSTS", []) == ["clinic.example", "localhost"]


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRPATH_SECRET_KEY", raising=False)
    first = secret_key("PRPATH_SECRET_KEY", tmp_path)
    assert len(first) == 64
    assert secret_key("PRPATH_SECRET_KEY", tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRPATH_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        secret_key("PRPATH_SECRET_KEY", tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "garbage", "DATABASE_URL must be a postgres:// or sqlite:// URL (got no scheme)"),
        ("PRPATH_LOG_LEVEL", "verbose", "PRPATH_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("PRPATH_TIME_ZONE", "Mars/Base", "PRPATH_TIME_ZONE must be a time zone name"),
        ("PRPATH_DEBUG", "maybe", "PRPATH_DEBUG must be one of"),
    ],
)
def test_a_bad_setting_stops_the_command_with_a_message(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {**os.environ, "PRPATH_DATA_DIR": str(tmp_path), variable: value}
    done = subprocess.run(
        [sys.executable, "-m", "prpath", "manage", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"prpath: {message}")
    assert "Traceback" not in done.stderr
