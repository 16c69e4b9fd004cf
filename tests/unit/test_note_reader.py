"""The note reader: what a patient's own words report, as ../shared/notes/FORMAT.md defines it, from the
shipped protocol's phrases and context words. Examples, the public note set, and properties over every
phrase of the protocol."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.notes import read_note
from prpath.core.protocol.schema import NoteRules
from prpath.files.protocols import default_protocol
from tests.conftest import ROOT, require_shared

RULES = default_protocol().notes
assert RULES is not None
NOTES: NoteRules = RULES


def codes(text: str) -> list[str]:
    return read_note(NOTES, text).codes


EXAMPLES = [
    ("I wet myself this morning", ["bladder_control_loss"]),
    ("no numbness at all", []),
    ("My wife has a fever", []),
    ("What if my leg goes numb?", []),
    ("The numbness has gone", []),
    ("No fever, but my leg is tingly", ["leg_tingling"]),
    ("pins and needels in my calf", ["leg_tingling"]),  # a slip a person reads through
    ("I feel feverih and shivery", ["chills", "fever"]),
    ("temperature 101.5 F tonight", ["fever"]),
    ("temp was 38.2", ["fever"]),
    ("Temperature 37.4, feeling fine", []),
    ("I walked 38 minutes", []),  # a number is a temperature only when the note says so
    ("39 °C this evening", ["fever"]),
    ("I don't have a temperature", []),
    ("Worried about infection, watch for pus", []),
    ("Can't feel my right foot", ["leg_numbness"]),
    ("Numb between my legs", ["saddle_numbness"]),  # the longer phrase, not leg numbness too
    # Apostrophes as phones type them, none at all, capitals: spaCy reads each as "can" "not".
    ("I can’t breathe", ["difficulty_breathing"]),
    ("i cant pee", ["urinary_retention"]),
    ("I CAN'T BREATHE", ["difficulty_breathing"]),
    ("I haven’t been able to pee since last night", ["urinary_retention"]),
    ("I don’t have a fever", []),
    # A question after a report does not take the report back; a "what if" is not one.
    ("I wet myself, is that normal?", ["bladder_control_loss"]),
    ("My leg gave way, what should I do?", ["leg_weakness"]),
    ("Will I get a fever?", []),
    # A denial does not reach into the next statement, but does reach along a list.
    ("No fever, wet myself this morning", ["bladder_control_loss"]),
    ("no fever i wet myself", ["bladder_control_loss"]),
    ("No itching, lips are swollen", ["face_or_throat_swelling"]),
    ("No fever, chills or rash", []),
    # Someone else's words about the patient are the patient's.
    ("My husband says I have a fever", ["fever"]),
    ("My brother's temp was 39", []),
    # Everyday words are not read as slips of symptom words.
    ("We walked up the hills", []),
    ("I'm keeping active as advised", []),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_each_report_quotes_the_words_of_the_note() -> None:
    reading = read_note(NOTES, "Since Tuesday I wet myself twice and my foot is dragging.")
    assert [(r.code, r.words) for r in reading.reports] == [
        ("bladder_control_loss", "wet myself"),
        ("leg_weakness", "foot is dragging"),
    ]


def test_every_public_note_is_read_as_its_answer_key() -> None:
    folder = require_shared(ROOT.parent / "shared" / "notes" / "public")
    wrong = []
    for path in sorted(folder.glob("*.json")):
        note = json.loads(path.read_text(encoding="utf-8"))
        got = codes(note["text"])
        if got != sorted(note["expected"]["reports"]):
            wrong.append((note["id"], note["text"], got))
    assert wrong == []


# --- properties over every phrase of the shipped protocol ------------------------------------------------


def _written(phrase: str) -> str:
    """A phrase as a patient would write it: "*" (a word that may be there) left out."""
    return " ".join(word for word in phrase.split() if word != "*")


PHRASES = sorted((code, _written(phrase)) for code, phrases in NOTES.symptoms.items() for phrase in phrases)
NEUTRAL = ["really", "quite", "yesterday", "evening", "morning", "kitchen", "garden", "walking", "coffee", "today"]


def _reports(code: str, text: str) -> bool:
    return code in codes(text)


@pytest.mark.parametrize("item", PHRASES, ids=[f"{c}: {p}" for c, p in PHRASES])
def test_a_sentence_affirming_a_phrase_reports_its_code(item: tuple[str, str]) -> None:
    code, phrase = item
    curly = phrase.replace("'", "’")  # as a phone types it
    for sentence in (f"Since this morning {phrase}.", f"{phrase.upper()}!", f"{curly}, is that normal?"):
        assert _reports(code, sentence), sentence


# A phrase that is itself a denial ("no feeling in my foot") has no plain negation: "no no feeling" is asked
# and said of someone else like the others, not denied.
NEGATIONS = {word.lower() for word in NOTES.context.negated}
DENIALS = {(code, phrase) for code, phrase in PHRASES if phrase.split()[0].lower() in NEGATIONS}


@pytest.mark.parametrize("item", PHRASES, ids=[f"{c}: {p}" for c, p in PHRASES])
def test_the_same_phrase_negated_asked_or_said_of_someone_else_does_not(item: tuple[str, str]) -> None:
    code, phrase = item
    sentences = [f"What if {phrase}?", f"My husband has {phrase}."]
    if item not in DENIALS:
        sentences.append(f"No {phrase} at all.")
    for sentence in sentences:
        assert not _reports(code, sentence), sentence


@given(
    st.sampled_from(PHRASES),
    st.lists(st.sampled_from(NEUTRAL), max_size=4),
    st.lists(st.sampled_from(NEUTRAL), max_size=4),
)
def test_unrelated_words_around_a_phrase_never_remove_its_report(
    item: tuple[str, str], before: list[str], after: list[str]
) -> None:
    code, phrase = item
    assert _reports(code, f"{phrase}.")
    assert _reports(code, " ".join([*before, phrase, *after]) + ".")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("38.2 degrees", ["fever"]),
        ("101 degrees last night", ["fever"]),
        ("I was 39 degrees last night", ["fever"]),
        ("I can bend it 60 degrees now", []),
        ("Temperature 102F, no chills", ["fever"]),  # a denial after the number is not about it
        ("Temp 38.9 and not feeling great", ["fever"]),
        ("My husband's temp was 39, mine is 38.5", ["fever"]),
        ("No pain, wet myself or something this morning", ["bladder_control_loss"]),
        ("No numbness, tingling or weakness", []),
        ("I keep chivering", ["chills"]),
        ("numb inner thighs and bottom", ["saddle_numbness"]),
        ("Nothing comes to mind", []),
        # A "what if" imagines what follows it, "I" and all; a later "I" says what is so. After any other such
        # word, "I ..." tells what happened: a false alarm is asked back, a miss is not.
        ("What if I get a fever?", []),
        ("what if I lose control of my bladder", []),
        ("if im honest i wet myself", ["bladder_control_loss"]),
        ("I'm worried that I wet myself last night", ["bladder_control_loss"]),
        ("I'm worried that I've lost control of my bladder", ["bladder_control_loss"]),
        ("Worried that I can't pass urine", ["urinary_retention"]),
        ("in case I wet myself again I'm wearing pads", ["bladder_control_loss"]),
        ("if I stand my head hurts when I stand", ["positional_headache"]),
        ("if I go to the toilet nothing comes out", ["urinary_retention"]),
        ("if I start walking my legs give way", ["leg_weakness"]),
        ("worried that I couldn't pee all day", ["urinary_retention"]),
        ("I'm worried that I might have wet myself in my sleep", ["bladder_control_loss"]),
        ("What if I wet myself again like I did yesterday?", ["bladder_control_loss"]),
        ("in case I get a rash", []),
        ("If I get a fever should I call you?", []),
        ("No idea if it's related but I wet myself", ["bladder_control_loss"]),
        # A word a phrase may have is never a denial.
        ("Headache gets worse when I sit up", ["positional_headache"]),
        ("headache not worse when I sit up", []),
        ("I havent been able to pass urine since this morning", ["urinary_retention"]),
        ("I have been able to pass urine fine", []),
    ],
)
def test_more_ways_of_saying_it(text: str, expected: list[str]) -> None:
    assert codes(text) == expected
