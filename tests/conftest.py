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

import copy  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_KEPT: list[str] = []  # the modules whose records are being kept in an open transaction


@contextmanager
def kept_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Records built once for a module, in a transaction rolled back when the module is done.

    Each test still runs in its own savepoint inside it (pytest-django's ``db`` fixture), so nothing a test
    writes reaches the next one; the transaction is marked as a test case's, so the actions' durable
    transactions may run inside it, as in Django's own TestCase.setUpTestData."""
    from django.db import connections, transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING):
        atomics = []
        for alias in connections:
            atomic = transaction.atomic(using=alias)
            atomic._from_testcase = True  # type: ignore[attr-defined]  # what TestCase marks its own with
            atomic.__enter__()
            atomics.append((alias, atomic))
        _KEPT.append("kept")
        try:
            yield
        finally:
            _KEPT.pop()
            for alias, atomic in reversed(atomics):
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _real_commits_run_apart(request: pytest.FixtureRequest) -> None:
    """A test that commits (transaction=True, a live server) cannot run inside a module's kept records."""
    if _KEPT and ("transactional_db" in request.fixturenames or "live_server" in request.fixturenames):
        pytest.fail("this test commits: move it to a module whose records are not kept (test_migrations_and_races)")


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[object]:
    from tests.personas import make_world

    with kept_for_the_module(django_db_blocker):
        yield make_world()


@pytest.fixture
def world(module_world: object, db: None) -> object:
    """Two clinics and one person of each role, built once per module; each test gets its own copy of the
    objects, and the database as the module's world left it."""
    return copy.deepcopy(module_world)


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
