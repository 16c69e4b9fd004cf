from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
OWN_VIGNETTES = ROOT / "src" / "prpath" / "files" / "suite"  # the safety suite shipped with prpath
PUBLIC_VIGNETTES = ROOT.parent / "shared" / "vignettes" / "public"
ARTIFACTS = ROOT / "tests" / "artifacts"


def require_shared(path: Path) -> Path:
    """A file or folder from ../shared; skipped when it is not beside the project, failed under CI."""
    import pytest

    if not path.exists():
        message = f"{path} is not here: the project's ../shared folder is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


# --- the clinic's people (tests that use the database) -----------------------------------------------

import pytest  # noqa: E402


@pytest.fixture
def world(db: None) -> object:
    from tests.personas import make_world

    return make_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    # Argon2 is deliberately slow; tests make dozens of accounts. Production settings are tested apart.
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    ):
        settings_fixture = request.getfixturevalue("settings")
        settings_fixture.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _default_version() -> str:
    # Read from the file's text, not through the loader under test: the version the document declares.
    import yaml

    text = (ROOT / "src" / "prpath" / "files" / "default.yaml").read_text(encoding="utf-8")
    return str(yaml.safe_load(text)["version"])


DEFAULT_VERSION = _default_version()
