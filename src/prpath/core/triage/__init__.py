"""The triage engine: from a patient's situation to a disposition with reasons. Pure: no I/O, no Django."""

from __future__ import annotations

from prpath.core.triage.engine import assess_recovery, assess_screening, check_case, triage
from prpath.core.triage.model import Assessment, Baseline, Case, CheckIn, Finding, Patient, Procedure

__all__ = [
    "Assessment",
    "Baseline",
    "Case",
    "CheckIn",
    "Finding",
    "Patient",
    "Procedure",
    "assess_recovery",
    "assess_screening",
    "check_case",
    "triage",
]
