"""Building triage cases in tests: short to write, reading like the clinic's words."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from prpath.core.triage import Assessment, Case, triage
from prpath.files.protocols import default_protocol

INJECTION = dt.date(2026, 3, 2)


def day(n: int) -> str:
    return (INJECTION + dt.timedelta(days=n)).isoformat()


def checkin(on_day: int, pain: int = 6, temperature: float | None = None, **symptoms: str) -> dict[str, Any]:
    item: dict[str, Any] = {"date": day(on_day), "pain": pain, "symptoms": symptoms}
    if temperature is not None:
        item["temperature_c"] = temperature
    return item


def recovery_case(
    *checkins: dict[str, Any],
    baseline_pain: int | None = 6,
    baseline_symptoms: dict[str, str] | list[str] | None = None,
    target: str = "intradiscal",
    history: list[str] | None = None,
) -> Case:
    baseline: dict[str, Any] = {"symptoms": baseline_symptoms or {}}
    if baseline_pain is not None:
        baseline["pain"] = baseline_pain
    return parse(
        {
            "phase": "recovery",
            "patient": {"conditions": ["degenerative_disc_disease"], "history": history or [], "baseline": baseline},
            "procedure": {"date": INJECTION.isoformat(), "target": target},
            "checkins": list(checkins),
        }
    )


def parse(document: dict[str, Any]) -> Case:
    # Through JSON, as cases arrive: dates are written YYYY-MM-DD.
    return Case.model_validate_json(json.dumps(document))


def screening_case(
    *, history: list[str] | None = None, symptoms: dict[str, str] | list[str] | None = None, trend: str = "stable"
) -> Case:
    return parse(
        {
            "phase": "screening",
            "patient": {
                "conditions": ["herniated_disc"],
                "history": history or [],
                "baseline": {"pain": 6, "pain_trend": trend, "symptoms": symptoms or {}},
            },
        }
    )


def assess(case: Case) -> Assessment:
    return triage(default_protocol(), case)


def rules_fired(assessment: Assessment) -> list[str]:
    return [finding.rule for finding in assessment.findings]
