"""The protocol document: the default is valid and complete, bad documents are reported in full, and
changing the document changes the engine's answers with no code change."""

from __future__ import annotations

import copy
import re
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.problems import ProblemsFound
from prpath.core.protocol import Disposition
from prpath.core.protocol.document import parse_protocol, read_protocol_text
from prpath.core.protocol.schema import as_asked
from prpath.core.triage import triage
from prpath.files.protocols import default_protocol
from tests.conftest import PUBLIC_VIGNETTES, require_shared
from tests.factories import checkin, recovery_case, screening_case

DEFAULT = yaml.safe_load(resources.files("prpath.files").joinpath("default.yaml").read_text(encoding="utf-8"))


def edited(edit: Any) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(DEFAULT)
    edit(document)
    return document


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ProblemsFound) as raised:
        parse_protocol(document)
    return [str(p) for p in raised.value.problems]


def rule_index(document: dict[str, Any], section: str, rule_id: str) -> int:
    return next(i for i, rule in enumerate(document[section]) if rule["id"] == rule_id)


def test_the_default_protocol_is_valid_and_versioned() -> None:
    protocol = default_protocol()
    assert protocol.version == DEFAULT["version"]
    assert len(protocol.screening_rules) >= 13
    assert len(protocol.recovery_rules) >= 15


def test_the_default_protocol_knows_every_code_of_the_interchange_format() -> None:
    fmt = require_shared(PUBLIC_VIGNETTES.parent / "FORMAT.md").read_text(encoding="utf-8")
    section = fmt[fmt.index("## Codes") :]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    protocol = default_protocol()
    known = (
        {s.code for s in protocol.symptoms}
        | {c.code for c in protocol.conditions}
        | {t.code for t in protocol.targets}
        | {f.code for f in protocol.screening_factors}
    )
    assert listed - known == set()


def test_a_negative_day_is_reported_with_its_location() -> None:
    i = rule_index(DEFAULT, "recovery_rules", "recovery.lingering_bruise")
    problems = problems_of(edited(lambda d: d["recovery_rules"][i]["window"].update(from_day=-1)))
    assert problems == [f"recovery_rules[{i}].window.from_day: must be greater than or equal to 0 (got -1)"]


def test_every_reference_problem_is_reported_at_once() -> None:
    def break_it(document: dict[str, Any]) -> None:
        document["screening_rules"][0]["window"] = {"from_day": 2}
        document["recovery_rules"][2]["when"] = {"symptom": {"codes": ["leg_cramp"]}}
        document["recovery_rules"][3]["when"] = {"sign": "no_such_sign"}
        document["recovery_rules"][4]["id"] = document["recovery_rules"][5]["id"]
        document["recovery_rules"][5]["candidacy"] = "defer"

    problems = problems_of(edited(break_it))
    assert problems == [
        "screening_rules[0].window: a screening rule has no day window (there is no injection yet)",
        "recovery_rules[2].when.symptom.codes[0]: unknown symptom 'leg_cramp'",
        "recovery_rules[3].when.sign: unknown sign 'no_such_sign' (define it under 'signs')",
        "recovery_rules[5].id: duplicate rule id 'recovery.fever'",
        "recovery_rules[5].candidacy: a recovery rule has no candidacy",
    ]


def test_shape_errors_name_the_field() -> None:
    def break_it(document: dict[str, Any]) -> None:
        document["recovery_rules"][0]["disposition"] = "panic"
        document["recovery_rules"][1]["when"] = {"symptom": {"codes": ["rash"]}, "window": {"from_day": 1}}
        del document["recovery_rules"][2]["reason"]

    assert problems_of(edited(break_it)) == [
        "recovery_rules[0].disposition: must be 'self_care', 'consult', 'urgent' or 'emergency' (got 'panic')",
        "recovery_rules[1].when: an expression has exactly one of all, any, not, sign, symptom, history, condition, "
        "target, pain_trend, temperature, pain, window (got symptom, window)",
        "recovery_rules[2].reason: is required",
    ]


def test_recovery_only_tests_are_refused_in_screening_rules() -> None:
    document = edited(lambda d: d["screening_rules"][0].update(when={"symptom": {"codes": ["rash"], "new": True}}))
    assert problems_of(document) == [
        "screening_rules[0].when.symptom: new and rising compare check-ins, so they can only be used in recovery rules"
    ]


def test_signs_may_come_in_any_order_but_not_in_a_circle() -> None:
    reordered = edited(lambda d: d.update(signs=dict(reversed(list(d["signs"].items())))))
    assert parse_protocol(reordered).signs.keys() == DEFAULT["signs"].keys()

    def circle(document: dict[str, Any]) -> None:
        document["signs"]["fever"] = {"all": [{"sign": "new_nerve_symptom"}]}
        document["signs"]["new_nerve_symptom"] = {"not": {"sign": "fever"}}

    [problem] = problems_of(edited(circle))
    assert problem.startswith("signs.")
    assert "signs refer to each other in a circle" in problem


def _fever_threshold(document: dict[str, Any], threshold: float) -> None:
    document["signs"]["fever"]["any"][0]["temperature"]["at_least"] = threshold


def test_a_changed_fever_threshold_changes_the_answers_with_no_code_change() -> None:
    case = recovery_case(checkin(2, temperature=37.2), checkin(4, temperature=38.4))
    assert triage(default_protocol(), case).disposition is Disposition.URGENT
    stricter = parse_protocol(edited(lambda d: _fever_threshold(d, 38.5)))
    assert triage(stricter, case).disposition is Disposition.SELF_CARE
    assert triage(stricter, recovery_case(checkin(4, temperature=38.5))).disposition is Disposition.URGENT


def test_a_changed_day_window_changes_the_answers() -> None:
    i = rule_index(DEFAULT, "recovery_rules", "recovery.lingering_bruise")
    later = parse_protocol(edited(lambda d: d["recovery_rules"][i]["window"].update(from_day=15)))
    case = recovery_case(checkin(12, pain=4, injection_site_bruising="mild"))
    assert triage(default_protocol(), case).disposition is Disposition.CONSULT
    assert triage(later, case).disposition is Disposition.SELF_CARE


def test_a_new_screening_factor_and_symptom_need_no_code() -> None:
    def extend(document: dict[str, Any]) -> None:
        document["version"] = "clinic-7"
        document["screening_factors"].append({"code": "recent_spinal_surgery", "label": "spinal surgery this year"})
        document["symptoms"].append({"code": "night_sweats", "group": "systemic", "label": "night sweats"})
        common = {"reason": "Tell the clinic.", "rationale": "Local policy.", "source": "Clinic policy 2026"}
        document["screening_rules"].append(
            {
                "id": "screening.recent_surgery",
                "title": "Recent surgery",
                "when": {"history": ["recent_spinal_surgery"]},
                "disposition": "consult",
                "candidacy": "defer",
                **common,
            }
        )
        document["recovery_rules"].append(
            {
                "id": "recovery.night_sweats",
                "title": "Night sweats",
                "window": {"from_day": 2},
                "when": {"symptom": {"codes": ["night_sweats"]}},
                "disposition": "urgent",
                **common,
            }
        )

    protocol = parse_protocol(edited(extend))
    screened = triage(protocol, screening_case(history=["recent_spinal_surgery"]))
    assert (screened.disposition.value, screened.candidacy and screened.candidacy.value) == ("consult", "defer")
    assert triage(protocol, recovery_case(checkin(1, night_sweats="mild"))).disposition is Disposition.SELF_CARE
    late = triage(protocol, recovery_case(checkin(2, night_sweats="mild")))
    assert (late.disposition, late.protocol_version) == (Disposition.URGENT, "clinic-7")


def test_thresholds_that_input_can_never_reach_are_refused() -> None:
    def unreachable(document: dict[str, Any]) -> None:
        _fever_threshold(document, 46.0)
        document["signs"]["worsening_pain"]["all"][1]["pain"]["above_baseline_by"] = 11

    assert problems_of(edited(unreachable)) == [
        "signs.fever.any[0].temperature.at_least: 46.0 °C is outside the plausible range in limits (30.0-45.0 °C)",
        "signs.worsening_pain.all[1].pain.above_baseline_by: 11 can never be reached on a 0-10 scale",
    ]


def test_a_key_given_twice_is_refused_not_silently_replaced() -> None:
    text = resources.files("prpath.files").joinpath("default.yaml").read_text(encoding="utf-8")
    doubled = text.replace("signs:\n", "signs:\n  fever:\n    temperature: {at_least: 39.5}\n", 1)
    with pytest.raises(ProblemsFound) as raised:
        read_protocol_text(doubled, name="clinic.yaml")
    [problem] = raised.value.problems
    assert problem.location.startswith("line ")
    assert "the key 'fever' is given twice" in problem.message


def test_a_screening_rule_cannot_use_a_sign_that_compares_check_ins() -> None:
    i = rule_index(DEFAULT, "screening_rules", "screening.sensory_symptoms")
    document = edited(
        lambda d: d["screening_rules"][i].update(when={"any": [{"sign": "fever"}, {"sign": "new_nerve_symptom"}]})
    )
    assert problems_of(document) == [
        f"screening_rules[{i}].when: uses the sign 'fever', which compares check-ins or days: recovery rules only",
        f"screening_rules[{i}].when: uses the sign 'new_nerve_symptom', which compares check-ins or days: "
        "recovery rules only",
    ]


# --- yes-or-no symptoms ---------------------------------------------------------------------------------

_PROTOCOL = default_protocol()
_CODES = [s.code for s in _PROTOCOL.symptoms]
_UNGRADED = {s.code for s in _PROTOCOL.symptoms if not s.graded}


@given(st.dictionaries(st.sampled_from(_CODES), st.sampled_from(["mild", "moderate", "severe", "", "terrible"])))
def test_a_yes_or_no_symptom_is_a_plain_yes_whatever_grade_it_came_with(symptoms: dict[str, str]) -> None:
    asked = as_asked(_PROTOCOL, symptoms)

    assert asked.keys() == symptoms.keys()
    for code, value in symptoms.items():
        if code in _UNGRADED and value in {"mild", "moderate", "severe"}:
            assert asked[code] == "moderate"
        else:  # graded answers, and values that are not a grade (validation names those), stay as given
            assert asked[code] == value


def test_the_default_protocol_asks_its_red_flags_yes_or_no() -> None:
    assert {"bladder_control_loss", "saddle_numbness"} <= _UNGRADED
    assert "injection_site_pain" not in _UNGRADED
