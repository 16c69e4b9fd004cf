"""The safety suite reads note files beside vignettes: a clinic that edits how notes are read sees what
it changed, and a red flag a draft no longer finds in a note is a missed emergency."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.notes import note_windows
from prpath.core.protocol.document import parse_protocol
from prpath.core.suite.notes import looks_like_note
from prpath.core.suite.safety import SuiteVignette, red_flags, run_suite
from prpath.files.protocols import default_protocol, default_protocol_text
from prpath.files.vignettes import shipped_suite

PROTOCOL = default_protocol()


def note(text: str, reports: list[str], note_id: str = "n") -> SuiteVignette:
    return SuiteVignette(
        f"clinic/{note_id}.json", json.dumps({"id": note_id, "text": text, "expected": {"reports": reports}}).encode()
    )


def test_the_shipped_suite_holds_notes_and_the_default_protocol_passes_it_all() -> None:
    suite = shipped_suite()
    notes = [v for v in suite if looks_like_note(v.text)]

    result = run_suite(PROTOCOL, suite)

    assert len(notes) >= 30
    assert result.report.notes == len(notes)
    assert result.disagreements == []


def test_red_flags_are_what_needs_the_emergency_department_alone() -> None:
    assert red_flags(PROTOCOL) >= {"bladder_control_loss", "saddle_numbness", "difficulty_breathing"}
    assert "injection_site_pain" not in red_flags(PROTOCOL)


def test_a_draft_that_no_longer_reads_a_red_flag_in_a_note_misses_an_emergency() -> None:
    document = yaml.safe_load(default_protocol_text())
    document["notes"]["symptoms"]["bladder_control_loss"] = ["lost control of my bladder"]
    draft = parse_protocol(document)

    result = run_suite(draft, [note("I wet myself this morning", ["bladder_control_loss"])])

    assert [d.vignette for d in result.missed_emergencies] == ["n"]
    assert result.missed_emergencies[0].source == "clinic/n.json"


def test_a_note_read_with_more_than_its_key_is_a_disagreement_to_accept_not_a_missed_emergency() -> None:
    result = run_suite(PROTOCOL, [note("Sore where the needle went in", [])])

    assert [d.vignette for d in result.to_accept] == ["n"]
    assert result.missed_emergencies == []


@pytest.mark.parametrize(
    ("document", "is_note"),
    [
        ({"id": "x", "text": "I wet myself", "expected": {"reports": []}}, True),
        ({"text": "no id"}, True),
        ({"id": "x", "text": "words", "phase": "recovery"}, False),  # a vignette with a stray "text"
        ({"id": "x", "text": "words", "expected": {"error": True}}, False),  # refused as a bad vignette
        ({"id": "x", "text": 3}, False),
        (["a list"], False),
    ],
)
def test_a_note_file_is_told_from_a_vignette_by_what_it_holds(document: object, is_note: bool) -> None:
    assert looks_like_note(json.dumps(document)) is is_note


@given(st.binary(max_size=40))
def test_no_bytes_break_the_choice(data: bytes) -> None:
    assert looks_like_note(data) in (True, False)


def test_a_broken_vignette_with_a_text_is_checked_as_a_vignette_and_fails() -> None:
    broken = SuiteVignette(
        "clinic/v.json", json.dumps({"id": "v", "text": "x", "expected": {"disposition": "emergency"}}).encode()
    )

    result = run_suite(PROTOCOL, [broken])

    assert [d.vignette for d in result.missed_emergencies] == ["v"]


@pytest.mark.parametrize("key", [{"reports": "oops"}, ["bladder_control_loss"], "bladder_control_loss"])
def test_a_note_whose_answer_key_cannot_be_read_fails_the_check(key: object) -> None:
    bad = SuiteVignette("clinic/n.json", json.dumps({"id": "n", "text": "I wet myself", "expected": key}).encode())

    result = run_suite(PROTOCOL, [bad])

    assert not result.report.all_agree
    assert [d.vignette for d in result.disagreements] == ["n"]


def test_a_long_note_is_read_in_overlapping_pieces_to_its_end() -> None:
    note = "".join(f"{i:05d} " for i in range(4000))  # 24,000 characters: every piece of it can be told apart

    pieces = note_windows(note, 2000)

    assert all(len(p) <= 2000 for p in pieces)
    assert all(any(f"{i:05d} " in piece for piece in pieces) for i in range(4000))  # no word left unread
    assert note_windows("short", 2000) == ["short"]
    assert len(note_windows("x" * 200_000, 2000)) == 50  # the first 49 pieces and the last
