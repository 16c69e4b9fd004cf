"""Synthetic patients (``prpath.core.synthetic``): made-up people that follow the demo's stories. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from prpath.core.synthetic import STORY_MIX, Story, SyntheticPatient, generate_patients
from prpath.files.protocols import default_protocol

TODAY = dt.date(2026, 5, 14)
PROTOCOL = default_protocol()
SCHEDULED_DAYS = (*range(1, 15), 21, 28, 35, 42)  # CLINICAL.md: daily on days 1-14, then weekly to week 6
INJECTED_STORIES = {
    Story.INJECTED_YESTERDAY,
    Story.DAY_3_IN_PROGRESS,
    Story.DAY_5_FEVER,
    Story.DAY_8_MISSED,
    Story.DAY_12_RECOVERING,
    Story.WEEK_6,
}


def patients_of(story: Story, patients: list[SyntheticPatient]) -> list[SyntheticPatient]:
    found = [p for p in patients if p.story == story]
    assert found, f"no {story} patient"
    return found


def test_the_same_seed_and_date_give_the_same_patients() -> None:
    assert generate_patients(30, today=TODAY, seed=7) == generate_patients(30, today=TODAY, seed=7)


def test_another_seed_gives_other_patients() -> None:
    first = generate_patients(30, today=TODAY, seed=7)
    second = generate_patients(30, today=TODAY, seed=8)

    assert [p.date_of_birth for p in first] != [p.date_of_birth for p in second]


def test_thirty_patients_tell_every_story() -> None:
    patients = generate_patients(30, today=TODAY)

    assert len(patients) == 30
    assert {p.story for p in patients} == set(Story)
    assert set(STORY_MIX) == set(Story)


def test_the_first_patients_are_the_stories_a_clinic_most_needs_to_see() -> None:
    patients = generate_patients(3, today=TODAY)

    assert [p.story for p in patients] == list(STORY_MIX[:3])
    assert patients[0].story == Story.DAY_5_FEVER


def test_emails_are_unique_and_plain_ascii() -> None:
    patients = generate_patients(200, today=TODAY)

    emails = [p.email for p in patients]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() and email.count("@") == 1 for email in emails)


def test_the_day_5_fever_story_has_a_fever_from_day_four_and_each_patient_their_own() -> None:
    fevers = patients_of(Story.DAY_5_FEVER, generate_patients(30, today=TODAY))
    assert len(fevers) == 3
    for patient in fevers:
        assert patient.procedure is not None
        assert patient.procedure.days_ago == 5
        late = [c for c in patient.checkins if c.day >= 4]
        assert [c.day for c in late] == [4, 5]
        # Over the 38.0 fever threshold from day 4; before day 4 the patient had no fever.
        assert all(c.temperature_c is not None and c.temperature_c >= 38.1 for c in late)
        assert all(c.temperature_c is None or c.temperature_c < 38.0 for c in patient.checkins if c.day < 4)
    # The worklist must not show three cards that look like one: each differs in temperature, symptom and words.
    latest = [p.checkins[-1] for p in fevers]
    assert len({(c.temperature_c, tuple(c.symptoms), c.note) for c in latest}) == 3
    assert len({c.temperature_c for c in latest}) == 3


def test_only_the_injected_stories_have_a_procedure_and_check_ins() -> None:
    for patient in generate_patients(30, today=TODAY):
        injected = patient.story in INJECTED_STORIES
        assert (patient.procedure is not None) is injected, patient.story
        if not injected:
            assert patient.checkins == ()


def test_check_ins_are_on_scheduled_days_and_never_after_today() -> None:
    for patient in generate_patients(30, today=TODAY):
        if patient.procedure is None:
            continue
        days = [c.day for c in patient.checkins]
        assert days == sorted(set(days))
        assert set(days) <= set(SCHEDULED_DAYS)
        assert all(day <= patient.procedure.days_ago for day in days), patient.story


@pytest.mark.parametrize(
    ("story", "last_day"),
    [
        (Story.INJECTED_YESTERDAY, 1),
        (Story.DAY_3_IN_PROGRESS, 2),  # today's (day 3) still to do
        (Story.DAY_8_MISSED, 5),  # stopped after day 5
        (Story.DAY_12_RECOVERING, 12),
        (Story.WEEK_6, 42),  # the last scheduled check-in; the story is three days past it
    ],
)
def test_each_story_stops_checking_in_where_it_says(story: Story, last_day: int) -> None:
    for patient in patients_of(story, generate_patients(30, today=TODAY)):
        assert patient.checkins[-1].day == last_day


def test_values_are_ones_the_protocol_accepts() -> None:
    conditions = {c.code for c in PROTOCOL.conditions}
    factors = {f.code for f in PROTOCOL.screening_factors}
    symptoms = {s.code for s in PROTOCOL.symptoms}
    targets = {t.code for t in PROTOCOL.targets}
    limits = PROTOCOL.limits
    for patient in generate_patients(60, today=TODAY, seed=11):
        assert patient.date_of_birth < TODAY
        if patient.screening is not None:
            assert set(patient.screening.conditions) <= conditions
            assert set(patient.screening.history) <= factors
            assert set(patient.screening.symptoms) <= symptoms
            assert limits.pain_min <= patient.screening.pain <= limits.pain_max
        if patient.procedure is not None:
            assert patient.procedure.target in targets
        for checkin in patient.checkins:
            assert limits.pain_min <= checkin.pain <= limits.pain_max
            assert set(checkin.symptoms) <= symptoms
            if checkin.temperature_c is not None:
                assert limits.temperature_c_min <= checkin.temperature_c <= limits.temperature_c_max


def test_deferred_patients_have_a_reason_to_defer_and_screened_ones_no_decision() -> None:
    patients = generate_patients(30, today=TODAY)

    for patient in patients_of(Story.DEFERRED, patients):
        assert patient.screening is not None
        assert patient.screening.decision == "defer"
        assert set(patient.screening.history) & {"active_infection", "pregnancy", "active_cancer"}
    for patient in patients_of(Story.SCREENED, patients):
        assert patient.screening is not None
        assert patient.screening.decision is None
    for patient in patients_of(Story.ENROLLED, patients):
        assert patient.screening is None
