"""The clinical protocol as data: schema, validation and the shipped default."""

from __future__ import annotations

from prpath.core.protocol.schema import (
    Candidacy,
    Disposition,
    Expression,
    PainTrend,
    Protocol,
    Rule,
    Severity,
    check_protocol,
)

__all__ = [
    "Candidacy",
    "Disposition",
    "Expression",
    "PainTrend",
    "Protocol",
    "Rule",
    "Severity",
    "check_protocol",
]
