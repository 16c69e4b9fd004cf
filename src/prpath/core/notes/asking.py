"""Asking back: what a note reports that the form's answers did not, as questions for the patient.

A check-in is not stored until the patient has seen each question: "You wrote 'wet myself'. Have you lost
control of your bladder since the injection?" Their answer goes with the report (``NoteAnswer``): yes
becomes the form's answer, no is recorded as denied for that symptom (the note no longer counts for it),
and a question left unanswered leaves the note's report standing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from prpath.core.notes.reader import read_note
from prpath.core.protocol.schema import Protocol


class NoteAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    UNANSWERED = "unanswered"


@dataclass(frozen=True, slots=True)
class NoteQuestion:
    code: str  # the symptom the note reports
    words: str  # the patient's words for it, as they wrote them
    question: str  # the protocol's yes-or-no question for the symptom


def note_questions(
    protocol: Protocol, note: str, symptoms: Mapping[str, str], temperature_c: float | None = None
) -> tuple[NoteQuestion, ...]:
    """A question for each symptom the note reports that the answers do not (a symptom answered "No" on the
    form counts as not answered: the note may be what the patient meant). A fever is not asked about when
    the temperature typed in is already at the note's fever threshold."""
    rules = protocol.notes
    if rules is None or not note.strip():
        return ()
    by_code = {s.code: s for s in protocol.symptoms}
    asked: list[NoteQuestion] = []
    for report in read_note(rules, note).reports:
        symptom = by_code.get(report.code)
        if symptom is None or symptoms.get(report.code):
            continue
        if report.code == "fever" and temperature_c is not None and temperature_c >= rules.fever_at_c:
            continue
        asked.append(NoteQuestion(report.code, report.words, symptom.asked))
    return tuple(asked)


def answered(
    questions: tuple[NoteQuestion, ...], answers: Mapping[str, str], symptoms: Mapping[str, str], yes: str
) -> tuple[dict[str, str], dict[str, NoteAnswer]]:
    """The form's symptoms with each "yes" added (as ``yes``, the severity a yes stands for), and the answer
    to every question: anything but "yes" or "no" is unanswered, so the note's report stands."""
    merged = dict(symptoms)
    outcome: dict[str, NoteAnswer] = {}
    for question in questions:
        raw = str(answers.get(question.code) or "").strip().lower()
        answer = NoteAnswer(raw) if raw in (NoteAnswer.YES, NoteAnswer.NO) else NoteAnswer.UNANSWERED
        outcome[question.code] = answer
        if answer is NoteAnswer.YES:
            merged.setdefault(question.code, yes)
    return merged, outcome


def note_windows(note: str, limit: int, *, most: int = 50) -> list[str]:
    """A note as pieces the protocol reads (each at most ``limit`` characters, overlapping so that no phrase
    is cut in two): the whole of it when it fits, else the first pieces and the last, ``most`` in all."""
    if len(note) <= limit:
        return [note]
    overlap = min(200, limit // 4)
    starts = list(range(0, len(note) - overlap, limit - overlap))
    if len(starts) > most:
        starts = [*starts[: most - 1], len(note) - limit]
    return [note[start : start + limit] for start in starts]
