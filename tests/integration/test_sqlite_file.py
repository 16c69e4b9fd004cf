"""The SQLite database holds patient data: its file and the -wal and -shm beside it are readable by their
owner only, whatever the umask, and an older file left readable by others is narrowed when it is opened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from prpath.project.env import SQLITE_ENGINE


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable by everyone (a common default)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def written_through_the_backend(path: Path, django_db_blocker: Any) -> None:
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": SQLITE_ENGINE,
                "NAME": str(path),
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            }
        }
    )
    connection = handler["default"]
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
                cursor.execute("INSERT INTO t VALUES (1)")
            assert path.with_name(path.name + "-wal").exists(), "WAL mode keeps a -wal file while it is open"
            modes = {each.name: each.stat().st_mode & 0o777 for each in sorted(path.parent.iterdir())}
        finally:
            connection.close()
    assert modes == {path.name: 0o600, f"{path.name}-shm": 0o600, f"{path.name}-wal": 0o600}


@pytest.mark.usefixtures("open_umask")
def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path, django_db_blocker: Any) -> None:
    written_through_the_backend(tmp_path / "prpath.sqlite3", django_db_blocker)


@pytest.mark.usefixtures("open_umask")
def test_an_older_database_readable_by_others_is_narrowed_when_opened(tmp_path: Path, django_db_blocker: Any) -> None:
    path = tmp_path / "prpath.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    written_through_the_backend(path, django_db_blocker)
