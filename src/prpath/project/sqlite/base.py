from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base, operations

from prpath.audit.append_only import AUDIT_EVENTS
from prpath.clinic.guards import PROTOCOL_VERSIONS

# Tables whose triggers refuse row changes; a whole-database flush lifts them for its own statements.
GUARDED = (AUDIT_EVENTS, PROTOCOL_VERSIONS)


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        statements: list[str] = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        guards = [guard for guard in GUARDED if guard.table in tables]
        lift = [sql for guard in guards for sql in guard.sqlite_remove]
        restore = [sql for guard in guards for sql in guard.sqlite_install]
        return [*lift, *statements, *restore] if guards else statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: Any) -> Any:
        owner_only(conn_params["database"])
        return super().get_new_connection(conn_params)


# What SQLite keeps beside a database file: the WAL and its index while open, a rollback journal otherwise.
COMPANIONS = ("-wal", "-shm", "-journal")


def owner_only(name: object) -> None:
    """Make the database file ``name`` (and any -wal, -shm or -journal beside it) readable and writable by
    its owner only, creating the database file empty with that mode if it does not exist yet. In-memory
    databases and ``file:`` URIs are left to SQLite."""
    text = os.fspath(name) if isinstance(name, str | os.PathLike) else ""
    if not text or text == ":memory:" or text.startswith("file:"):
        return
    path = Path(text)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # a folder that does not exist or cannot be written: SQLite says so, in its words
    for each in (path, *(path.with_name(path.name + suffix) for suffix in COMPANIONS)):
        try:
            info = each.stat()
        except FileNotFoundError:
            continue
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) and info.st_uid == os.getuid():
            each.chmod(stat.S_IMODE(info.st_mode) & 0o700)
