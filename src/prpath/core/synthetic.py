"""Synthetic patients for the demo clinic and for benchmarks: made-up people, deterministic from a seed.

Pure: it returns descriptions; ``prpath.clinic.demo`` turns them into records through the actions.
Each patient follows a *story* (screened, deferred, injected yesterday, day 5 with a fever, ...), so a
demo shows every stage and a benchmark can ask for any number of patients with a realistic mix.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import StrEnum


class Story(StrEnum):
    ENROLLED = "enrolled"  # invited, nothing answered yet
    SCREENED = "screened"  # answered screening, waiting for the physician
    DEFERRED = "deferred"  # the physician deferred PRP
    APPROVED = "approved"  # eligible, injection not yet done
    INJECTED_YESTERDAY = "injected_yesterday"
    DAY_3_IN_PROGRESS = "day_3_in_progress"  # checked in on days 1-2, today's check-in still to do
    DAY_5_FEVER = "day_5_fever"  # a fever from day 4 (38.1 to 39.0, each patient their own): an open urgent alert
    DAY_8_MISSED = "day_8_missed"  # stopped checking in after day 5
    DAY_12_RECOVERING = "day_12_recovering"
    WEEK_6 = "week_6"  # past the last check-in (day 42): in follow-up, in week 6


# The demo's 30 patients cycle through this mix; the stories a clinic most needs to see come first.
STORY_MIX: tuple[Story, ...] = (
    Story.DAY_5_FEVER,
    Story.INJECTED_YESTERDAY,
    Story.DAY_12_RECOVERING,
    Story.WEEK_6,
    Story.SCREENED,
    Story.DEFERRED,
    Story.DAY_3_IN_PROGRESS,
    Story.DAY_8_MISSED,
    Story.APPROVED,
    Story.ENROLLED,
)

GIVEN_NAMES = (
    "Ada",
    "Bilal",
    "Carmen",
    "Dmitri",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
    "Maya",
    "Nikhil",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Samir",
    "Tessa",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
)
FAMILY_NAMES = (
    "Abara",
    "Bergström",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Santos",
    "Tanaka",
    "Urban",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
)
CONDITIONS = (
    "degenerative_disc_disease",
    "herniated_disc",
    "osteoarthritis",
    "spinal_stenosis",
    "sciatica",
    "muscle_strain",
    "ligament_sprain",
)
TARGET_FOR = {
    "degenerative_disc_disease": "intradiscal",
    "herniated_disc": "epidural",
    "osteoarthritis": "facet_joint",
    "spinal_stenosis": "epidural",
    "sciatica": "epidural",
    "muscle_strain": "paraspinal_soft_tissue",
    "ligament_sprain": "sacroiliac_joint",
}
LEVELS = ("L3-L4", "L4-L5", "L5-S1")


@dataclass(frozen=True, slots=True)
class SyntheticScreening:
    conditions: tuple[str, ...]
    history: tuple[str, ...]
    pain: int
    pain_trend: str
    symptoms: dict[str, str]
    decision: str | None  # the physician's candidacy decision, if made
    decision_reason: str = ""


@dataclass(frozen=True, slots=True)
class SyntheticProcedure:
    days_ago: int
    target: str
    spinal_level: str
    side: str
    platelet_concentration_x: float
    leukocytes: str


@dataclass(frozen=True, slots=True)
class SyntheticCheckIn:
    day: int
    pain: int
    temperature_c: float | None = None
    symptoms: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class SyntheticPatient:
    number: int
    story: Story
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    screening: SyntheticScreening | None
    procedure: SyntheticProcedure | None
    checkins: tuple[SyntheticCheckIn, ...]


def generate_patients(count: int, *, today: dt.date, seed: int = 2026) -> list[SyntheticPatient]:
    """``count`` patients, cycling through ``STORY_MIX``; the same seed and date give the same people."""
    rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
    return [_patient(rng, number, STORY_MIX[number % len(STORY_MIX)], today) for number in range(count)]


def _patient(rng: random.Random, number: int, story: Story, today: dt.date) -> SyntheticPatient:
    given = GIVEN_NAMES[number % len(GIVEN_NAMES)]
    # Every (given, family) pair differs for the first 26 x 26 patients.
    family = FAMILY_NAMES[(number * 7 + number // len(GIVEN_NAMES) + 3) % len(FAMILY_NAMES)]
    age = rng.randint(28, 78)
    born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    sex = rng.choice(("female", "male"))
    condition = rng.choice(CONDITIONS)
    pain = rng.randint(5, 8)
    screening = None if story == Story.ENROLLED else _screening(rng, story, condition, pain)
    procedure = None
    checkins: tuple[SyntheticCheckIn, ...] = ()
    days_ago = {
        Story.INJECTED_YESTERDAY: 1,
        Story.DAY_3_IN_PROGRESS: 3,
        Story.DAY_5_FEVER: 5,
        Story.DAY_8_MISSED: 8,
        Story.DAY_12_RECOVERING: 12,
        Story.WEEK_6: 45,
    }.get(story)
    if days_ago is not None:
        procedure = SyntheticProcedure(
            days_ago=days_ago,
            target=TARGET_FOR[condition],
            spinal_level=rng.choice(LEVELS),
            side=rng.choice(("left", "right", "bilateral")),
            platelet_concentration_x=round(rng.uniform(3.0, 6.5), 1),
            leukocytes=rng.choice(("poor", "poor", "rich")),
        )
        checkins = _checkins(rng, story, pain, days_ago, number)
    ascii_family = family.translate(str.maketrans("öéíç", "oeic"))
    return SyntheticPatient(
        number=number,
        story=story,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        email=f"{given.lower()}.{ascii_family.lower()}.{number}@example.org",
        phone=f"+1 555 02{number % 100:02d}",  # 555-01xx is the demo clinic's range
        screening=screening,
        procedure=procedure,
        checkins=checkins,
    )


def _screening(rng: random.Random, story: Story, condition: str, pain: int) -> SyntheticScreening:
    history: tuple[str, ...] = ()
    symptoms: dict[str, str] = {}
    decision: str | None = "eligible"
    reason = ""
    if story == Story.SCREENED:
        history = rng.choice(((), ("nsaid_use",), ("antiplatelet_use",)))
        decision = None
    elif story == Story.DEFERRED:
        history = (rng.choice(("active_infection", "pregnancy", "active_cancer")),)
        decision = "defer"
    elif rng.random() < 0.3:
        history = ("nsaid_use",)
    if condition in ("sciatica", "herniated_disc", "spinal_stenosis"):
        symptoms = {"leg_tingling": "mild"}
        if decision == "eligible":
            reason = "Long-standing mild tingling, examined: no progressive nerve involvement."
    return SyntheticScreening(
        conditions=(condition,),
        history=history,
        pain=pain,
        pain_trend=rng.choice(("stable", "stable", "improving")),
        symptoms=symptoms,
        decision=decision,
        decision_reason=reason,
    )


# What patients write on an ordinary day: no symptom, but a note to read on the clinic's worklist.
_CALM_NOTES = {
    Story.DAY_3_IN_PROGRESS: "Walked to the end of the road and back. Is it normal to feel stiff in the mornings?",
    Story.DAY_12_RECOVERING: "Back at work part-time this week; sitting for long is still the hardest part.",
}


# Each fever patient tells it their own way: the worklist must not show three cards that look like one.
_FEVERS = (
    (38.4, "chills", "Felt hot and shivery since the afternoon."),
    (38.9, "injection_site_redness", "The spot where the needle went in is red and sore, and I feel hot."),
    (38.2, "fever", "Running a temperature tonight, aching all over."),
)


def _checkins(
    rng: random.Random, story: Story, baseline: int, days_ago: int, number: int = 0
) -> tuple[SyntheticCheckIn, ...]:
    """One check-in per scheduled day so far (daily to day 14, then weekly), with a plausible course."""
    last_day = {Story.DAY_3_IN_PROGRESS: 2, Story.DAY_8_MISSED: 5}.get(story, days_ago)
    days = [d for d in (*range(1, 15), 21, 28, 35, 42) if d <= last_day]
    out = []
    for day in days:
        # A flare of one or two points for the first days, then a slow fall below the baseline.
        flare = 2 if day <= 2 else 1 if day <= 4 else 0
        relief = 0 if day < 7 else min(4, (day - 5) // 4 + rng.randint(0, 1))
        pain = max(0, min(10, baseline + flare - relief + rng.choice((-1, 0, 0))))
        if day >= 7:
            pain = min(pain, baseline)  # the well stories stay at or under the baseline after the flare
        symptoms: dict[str, str] = {}
        if day <= 3:
            symptoms["injection_site_pain"] = "moderate" if day == 1 else "mild"
        if day <= 2 and rng.random() < 0.5:
            symptoms["injection_site_bruising"] = "mild"
        temperature = round(rng.uniform(36.4, 37.2), 1) if rng.random() < 0.5 else None
        note = ""
        if story == Story.DAY_5_FEVER and day >= 4:
            temperature, symptom, note = _FEVERS[number // len(STORY_MIX) % len(_FEVERS)]
            temperature = round(temperature + (0.2 if day == 5 else 0.0), 1)  # a little higher the next day
            symptoms[symptom] = "moderate"
            note = note if day == 5 else ""
        elif day == days[-1]:  # the latest check-in of a calm course: words for the clinic to read
            note = _CALM_NOTES.get(story, "")
        out.append(SyntheticCheckIn(day=day, pain=pain, temperature_c=temperature, symptoms=symptoms, note=note))
    return tuple(out)
