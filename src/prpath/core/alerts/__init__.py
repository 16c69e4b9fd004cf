"""The alert policy: what a new assessment does to a patient's unresolved alert, as a decision with its
reason. The clinic app applies decisions; the coming escalation worker reuses the same policy."""

from __future__ import annotations

from prpath.core.alerts.policy import AlertDecision, AlertFacts, AlertState, NewReport, Verdict, decide

__all__ = ["AlertDecision", "AlertFacts", "AlertState", "NewReport", "Verdict", "decide"]
