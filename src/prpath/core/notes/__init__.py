"""What a patient's own words report: the symptom codes a note affirms about the patient now, each with
the words that say so (../shared/notes/FORMAT.md). The rules come from the protocol's ``notes`` section."""

from prpath.core.notes.asking import NoteAnswer, NoteQuestion, answered, note_questions, note_windows
from prpath.core.notes.reader import NoteReading, NoteReport, read_note

__all__ = [
    "NoteAnswer",
    "NoteQuestion",
    "NoteReading",
    "NoteReport",
    "answered",
    "note_questions",
    "note_windows",
    "read_note",
]
