from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base, operations

from prpath.audit import append_only
from prpath.clinic import guards as protocol_guards

# Tables whose triggers refuse row changes; a whole-database flush lifts them for its own statements.
GUARDED = (append_only, protocol_guards)


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        statements: list[str] = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        guards = [guard for guard in GUARDED if guard.TABLE in tables]
        lift = [sql for guard in guards for sql in guard.SQLITE_REMOVE]
        restore = [sql for guard in guards for sql in guard.SQLITE_INSTALL]
        return [*lift, *statements, *restore] if guards else statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
