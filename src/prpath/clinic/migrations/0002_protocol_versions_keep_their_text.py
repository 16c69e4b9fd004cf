"""The database refuses to change the text of a protocol version that has been active, or to remove one."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from prpath.clinic import guards


def install(apps: Any, schema_editor: Any) -> None:
    for statement in guards.install(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)  # no placeholders: the SQL holds a literal %


def remove(apps: Any, schema_editor: Any) -> None:
    for statement in guards.remove(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)  # no placeholders: the SQL holds a literal %


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_clinics_people_records_and_protocol_versions")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
