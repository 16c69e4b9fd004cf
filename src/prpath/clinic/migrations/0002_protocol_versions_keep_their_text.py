"""The database refuses to change the text of a protocol version that has been active, or to remove one."""

from __future__ import annotations

from django.db import migrations

from prpath.clinic.guards import PROTOCOL_VERSIONS


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_clinics_people_records_and_protocol_versions")]

    operations = [PROTOCOL_VERSIONS.migration()]
