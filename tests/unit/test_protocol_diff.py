"""What changed between two protocol versions, in a clinician's words (the Protocol page and `prpath
protocol diff` show these sentences)."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.protocol.diff import Topic, diff_protocols
from prpath.core.protocol.document import line_of, parse_protocol
from prpath.core.protocol.schema import Disposition, Protocol

DEFAULT: dict[str, Any] = yaml.safe_load(resources.files("prpath.files").joinpath("default.yaml").read_text("utf-8"))
ACTIVE = parse_protocol(DEFAULT)


def edited(change: Any) -> Protocol:
    document = copy.deepcopy(DEFAULT)
    change(document)
    return parse_protocol(document)


def rule(document: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in [*document["screening_rules"], *document["recovery_rules"]] if r["id"] == rule_id)


def test_a_version_compared_with_itself_has_no_change() -> None:
    assert diff_protocols(ACTIVE, edited(lambda d: None)) == []


def test_a_higher_fever_threshold_is_named_as_a_threshold_with_the_rules_that_use_it() -> None:
    def raise_fever(document: dict[str, Any]) -> None:
        document["signs"]["fever"]["any"][0]["temperature"]["at_least"] = 38.5

    [change] = diff_protocols(ACTIVE, edited(raise_fever))
    assert change.topic == Topic.THRESHOLD
    assert (change.what, change.before, change.after) == ("temperature threshold", "38.0 °C", "38.5 °C")
    assert change.item.startswith("[fever], used by ")
    assert "recovery.fever" in change.item
    assert "recovery.fever_with_nerve_signs" in change.item
    assert change.sentence == f"Signs: {change.item}: temperature threshold changed from “38.0 °C” to “38.5 °C”"


def test_a_rule_moved_in_the_document_is_not_a_change() -> None:
    assert diff_protocols(ACTIVE, edited(lambda d: d["recovery_rules"].reverse())) == []


def test_a_rule_added_and_one_removed() -> None:
    def swap(document: dict[str, Any]) -> None:
        gone = document["recovery_rules"].pop()
        document["recovery_rules"].append({**gone, "id": "recovery.clinic_own_rule", "title": "Our own rule"})

    changes = diff_protocols(ACTIVE, edited(swap))
    gone = DEFAULT["recovery_rules"][-1]["id"]
    assert [(c.topic, c.what, c.item.split(" ")[0]) for c in changes] == [
        (Topic.RULE, "removed", gone),
        (Topic.RULE, "added", "recovery.clinic_own_rule"),
    ]
    assert " when " in (changes[1].after or "")


def test_a_disposition_day_window_and_patient_text_each_named() -> None:
    def edit(document: dict[str, Any]) -> None:
        target = rule(document, "recovery.fever")
        target["disposition"] = "emergency"
        target["reason"] = "Call us."
        bruise = rule(document, "recovery.lingering_bruise")
        bruise["window"] = {"from_day": 12}

    changes = {(c.item.split(" ")[0], c.what): c for c in diff_protocols(ACTIVE, edited(edit))}
    assert changes["recovery.fever", "disposition"].after == "emergency"
    assert changes["recovery.fever", "disposition"].topic == Topic.RULE
    assert changes["recovery.fever", "text for the patient"].after == "Call us."
    window = changes["recovery.lingering_bruise", "day window"]
    assert (window.topic, window.before, window.after) == (Topic.DAY_WINDOW, "day 11 on", "day 12 on")


def test_a_condition_of_another_shape_shows_before_and_after() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["signs"]["fever"] = {"temperature": {"at_least": 38.0}}

    [change] = diff_protocols(ACTIVE, edited(edit))
    assert change.topic == Topic.RULE
    assert (change.what, change.before, change.after) == (
        "condition",
        "temperature >= 38.0 °C or fever|chills",
        "temperature >= 38.0 °C",
    )


def test_codes_and_texts_added_removed_or_changed() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["symptoms"].append({"code": "hiccups", "group": "systemic", "label": "hiccups"})
        document["dispositions"]["urgent"]["instruction"] = "Ring us today."
        document["recovery_plan"]["stages"][0]["normal"].append("Feeling tired.")
        document["recovery_plan"]["stages"][0]["allowed"].pop(0)

    sentences = [c.sentence for c in diff_protocols(ACTIVE, edited(edit))]
    assert "Symptoms: hiccups (hiccups): added (hiccups)" in sentences
    assert any(s.startswith("Dispositions: urgent: instruction for the patient changed from") for s in sentences)
    assert any(s.endswith("what is normal: added (Feeling tired.)") for s in sentences)
    assert any("what is allowed: removed (was Rest, with short easy walks" in s for s in sentences)


def test_the_check_in_schedule_is_compared_entry_by_entry() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["schedules"]["checkins"][1]["every_days"] = 3

    [change] = diff_protocols(ACTIVE, edited(edit))
    assert (change.topic, change.section, change.what, change.before, change.after) == (
        Topic.SCHEDULE,
        "Check-in schedule",
        "every how many days",
        "7",
        "3",
    )


RULE_IDS = [r["id"] for r in DEFAULT["recovery_rules"]]


@given(st.sampled_from(RULE_IDS), st.sampled_from(list(Disposition)))
def test_a_changed_disposition_is_the_one_change_reported(rule_id: str, disposition: Disposition) -> None:
    def edit(document: dict[str, Any]) -> None:
        rule(document, rule_id)["disposition"] = disposition.value

    old = rule(DEFAULT, rule_id)["disposition"]
    changes = diff_protocols(ACTIVE, edited(edit))
    if old == disposition.value:
        assert changes == []
    else:
        [change] = changes
        assert change.item.startswith(rule_id + " ")
        assert (change.what, change.before, change.after) == ("disposition", old, disposition.value)


@given(st.sampled_from(RULE_IDS), st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and t))
def test_a_changed_reason_is_named_with_its_new_words(rule_id: str, words: str) -> None:
    def edit(document: dict[str, Any]) -> None:
        rule(document, rule_id)["reason"] = words

    changes = diff_protocols(ACTIVE, edited(edit))
    if rule(DEFAULT, rule_id)["reason"] == words:
        assert changes == []
    else:
        [change] = changes
        assert (change.what, change.after) == ("text for the patient", words)


def test_a_problem_is_found_on_the_line_it_is_written() -> None:
    text = resources.files("prpath.files").joinpath("default.yaml").read_text("utf-8")
    lines = text.splitlines()
    bruise = next(i for i, r in enumerate(DEFAULT["recovery_rules"]) if r["id"] == "recovery.lingering_bruise")
    at = line_of(text, f"recovery_rules[{bruise}].window.from_day")
    assert at is not None
    assert "from_day: 11" in lines[at - 1]
    first_rule = line_of(text, "recovery_rules[0]")
    assert first_rule is not None
    assert "- id: recovery." in lines[first_rule - 1]
    assert line_of(text, "limits.pain_max") == next(i for i, line in enumerate(lines, 1) if "pain_max:" in line)
    # A key that is not there points at the mapping it belongs in; text that is not YAML has no line.
    assert line_of(text, "limits.no_such_key") == line_of(text, "limits")
    assert line_of("a: [unclosed", "a") is None


def test_the_question_asked_about_a_note_and_who_reads_notes_are_named() -> None:
    def edit(document: dict[str, Any]) -> None:
        bladder = next(s for s in document["symptoms"] if s["code"] == "bladder_control_loss")
        bladder["question"] = "Have you wet yourself?"
        document["notes"]["read_by"] = "the duty nurse"
        document["notes"]["read_within_working_days"] = 0

    changes = diff_protocols(ACTIVE, edited(edit))
    sentences = [c.sentence for c in changes]

    assert any("bladder_control_loss" in s and "Have you wet yourself?" in s for s in sentences), sentences
    assert any(s.startswith("Reading notes") and "the duty nurse" in s for s in sentences), sentences
    assert any(s.startswith("Reading notes") and "read within working days" in s for s in sentences), sentences
