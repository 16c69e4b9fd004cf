from __future__ import annotations

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
