"""Patient education in the protocol document: the default explains every condition and ships the six
topics, and a hand-edited topic is checked like the rest of the document."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from prpath.core.problems import ProblemsFound
from prpath.core.protocol.document import parse_protocol
from prpath.files.protocols import default_protocol

DEFAULT = yaml.safe_load(resources.files("prpath.files").joinpath("default.yaml").read_text(encoding="utf-8"))

TOPICS = [
    "about_prp",
    "conventional_treatments",
    "alternative_therapies",
    "home_care",
    "recovery_after_prp",
    "when_to_get_help",
]


def edited(edit: Any) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(DEFAULT)
    edit(document)
    return document


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ProblemsFound) as raised:
        parse_protocol(document)
    return [str(p) for p in raised.value.problems]


def topic_index(document: dict[str, Any], code: str) -> int:
    return next(i for i, topic in enumerate(document["education"]) if topic["code"] == code)


def test_every_default_condition_is_explained_in_plain_words() -> None:
    protocol = default_protocol()
    assert len(protocol.conditions) == 8
    missing = [c.code for c in protocol.conditions if not c.about]
    assert missing == []


def test_the_default_protocol_has_the_six_topics_each_with_something_to_read() -> None:
    protocol = default_protocol()
    assert [topic.code for topic in protocol.education] == TOPICS
    for topic in protocol.education:
        assert topic.title
        assert topic.summary
        assert topic.sections
        assert all(section.heading and section.points for section in topic.sections)


def test_when_to_get_help_names_the_fever_threshold_the_rules_use() -> None:
    threshold = DEFAULT["signs"]["fever"]["any"][0]["temperature"]["at_least"]
    [topic] = [t for t in default_protocol().education if t.code == "when_to_get_help"]
    text = " ".join(point for section in topic.sections for point in section.points)
    assert f"{threshold:.1f} °C" in text


def test_a_protocol_without_education_is_still_valid() -> None:
    protocol = parse_protocol(edited(lambda d: d.pop("education")))
    assert protocol.education == []


def test_a_duplicate_topic_code_is_reported_with_its_location() -> None:
    i = topic_index(DEFAULT, "home_care")
    problems = problems_of(edited(lambda d: d["education"][i].update(code="about_prp")))
    assert problems == [f"education[{i}].code: duplicate code 'about_prp'"]


def test_an_unknown_key_in_a_topic_is_refused() -> None:
    i = topic_index(DEFAULT, "about_prp")
    problems = problems_of(edited(lambda d: d["education"][i].update(sumary="A misspelt key.")))
    assert problems == [f"education[{i}].sumary: is not a known field"]


def test_a_topic_needs_at_least_one_section_with_at_least_one_point() -> None:
    def empty(document: dict[str, Any]) -> None:
        document["education"][0]["sections"] = []
        document["education"][1]["sections"][0]["points"] = []

    problems = problems_of(edited(empty))
    assert len(problems) == 2
    assert problems[0].startswith("education[0].sections:")
    assert problems[1].startswith("education[1].sections[0].points:")
