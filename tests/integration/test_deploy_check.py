"""Django's deployment checklist (`prpath manage check --deploy`) passes under the settings a real deployment
has, and the demo on plain HTTP is neither sent to HTTPS nor pinned to it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What a deployment sets (README, Configuration): nothing else is needed for the checklist to pass.
DEPLOYMENT = {
    "PRPATH_SECRET_KEY": "k3v9Qx7Lm2Rt8Wz5Pb1Nc6Hd4Jf0Gs7Ya2Ue9Io5Xw3Zq8Vr1Tn6Mk4Lp0Sb7Dh2",
    "PRPATH_DEBUG": "0",
    "PRPATH_ALLOWED_HOSTS": "clinic.example.org",
    "PRPATH_HTTPS": "1",
}


def run(args: list[str], tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    # A deployment's environment: none of ours, and not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set in
    # this process when a browser test ran in the same worker before).
    unset = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRPATH_") and k not in unset}
    env.update(PRPATH_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=120)


def test_the_deployment_checklist_passes_with_a_deployments_settings(tmp_path: Path) -> None:
    done = run(
        [sys.executable, "-m", "prpath", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **DEPLOYMENT,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


SHOWN = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    f" print(json.dumps({{k: getattr(s, k, None) for k in {(*SHOWN, 'SECURE_PROXY_SSL_HEADER')!r}}}))"
)


def settings_under(tmp_path: Path, **variables: str) -> dict[str, object]:
    done = run([sys.executable, "-c", SHOW], tmp_path, DJANGO_SETTINGS_MODULE="prpath.project.settings", **variables)
    assert done.returncode == 0, done.stderr
    shown: dict[str, object] = json.loads(done.stdout)
    return shown


def test_the_demo_on_plain_http_is_not_sent_to_https_nor_pinned_to_it(tmp_path: Path) -> None:
    assert settings_under(tmp_path) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_a_deployment_redirects_to_https_pins_it_and_trusts_only_the_proxy_header_it_names(tmp_path: Path) -> None:
    assert settings_under(tmp_path, **DEPLOYMENT, PRPATH_TRUSTED_PROXY_HEADER="X-Forwarded-Proto") == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
    assert settings_under(tmp_path, **DEPLOYMENT)["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PRPATH_TRUSTED_PROXY_HEADER", "X-Forwarded-Proto: https", "must be an HTTP header's name"),
        ("PRPATH_HSTS_SECONDS", "a year", "PRPATH_HSTS_SECONDS must be a whole number"),
        ("PRPATH_HTTPS", "sometimes", "PRPATH_HTTPS must be one of"),
    ],
)
def test_a_bad_https_setting_stops_the_command_naming_it(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    done = run([sys.executable, "-m", "prpath", "manage", "check"], tmp_path, **{variable: value})
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
