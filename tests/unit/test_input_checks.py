"""`check_case` takes a fast pass and builds messages only when it fails. Over generated check-ins
(some implausible), it must find a problem exactly when an independent reading of CLINICAL.md's input
rules says there is one, and name each broken field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prpath.core.triage import check_case
from prpath.files.protocols import default_protocol
from tests.factories import parse

PROTOCOL = default_protocol()
INJECTION = dt.date(2026, 3, 2)
KNOWN = [s.code for s in PROTOCOL.symptoms]

checkins = st.lists(
    st.fixed_dictionaries(
        {
            "day": st.integers(min_value=-2, max_value=8),
            "pain": st.integers(min_value=-1, max_value=11),
            "temperature_c": st.none() | st.sampled_from([29.9, 30.0, 36.8, 38.0, 45.0, 45.1]),
            "symptoms": st.dictionaries(st.sampled_from([*KNOWN[:5], "headache"]), st.just("mild"), max_size=2),
        }
    ),
    min_size=1,
    max_size=5,
)


def expected_problem_fields(items: list[dict[str, Any]]) -> set[str]:
    fields: set[str] = set()
    seen: set[int] = set()
    for i, item in enumerate(items):
        if item["day"] < 0 or item["day"] in seen:
            fields.add(f"checkins[{i}].date")
        seen.add(item["day"])
        if not 0 <= item["pain"] <= 10:
            fields.add(f"checkins[{i}].pain")
        t = item["temperature_c"]
        if t is not None and not 30.0 <= t <= 45.0:
            fields.add(f"checkins[{i}].temperature_c")
        fields |= {f"checkins[{i}].symptoms.{code}" for code in item["symptoms"] if code not in KNOWN}
    return fields


@given(checkins)
def test_problems_are_found_exactly_where_the_input_rules_are_broken(items: list[dict[str, Any]]) -> None:
    document = {
        "phase": "recovery",
        "patient": {"baseline": {"pain": 5}},
        "procedure": {"date": INJECTION.isoformat()},
        "checkins": [
            {
                "date": (INJECTION + dt.timedelta(days=item["day"])).isoformat(),
                "pain": item["pain"],
                "temperature_c": item["temperature_c"],
                "symptoms": item["symptoms"],
            }
            for item in items
        ],
    }
    problems = check_case(PROTOCOL, parse(document))
    assert {p.location for p in problems} == expected_problem_fields(items)
