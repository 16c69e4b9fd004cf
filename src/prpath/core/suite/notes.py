"""Note files (../shared/notes/FORMAT.md): a patient's words with the symptoms they report as the answer
key, read by the protocol's note rules and checked against that key."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from prpath.core.notes import NoteReading, read_note
from prpath.core.problems import Problem, ProblemsFound
from prpath.core.protocol.schema import Protocol

# Keys only a vignette has: a file with any of them is read as a vignette (and refused as one, if it is bad).
_VIGNETTE_KEYS = frozenset({"phase", "patient", "procedure", "checkins", "case"})


def looks_like_note(data: bytes | str) -> bool:
    """A note file (FORMAT.md of notes) rather than a vignette: a JSON object with the patient's ``text``,
    none of a vignette's keys, and no answer key that expects the file to be refused."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return False
    if not isinstance(document, dict) or not isinstance(document.get("text"), str):
        return False
    if _VIGNETTE_KEYS & document.keys():
        return False
    # An answer key is a note's ("reports") or none: a vignette's key (a disposition, an error) on a file that
    # has a "text" makes it a broken vignette, to be checked (and refused) as one.
    key = document.get("expected")
    return not isinstance(key, dict) or "reports" in key or not key.keys() & {"error", "disposition", "candidacy"}


@dataclass(frozen=True, slots=True)
class NoteFile:
    id: str
    text: str
    expected: tuple[str, ...] | None
    bad_key: str | None = None  # what is wrong with an answer key that cannot be read


def parse_note_file(data: bytes | str, *, stem: str) -> NoteFile:
    """A note file's id, text and answer key; ProblemsFound naming what is wrong with it otherwise."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ProblemsFound([Problem("", f"not valid JSON: {error}")]) from None
    if not isinstance(document, dict):
        raise ProblemsFound([Problem("", "a note file holds one JSON object")])
    given = document.get("id")
    note_id = given if isinstance(given, str) and given else stem
    text = document.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ProblemsFound([Problem("text", "is required: the patient's words")])
    key = document.get("expected")
    expected = _expected(key)
    bad = None if key is None or expected is not None else f"the answer key is not valid: {json.dumps(key)[:200]}"
    return NoteFile(note_id, text, expected, bad)


@dataclass(frozen=True, slots=True)
class NoteResult:
    id: str
    reading: NoteReading | None = None
    expected: tuple[str, ...] | None = None  # the answer key's codes, when the file has one
    error: str | None = None
    name: str = ""  # where it came from: a file name, or the name a clinic gave it
    bad_key: str | None = None  # an answer key that cannot be read: checking the note fails

    def as_line(self, *, explain: bool = False) -> dict[str, Any]:  # explain: as a vignette's; a note has no more
        if self.error is not None or self.reading is None:
            return {"id": self.id, "error": self.error}
        return {
            "id": self.id,
            "reports": self.reading.codes,
            "evidence": [{"code": r.code, "text": r.words} for r in self.reading.reports],
        }

    @property
    def agrees(self) -> bool:
        return self.reading is not None and self.expected is not None and self.reading.codes == list(self.expected)


def read_note_text(protocol: Protocol, data: bytes | str, *, stem: str, name: str = "") -> NoteResult:
    """One note file's text, read; an invalid file (not JSON, no text, too long) gives its error."""
    try:
        note = parse_note_file(data, stem=stem)
    except ProblemsFound as found:
        return NoteResult(_id_of(data, stem), error="; ".join(str(p) for p in found.problems), name=name)
    rules = protocol.notes
    if rules is None:
        return NoteResult(note.id, error="the protocol has no rules for reading notes (notes)", name=name)
    if len(note.text) > rules.max_length:
        error = f"text: is {len(note.text):,} characters; the protocol allows {rules.max_length:,}"
        return NoteResult(note.id, error=error, expected=note.expected, name=name)
    return NoteResult(note.id, read_note(rules, note.text), note.expected, name=name, bad_key=note.bad_key)


def _id_of(data: bytes | str, stem: str) -> str:
    """The id a file gives itself, as far as it can be read; else its file name's stem."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return stem
    given = document.get("id") if isinstance(document, dict) else None
    return given if isinstance(given, str) and given else stem


def _expected(key: object) -> tuple[str, ...] | None:
    if not isinstance(key, dict) or not isinstance(key.get("reports"), list):
        return None
    reports = key["reports"]
    if not all(isinstance(code, str) for code in reports):
        return None
    return tuple(sorted(set(reports)))


@dataclass
class NoteCheck:
    """What ``--check`` prints: per symptom code, how many notes report it and how many of those were found;
    the notes that report nothing but were flagged; exact agreement."""

    checked: int = 0
    agreeing: int = 0
    reported: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    disagreements: list[str] = field(default_factory=list)
    flagged_when_nothing: list[str] = field(default_factory=list)
    invalid: int = 0

    @property
    def all_agree(self) -> bool:
        return self.checked == self.agreeing

    def summary_lines(self) -> list[str]:
        share = f"{100 * self.agreeing / self.checked:.1f}%" if self.checked else "-"
        lines = [f"checked {self.checked} notes; exact agreement {self.agreeing}/{self.checked} ({share})"]
        for code in sorted(self.reported):
            lines.append(f"  {code}: reported in {self.reported[code]}, found in {self.found[code]}")
        flagged = self.flagged_when_nothing
        which = f" ({', '.join(flagged)})" if flagged else ""
        lines.append(f"notes that report nothing, flagged anyway: {len(flagged)}{which}")
        lines.append(f"invalid files: {self.invalid}")
        return lines


def check_notes(results: list[NoteResult]) -> NoteCheck:
    check = NoteCheck()
    for result in results:
        if result.error is not None:
            check.invalid += 1
            continue
        if result.bad_key is not None:
            check.checked += 1
            check.disagreements.append(f"BAD KEY {result.id}: {result.bad_key}")
            continue
        if result.expected is None or result.reading is None:
            continue
        check.checked += 1
        got = result.reading.codes
        for code in result.expected:
            check.reported[code] += 1
            check.found[code] += code in got
        if result.agrees:
            check.agreeing += 1
            continue
        missed = [c for c in result.expected if c not in got]
        extra = [c for c in got if c not in result.expected]
        check.disagreements.append(
            f"DISAGREE {result.id}: missed {', '.join(missed) or '-'}; also found {', '.join(extra) or '-'}"
        )
        if not result.expected and got:
            check.flagged_when_nothing.append(result.id)
    return check
