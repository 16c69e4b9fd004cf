"""Reading the interchange format: what is accepted, and the message for what is not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prpath.core.problems import ProblemsFound
from prpath.core.suite.vignettes import parse_vignette
from prpath.core.triage import triage
from prpath.files.protocols import default_protocol

RECOVERY: dict[str, Any] = {
    "id": "v",
    "phase": "recovery",
    "patient": {"baseline": {"pain": 6}},
    "procedure": {"date": "2026-03-02"},
    "checkins": [{"date": "2026-03-03", "pain": 6}],
}


def with_checkin(**fields: Any) -> dict[str, Any]:
    return {**RECOVERY, "checkins": [{"date": "2026-03-03", "pain": 6, **fields}]}


def problems(document: Any) -> list[str]:
    with pytest.raises(ProblemsFound) as raised:
        parse_vignette(json.dumps(document))
    return [str(p) for p in raised.value.problems]


def test_the_smallest_recovery_file_is_accepted_and_optional_fields_default() -> None:
    parsed = parse_vignette(json.dumps(RECOVERY))
    assert parsed.id == "v"
    assert parsed.case.patient.history == ()
    assert parsed.case.checkins[0].symptoms == {}


def test_unknown_fields_are_ignored_and_the_answer_key_is_kept_apart() -> None:
    parsed = parse_vignette(json.dumps({**RECOVERY, "note": "x", "expected": {"disposition": "urgent"}}))
    assert parsed.expected == {"disposition": "urgent"}


def test_pain_written_as_a_whole_float_is_a_whole_number() -> None:
    assert parse_vignette(json.dumps(with_checkin(pain=7.0))).case.checkins[0].pain == 7


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pain": 7.5}, "checkins[0].pain: must be a whole number (got 7.5)"),
        ({"pain": "7"}, "checkins[0].pain: must be a valid number (got '7')"),
        ({"pain": True}, "checkins[0].pain: must be a valid number (got true)"),
        ({"temperature_c": None, "symptoms": None}, None),
        ({"temperature_c": "38"}, "checkins[0].temperature_c: must be a valid number (got '38')"),
        ({"date": 20260303}, "checkins[0].date: must be a valid date (got 20260303)"),
        ({"symptoms": ["rash"]}, "checkins[0].symptoms: must be an object"),
        (
            {"symptoms": {"rash": "awful"}},
            "checkins[0].symptoms.rash: must be 'mild', 'moderate' or 'severe' (got 'awful')",
        ),
    ],
)
def test_a_value_that_only_looks_right_is_refused(fields: dict[str, Any], message: str | None) -> None:
    if message is None:  # null for an optional field means the field was left out
        assert not parse_vignette(json.dumps(with_checkin(**fields))).case.checkins[0].symptoms
    else:
        assert problems(with_checkin(**fields)) == [message]


def test_missing_required_fields_are_all_named() -> None:
    document = {"phase": "recovery", "procedure": {}, "checkins": [{}]}
    assert problems(document) == [
        "id: is required",
        "patient: is required",
        "procedure.date: is required",
        "checkins[0].date: is required",
        "checkins[0].pain: is required",
    ]


def test_phase_must_be_given_and_known() -> None:
    assert problems({"id": "x", "patient": {}}) == ["phase: is required"]
    assert problems({"id": "x", "phase": "later", "patient": {}}) == [
        "phase: must be 'screening' or 'recovery' (got 'later')"
    ]


def test_a_screening_file_ignores_its_procedure_and_check_ins() -> None:
    document = {"id": "s", "phase": "screening", "patient": {}, "procedure": 3, "checkins": [{"pain": 99}]}
    parsed = parse_vignette(json.dumps(document))
    assert (parsed.case.phase, parsed.case.procedure, parsed.case.checkins) == ("screening", None, ())


def test_an_id_must_be_text() -> None:
    assert problems({**RECOVERY, "id": 7}) == ["id: must be text (got 7)"]


def test_text_that_is_not_json_or_not_an_object() -> None:
    with pytest.raises(ProblemsFound, match="not valid JSON"):
        parse_vignette("{")
    with pytest.raises(ProblemsFound, match="a vignette must be a JSON object"):
        parse_vignette("[]")


def test_a_huge_number_is_cut_short_in_the_message() -> None:
    case = parse_vignette(json.dumps(with_checkin(pain=1e300))).case
    with pytest.raises(ProblemsFound) as raised:
        triage(default_protocol(), case)
    assert (
        str(raised.value)
        == "checkins[0].pain: must be a whole number from 0 to 10 (got 1000000000000000052504760255204420248...)"
    )
