"""Asking back: what a note reports that the form did not becomes a question quoting the patient's words;
a "no" is denied (the note no longer counts for that symptom), a "yes" or no answer leaves it reported."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.notes import NoteAnswer, answered, note_questions
from prpath.core.problems import ProblemsFound
from prpath.core.protocol.schema import Disposition
from prpath.core.triage import Case, triage
from prpath.files.protocols import default_protocol
from tests.unit.test_note_reader import PHRASES

PROTOCOL = default_protocol()
QUESTIONS = {s.code: s.asked for s in PROTOCOL.symptoms}


def _case(note: str | None, *, denied: tuple[str, ...] = (), symptoms: dict[str, str] | None = None) -> Case:
    return Case.model_validate(
        {
            "phase": "recovery",
            "patient": {"baseline": {"pain": 5}},
            "procedure": {"date": dt.date(2026, 3, 2), "target": "intradiscal"},
            "checkins": [
                {"date": dt.date(2026, 3, 5), "pain": 4, "symptoms": symptoms or {}, "note": note, "denied": denied}
            ],
        }
    )


def test_the_question_quotes_the_patients_words() -> None:
    asked = note_questions(PROTOCOL, "All fine, but I WET myself at lunch", {})

    assert [(q.code, q.words, q.question) for q in asked] == [
        ("bladder_control_loss", "WET myself", "Have you lost control of your bladder since the injection?")
    ]


def test_every_shipped_symptom_has_its_own_question() -> None:
    assert all(s.question for s in PROTOCOL.symptoms), [s.code for s in PROTOCOL.symptoms if not s.question]
    assert len(set(QUESTIONS.values())) == len(QUESTIONS)


def test_nothing_is_asked_of_a_note_about_someone_else_or_a_denial() -> None:
    assert note_questions(PROTOCOL, "My husband has a fever. No numbness at all.", {}) == ()


def test_a_fever_already_measured_is_not_asked_again() -> None:
    assert [q.code for q in note_questions(PROTOCOL, "I have a fever", {}, 37.2)] == ["fever"]
    assert note_questions(PROTOCOL, "I have a fever", {}, 38.0) == ()


@pytest.mark.parametrize("item", PHRASES, ids=[f"{c}: {p}" for c, p in PHRASES])
def test_every_phrase_is_asked_unless_the_form_answers_it(item: tuple[str, str]) -> None:
    code, phrase = item
    note = f"Since this morning {phrase}."

    asked = {q.code: q for q in note_questions(PROTOCOL, note, {})}

    assert code in asked
    assert asked[code].words.lower() in note.lower()
    assert asked[code].question == QUESTIONS[code]
    assert code not in {q.code for q in note_questions(PROTOCOL, note, {code: "mild"})}


@pytest.mark.parametrize("item", PHRASES, ids=[f"{c}: {p}" for c, p in PHRASES])
def test_a_denied_phrase_no_longer_counts_and_an_undenied_one_does(item: tuple[str, str]) -> None:
    code, phrase = item
    note = f"Since this morning {phrase}."
    others = tuple(q.code for q in note_questions(PROTOCOL, note, {}) if q.code != code)

    denied = triage(PROTOCOL, _case(note, denied=(code, *others)))
    kept = triage(PROTOCOL, _case(note, denied=others))

    assert denied == triage(PROTOCOL, _case(None))  # as though nothing had been written
    as_answered = triage(PROTOCOL, _case(None, symptoms={code: "moderate"}))
    assert kept.disposition == as_answered.disposition  # the note counts as that answer on the form
    assert [f.rule for f in kept.findings] == [f.rule for f in as_answered.findings]


def test_a_denial_does_not_undo_the_forms_own_answer() -> None:
    with_form = triage(
        PROTOCOL, _case("I wet myself", denied=("bladder_control_loss",), symptoms={"bladder_control_loss": "moderate"})
    )

    assert with_form.disposition == Disposition.EMERGENCY


def test_an_unknown_denied_code_is_refused_naming_the_field() -> None:
    with pytest.raises(ProblemsFound) as refused:
        triage(PROTOCOL, _case("fine", denied=("not_a_symptom",)))

    assert [str(p) for p in refused.value.problems] == ["checkins[0].denied: unknown symptom code 'not_a_symptom'"]


@given(st.dictionaries(st.sampled_from(sorted(QUESTIONS)), st.text(max_size=8)))
def test_only_yes_or_no_is_an_answer_and_only_yes_adds_the_symptom(raw: dict[str, str]) -> None:
    asked = note_questions(PROTOCOL, "I wet myself and my legs are numb and I have a rash", {})
    assert {q.code for q in asked} == {"bladder_control_loss", "leg_numbness", "rash"}

    symptoms, answers = answered(asked, raw, {"itching": "mild"}, "moderate")

    assert set(answers) == {q.code for q in asked}
    for q in asked:
        said = raw.get(q.code, "").strip().lower()
        expected = NoteAnswer(said) if said in ("yes", "no") else NoteAnswer.UNANSWERED
        assert answers[q.code] == expected
        assert (q.code in symptoms) == (expected == NoteAnswer.YES)
    assert symptoms["itching"] == "mild"


# --- screening: the questionnaire's own words ----------------------------------------------------------


def _screening(note: str | None, symptoms: dict[str, str] | None = None) -> Case:
    return Case.model_validate(
        {
            "phase": "screening",
            "patient": {"conditions": ["sciatica"], "baseline": {"pain": 6, "symptoms": symptoms or {}, "note": note}},
        }
    )


@pytest.mark.parametrize("item", PHRASES, ids=[f"{c}: {p}" for c, p in PHRASES])
def test_a_screening_note_counts_as_the_answer_it_reports(item: tuple[str, str]) -> None:
    code, phrase = item

    from_note = triage(PROTOCOL, _screening(f"Since last week {phrase}."))
    from_form = triage(PROTOCOL, _screening(None, {code: "moderate"}))

    assert (from_note.disposition, from_note.candidacy) == (from_form.disposition, from_form.candidacy)
    assert [f.rule for f in from_note.findings] == [f.rule for f in from_form.findings]


def test_a_screening_note_about_someone_else_changes_nothing() -> None:
    assert triage(PROTOCOL, _screening("My mother lost control of her bladder")) == triage(PROTOCOL, _screening(None))


def test_a_screening_note_over_the_limit_is_refused_naming_the_field() -> None:
    with pytest.raises(ProblemsFound) as refused:
        triage(PROTOCOL, _screening("x" * 2001))

    assert [str(p) for p in refused.value.problems] == ["patient.baseline.note: is 2,001 characters; at most 2,000"]


def test_a_screening_note_is_no_baseline_for_recovery() -> None:
    # "weakness in my left leg" written at screening must not make new weakness after the injection look old.
    def recovery(note: str | None) -> Case:
        return Case.model_validate(
            {
                "phase": "recovery",
                "patient": {"baseline": {"pain": 5, "note": note}},
                "procedure": {"date": dt.date(2026, 3, 2)},
                "checkins": [{"date": dt.date(2026, 3, 5), "pain": 4, "symptoms": {"leg_weakness": "moderate"}}],
            }
        )

    with_note = triage(PROTOCOL, recovery("I have weakness in my left leg"))

    assert with_note.disposition == triage(PROTOCOL, recovery(None)).disposition == Disposition.EMERGENCY
