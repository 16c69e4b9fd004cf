"""Properties of the engine over generated check-in histories (hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
import random
from importlib import resources
from typing import Any

import yaml
from hypothesis import find, given, settings
from hypothesis import strategies as st

from prpath.core.protocol import Disposition
from prpath.core.protocol.document import parse_protocol
from prpath.core.protocol.schema import Protocol
from prpath.core.triage import Assessment, check_case, triage
from prpath.files.protocols import default_protocol
from tests.factories import parse

PROTOCOL = default_protocol()
SYMPTOMS = [s.code for s in PROTOCOL.symptoms]
FACTORS = [f.code for f in PROTOCOL.screening_factors]
SEVERITIES = ["mild", "moderate", "severe"]
INJECTION = dt.date(2026, 3, 2)

symptom_maps = st.dictionaries(st.sampled_from(SYMPTOMS), st.sampled_from(SEVERITIES), max_size=5)
temperatures = st.one_of(st.none(), st.floats(min_value=35.0, max_value=41.5).map(lambda t: round(t, 1)))


@st.composite
def recovery_cases(draw: st.DrawFn) -> dict[str, Any]:
    days = draw(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=6, unique=True))
    checkins = []
    for day in sorted(days):
        item: dict[str, Any] = {
            "date": (INJECTION + dt.timedelta(days=day)).isoformat(),
            "pain": draw(st.integers(min_value=0, max_value=10)),
            "symptoms": draw(symptom_maps),
        }
        temperature = draw(temperatures)
        if temperature is not None:
            item["temperature_c"] = temperature
        checkins.append(item)
    baseline: dict[str, Any] = {"symptoms": draw(symptom_maps)}
    if draw(st.booleans()):
        baseline["pain"] = draw(st.integers(min_value=0, max_value=10))
    return {
        "phase": "recovery",
        "patient": {
            "conditions": ["degenerative_disc_disease"],
            "history": draw(st.lists(st.sampled_from(FACTORS), unique=True, max_size=3)),
            "baseline": baseline,
        },
        "procedure": {"date": INJECTION.isoformat(), "target": draw(st.sampled_from(["intradiscal", "epidural"]))},
        "checkins": checkins,
    }


@st.composite
def screening_cases(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "phase": "screening",
        "patient": {
            "conditions": ["sciatica"],
            "history": draw(st.lists(st.sampled_from(FACTORS), unique=True, max_size=4)),
            "baseline": {
                "pain": draw(st.integers(min_value=0, max_value=10)),
                "pain_trend": draw(st.sampled_from(["improving", "stable", "worsening"])),
                "symptoms": draw(symptom_maps),
            },
        },
    }


def run(doc: dict[str, Any], protocol: Protocol = PROTOCOL) -> Assessment:
    return triage(protocol, parse(doc))


def latest(doc: dict[str, Any]) -> dict[str, Any]:
    checkin: dict[str, Any] = max(doc["checkins"], key=lambda c: c["date"])
    return checkin


def summary(result: Assessment) -> tuple[object, ...]:
    return (result.disposition, result.candidacy, result.findings)


@given(recovery_cases())
def test_valid_input_never_raises_and_every_disposition_has_its_finding(doc: dict[str, Any]) -> None:
    case = parse(doc)
    assert check_case(PROTOCOL, case) == []
    result = triage(PROTOCOL, case)
    most_severe = max((f.disposition.rank for f in result.findings), default=0)
    assert result.disposition.rank == most_severe
    if result.disposition is not Disposition.SELF_CARE:
        assert any(f.disposition is result.disposition and f.reason for f in result.findings)


@given(screening_cases())
def test_screening_never_raises_and_candidacy_is_the_most_restrictive(doc: dict[str, Any]) -> None:
    result = run(doc)
    assert result.candidacy is not None
    assert result.candidacy.rank == max((f.candidacy.rank for f in result.findings if f.candidacy), default=0)
    if result.disposition is not Disposition.SELF_CARE:
        assert any(f.disposition is result.disposition for f in result.findings)


def adding_lowers(protocol: Protocol, doc: dict[str, Any], symptom: str, severity: str) -> bool:
    """Whether adding the symptom to the triaged check-in lowers the disposition."""
    last = latest(doc)
    if symptom in last["symptoms"]:
        return False
    before = run(doc, protocol).disposition.rank
    changed = copy.deepcopy(doc)
    latest(changed)["symptoms"][symptom] = severity
    return run(changed, protocol).disposition.rank < before


@given(recovery_cases(), st.sampled_from(SYMPTOMS), st.sampled_from(SEVERITIES))
def test_adding_a_symptom_never_lowers_the_disposition(doc: dict[str, Any], symptom: str, severity: str) -> None:
    assert not adding_lowers(PROTOCOL, doc, symptom, severity)


def test_the_property_catches_a_protocol_where_more_symptoms_mean_less_care() -> None:
    # A deliberately wrong rule: itching is urgent only while there is no bruise.
    document = yaml.safe_load(resources.files("prpath.files").joinpath("default.yaml").read_text(encoding="utf-8"))
    document["recovery_rules"].append(
        {
            "id": "recovery.wrong_itch",
            "title": "Wrong",
            "when": {
                "all": [
                    {"symptom": {"codes": ["itching"]}},
                    {"not": {"symptom": {"codes": ["injection_site_bruising"]}}},
                ]
            },
            "disposition": "urgent",
            "reason": "x",
            "rationale": "x",
            "source": "x",
        }
    )
    wrong = parse_protocol(document)
    found = find(
        st.tuples(recovery_cases(), st.sampled_from(SEVERITIES)),
        lambda drawn: adding_lowers(wrong, drawn[0], "injection_site_bruising", drawn[1]),
        settings=settings(max_examples=5000, database=None),
    )
    assert "itching" in latest(found[0])["symptoms"]


@given(recovery_cases(), st.data())
def test_raising_a_severity_never_lowers_the_disposition(doc: dict[str, Any], data: st.DataObject) -> None:
    last = latest(doc)
    if not last["symptoms"]:
        return
    symptom = data.draw(st.sampled_from(sorted(last["symptoms"])))
    current = SEVERITIES.index(last["symptoms"][symptom])
    if current == len(SEVERITIES) - 1:
        return
    before = run(doc).disposition.rank
    last["symptoms"][symptom] = SEVERITIES[data.draw(st.integers(min_value=current + 1, max_value=2))]
    assert run(doc).disposition.rank >= before


@given(recovery_cases(), st.floats(min_value=0.1, max_value=8.0))
def test_raising_the_temperature_never_lowers_the_disposition(doc: dict[str, Any], rise: float) -> None:
    last = latest(doc)
    before = run(doc).disposition.rank
    last["temperature_c"] = min(45.0, round(last.get("temperature_c", 36.5) + rise, 1))
    assert run(doc).disposition.rank >= before


@given(recovery_cases(), st.integers(min_value=1, max_value=10))
def test_raising_the_pain_score_never_lowers_the_disposition(doc: dict[str, Any], rise: int) -> None:
    last = latest(doc)
    before = run(doc).disposition.rank
    last["pain"] = min(10, last["pain"] + rise)
    assert run(doc).disposition.rank >= before


@given(screening_cases(), st.sampled_from(FACTORS), st.sampled_from(SYMPTOMS), st.sampled_from(SEVERITIES))
def test_adding_to_a_screening_never_lowers_disposition_or_candidacy(
    doc: dict[str, Any], factor: str, symptom: str, severity: str
) -> None:
    before = run(doc)
    patient = doc["patient"]
    if factor not in patient["history"]:
        patient["history"].append(factor)
    if symptom not in patient["baseline"]["symptoms"]:
        patient["baseline"]["symptoms"][symptom] = severity
    after = run(doc)
    assert after.disposition.rank >= before.disposition.rank
    assert after.candidacy
    assert before.candidacy
    assert after.candidacy.rank >= before.candidacy.rank


@given(recovery_cases(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_check_ins_symptoms_or_keys(
    doc: dict[str, Any], rng: random.Random
) -> None:
    expected = summary(run(doc))

    def shuffled_dict(d: dict[str, Any]) -> dict[str, Any]:
        items = list(d.items())
        rng.shuffle(items)
        return dict(items)

    checkins = [shuffled_dict({**c, "symptoms": shuffled_dict(c["symptoms"])}) for c in doc["checkins"]]
    rng.shuffle(checkins)
    patient = doc["patient"]
    history = list(patient["history"])
    rng.shuffle(history)
    reordered = shuffled_dict(
        {
            **doc,
            "checkins": checkins,
            "patient": shuffled_dict(
                {
                    **patient,
                    "history": history,
                    "baseline": {**patient["baseline"], "symptoms": shuffled_dict(patient["baseline"]["symptoms"])},
                }
            ),
        }
    )
    assert summary(run(reordered)) == expected


@given(recovery_cases(), st.sampled_from(["bladder_control_loss", "urinary_retention", "bowel_control_loss"]))
def test_a_sphincter_symptom_is_always_an_emergency(doc: dict[str, Any], symptom: str) -> None:
    latest(doc)["symptoms"][symptom] = "mild"
    assert run(doc).disposition is Disposition.EMERGENCY
