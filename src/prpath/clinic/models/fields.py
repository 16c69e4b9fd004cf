"""Fields that read back as core values."""

from __future__ import annotations

from typing import Any

from django.db import models

from prpath.core.findings import FindingRecord, findings_as_data, findings_from_data


class FindingsField(models.JSONField):
    """A JSON list of findings, read back as a tuple of ``FindingRecord`` (one schema, versioned)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        data = super().from_db_value(value, expression, connection)
        return findings_from_data(data) if isinstance(data, list) else data

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple) and all(isinstance(item, FindingRecord) for item in value):
            value = findings_as_data(value)
        return super().get_prep_value(value)
