"""Triggers by which the database itself keeps rows that must not change: the SQL that installs and
removes them on each engine, the migration operation that does it, and what prpath's SQLite backend lifts
for a whole-database flush (as PostgreSQL's TRUNCATE passes row triggers by)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations


@dataclass(frozen=True)
class Triggers:
    table: str
    sqlite_install: tuple[str, ...]
    sqlite_remove: tuple[str, ...]
    postgresql_install: tuple[str, ...]
    postgresql_remove: tuple[str, ...]

    def install(self, vendor: str) -> tuple[str, ...]:
        return {"sqlite": self.sqlite_install, "postgresql": self.postgresql_install}[vendor]

    def remove(self, vendor: str) -> tuple[str, ...]:
        return {"sqlite": self.sqlite_remove, "postgresql": self.postgresql_remove}[vendor]

    def migration(self) -> migrations.RunPython:
        """The operation that installs them (and removes them when the migration is reversed)."""

        def install(apps: Any, schema_editor: Any) -> None:
            for statement in self.install(schema_editor.connection.vendor):
                schema_editor.execute(statement, params=None)  # no placeholders: the SQL holds a literal %

        def remove(apps: Any, schema_editor: Any) -> None:
            for statement in self.remove(schema_editor.connection.vendor):
                schema_editor.execute(statement, params=None)

        return migrations.RunPython(install, remove, elidable=False)
