"""The database refuses UPDATE and DELETE on audit rows (triggers on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from prpath.audit import append_only


def install(apps: Any, schema_editor: Any) -> None:
    for statement in append_only.install(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)  # no placeholders: the SQL holds a literal %


def remove(apps: Any, schema_editor: Any) -> None:
    for statement in append_only.remove(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)  # no placeholders: the SQL holds a literal %


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
