"""The database refuses UPDATE and DELETE on audit rows (triggers on SQLite and PostgreSQL)."""

from __future__ import annotations

from django.db import migrations

from prpath.audit.append_only import AUDIT_EVENTS


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]

    operations = [AUDIT_EVENTS.migration()]
