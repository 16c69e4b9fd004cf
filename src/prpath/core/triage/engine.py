"""Triage: a patient's situation and a protocol in, an ``Assessment`` out.

Pure and deterministic: the same protocol and case always give the same assessment, whatever the order
of check-ins, symptoms or list entries in the input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from prpath.core.notes import read_note
from prpath.core.problems import Problem, ProblemsFound, shown
from prpath.core.protocol.schema import (
    CANDIDACY_ORDER,
    DISPOSITION_ORDER,
    Candidacy,
    Disposition,
    Protocol,
    Rule,
    Severity,
    sign_order,
)
from prpath.core.triage.model import Assessment, Case, CheckIn, Finding, Patient, Procedure
from prpath.core.triage.predicates import SEVERITY_RANK, Situation, Test, compile_expression, within


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    test: Test
    rank: int
    candidacy_rank: int | None
    # The rule's texts, copied out of the pydantic model: read once per finding, and slots read fastest.
    id: str
    title: str
    disposition: Disposition
    candidacy: Candidacy | None
    reason: str
    rationale: str
    source: str


@dataclass(frozen=True, slots=True)
class _CompiledProtocol:
    protocol: Protocol
    screening: tuple[_CompiledRule, ...]
    recovery: tuple[_CompiledRule, ...]
    symptoms: frozenset[str]
    history: frozenset[str]
    conditions: frozenset[str]
    targets: frozenset[str]


_DISPOSITION_RANK = {d: d.rank for d in DISPOSITION_ORDER}
_CANDIDACY_RANK = {c: c.rank for c in CANDIDACY_ORDER}
_compiled: dict[int, _CompiledProtocol] = {}


def _compile(protocol: Protocol) -> _CompiledProtocol:
    # Keyed by identity: protocols are immutable, and the entry keeps its protocol alive so the id
    # cannot be reused while it is cached.
    found = _compiled.get(id(protocol))
    if found is not None and found.protocol is protocol:
        return found
    signs: dict[str, Test] = {}
    for name in sign_order(protocol):
        signs[name] = compile_expression(protocol.signs[name], protocol, signs)

    def rules(section: list[Rule]) -> tuple[_CompiledRule, ...]:
        compiled = []
        for rule in section:
            test = compile_expression(rule.when, protocol, signs)
            if rule.window is not None:
                test = within(rule.window.from_day, rule.window.to_day, test)
            compiled.append(
                _CompiledRule(
                    test=test,
                    rank=_DISPOSITION_RANK[rule.disposition],
                    candidacy_rank=_CANDIDACY_RANK[rule.candidacy] if rule.candidacy else None,
                    id=rule.id,
                    title=rule.title,
                    disposition=rule.disposition,
                    candidacy=rule.candidacy,
                    reason=rule.reason,
                    rationale=rule.rationale,
                    source=rule.source,
                )
            )
        # Most severe first, the protocol's order among equals: findings come out in this order.
        return tuple(sorted(compiled, key=lambda r: -r.rank))

    result = _CompiledProtocol(
        protocol=protocol,
        screening=rules(protocol.screening_rules),
        recovery=rules(protocol.recovery_rules),
        symptoms=frozenset(s.code for s in protocol.symptoms),
        history=frozenset(f.code for f in protocol.screening_factors),
        conditions=frozenset(c.code for c in protocol.conditions),
        targets=frozenset(t.code for t in protocol.targets),
    )
    if len(_compiled) > 32:
        _compiled.clear()
    _compiled[id(protocol)] = result
    return result


# --- input checks ----------------------------------------------------------------------------------


def check_case(protocol: Protocol, case: Case) -> list[Problem]:
    """Everything in a case that the protocol does not allow, each with where it is."""
    compiled = _compile(protocol)
    problems = _check_patient(compiled, case.patient)
    if case.phase == "recovery":
        if case.procedure is None:
            problems.append(Problem("procedure", "is required for a recovery case"))
        if not case.checkins:
            problems.append(Problem("checkins", "a recovery case needs at least one check-in"))
        if case.procedure is not None:
            problems += _check_recovery(compiled, case.procedure, case.checkins)
    return problems


def _check_patient(compiled: _CompiledProtocol, patient: Patient) -> list[Problem]:
    limits = compiled.protocol.limits
    baseline = patient.baseline
    if (
        compiled.conditions.issuperset(patient.conditions)
        and compiled.history.issuperset(patient.history)
        and compiled.symptoms.issuperset(baseline.symptoms)
        and (baseline.pain is None or limits.pain_min <= baseline.pain <= limits.pain_max)
        and (baseline.note is None or len(baseline.note) <= compiled.protocol.note_limit)
    ):
        return []  # the usual case, checked without building any message
    problems = [
        Problem(f"patient.conditions[{i}]", f"unknown condition {code!r}")
        for i, code in enumerate(patient.conditions)
        if code not in compiled.conditions
    ]
    problems += [
        Problem(f"patient.history[{i}]", f"unknown screening factor {code!r}")
        for i, code in enumerate(patient.history)
        if code not in compiled.history
    ]
    problems += _check_symptoms(compiled, baseline.symptoms, "patient.baseline.symptoms")
    if baseline.pain is not None and not limits.pain_min <= baseline.pain <= limits.pain_max:
        problems.append(Problem("patient.baseline.pain", _pain_range(compiled, baseline.pain)))
    limit = compiled.protocol.note_limit
    if baseline.note is not None and len(baseline.note) > limit:
        problems.append(Problem("patient.baseline.note", f"is {len(baseline.note):,} characters; at most {limit:,}"))
    return problems


def _check_recovery(compiled: _CompiledProtocol, procedure: Procedure, checkins: Sequence[CheckIn]) -> list[Problem]:
    problems = []
    if procedure.target is not None and procedure.target not in compiled.targets:
        problems.append(Problem("procedure.target", f"unknown target {procedure.target!r}"))
    limits = compiled.protocol.limits
    pain_min, pain_max = limits.pain_min, limits.pain_max
    t_min, t_max = limits.temperature_c_min, limits.temperature_c_max
    known, injected = compiled.symptoms, procedure.date
    note_limit = compiled.protocol.note_limit
    seen = set()
    for checkin in checkins:
        # One cheap test per check-in; messages are built (below) only when one fails it.
        date, pain, t, symptoms = checkin.date, checkin.pain, checkin.temperature_c, checkin.symptoms
        if (
            date < injected
            or date in seen
            or pain < pain_min
            or pain > pain_max
            or (t is not None and (t < t_min or t > t_max or t != t))
            or (symptoms and not known.issuperset(symptoms))
            or (checkin.note is not None and len(checkin.note) > note_limit)
            or (checkin.denied and not known.issuperset(checkin.denied))
        ):
            break
        seen.add(date)
    else:
        return problems
    first_on: dict[dt.date, int] = {}
    for i, checkin in enumerate(checkins):
        problems += _checkin_problems(compiled, procedure, checkin, i, first_on.get(checkin.date))
        first_on.setdefault(checkin.date, i)
    return problems


def _checkin_problems(
    compiled: _CompiledProtocol, procedure: Procedure, checkin: CheckIn, i: int, same_date_as: int | None
) -> list[Problem]:
    limits = compiled.protocol.limits
    where = f"checkins[{i}]"
    problems = []
    if checkin.date < procedure.date:
        problems.append(
            Problem(
                f"{where}.date", f"{checkin.date.isoformat()} is before the injection on {procedure.date.isoformat()}"
            )
        )
    if same_date_as is not None:
        problems.append(
            Problem(
                f"{where}.date",
                f"{checkin.date.isoformat()} is also the date of checkins[{same_date_as}]; one check-in per day",
            )
        )
    if not limits.pain_min <= checkin.pain <= limits.pain_max:
        problems.append(Problem(f"{where}.pain", _pain_range(compiled, checkin.pain)))
    t = checkin.temperature_c
    if t is not None and not limits.temperature_c_min <= t <= limits.temperature_c_max:
        problems.append(
            Problem(
                f"{where}.temperature_c",
                f"must lie between {limits.temperature_c_min} and {limits.temperature_c_max} °C (got {shown(t)})",
            )
        )
    problems += _check_symptoms(compiled, checkin.symptoms or {}, f"{where}.symptoms")
    limit = compiled.protocol.note_limit
    if checkin.note is not None and len(checkin.note) > limit:
        problems.append(Problem(f"{where}.note", f"is {len(checkin.note):,} characters; at most {limit:,}"))
    problems += [
        Problem(f"{where}.denied", f"unknown symptom code {code!r}")
        for code in checkin.denied
        if code not in compiled.symptoms
    ]
    return problems


def _check_symptoms(compiled: _CompiledProtocol, symptoms: Mapping[str, str], where: str) -> list[Problem]:
    return [Problem(f"{where}.{code}", "unknown symptom code") for code in symptoms if code not in compiled.symptoms]


def _pain_range(compiled: _CompiledProtocol, pain: int) -> str:
    limits = compiled.protocol.limits
    return f"must be a whole number from {limits.pain_min} to {limits.pain_max} (got {shown(pain)})"


# --- assessment ------------------------------------------------------------------------------------


def triage(protocol: Protocol, case: Case) -> Assessment:
    """Assess a case; raises ProblemsFound (every problem) when the protocol does not allow it."""
    problems = check_case(protocol, case)
    if problems:
        raise ProblemsFound(problems)
    if case.phase == "screening":
        return _assess_screening(_compile(protocol), case.patient)
    assert case.procedure is not None
    return _assess_recovery(_compile(protocol), case.patient, case.procedure, case.checkins)


def assess_screening(protocol: Protocol, patient: Patient) -> Assessment:
    return triage(protocol, Case(phase="screening", patient=patient))


def assess_recovery(
    protocol: Protocol, patient: Patient, procedure: Procedure, checkins: Sequence[CheckIn]
) -> Assessment:
    return triage(protocol, Case(phase="recovery", patient=patient, procedure=procedure, checkins=tuple(checkins)))


def _ranks(symptoms: Mapping[str, str] | None) -> dict[str, int]:
    return {code: SEVERITY_RANK[severity] for code, severity in symptoms.items()} if symptoms else {}


def _assess_screening(compiled: _CompiledProtocol, patient: Patient) -> Assessment:
    baseline = patient.baseline
    symptoms, quoted = _noted(compiled, baseline.symptoms, baseline.note, ())
    situation = Situation(
        day=None,
        symptoms=symptoms,
        quoted=quoted,
        before=None,
        baseline={},
        temperature=None,
        pain=None,
        pain_before=None,
        pain_before_is_baseline=False,
        baseline_pain=baseline.pain,
        history=frozenset(patient.history),
        conditions=frozenset(patient.conditions),
        target=None,
        pain_trend=baseline.pain_trend.value if baseline.pain_trend else None,
    )
    return _assess(compiled, "screening", compiled.screening, situation)


def _assess_recovery(
    compiled: _CompiledProtocol, patient: Patient, procedure: Procedure, checkins: Sequence[CheckIn]
) -> Assessment:
    last, before = _last_two(checkins)
    baseline = patient.baseline
    symptoms, quoted = _with_note(compiled, last)
    situation = Situation(
        day=(last.date - procedure.date).days,
        symptoms=symptoms,
        before=_with_note(compiled, before)[0] if before is not None else None,
        quoted=quoted,
        # The screening's note is read at screening only: a baseline taken from words at "moderate" would make
        # a new symptom after the injection look old ("weakness in my left leg" hiding new weakness).
        baseline=_ranks(baseline.symptoms),
        temperature=last.temperature_c,
        pain=last.pain,
        pain_before=before.pain if before is not None else baseline.pain,
        pain_before_is_baseline=before is None,
        baseline_pain=baseline.pain,
        history=frozenset(patient.history),
        conditions=frozenset(patient.conditions),
        target=procedure.target,
        pain_trend=baseline.pain_trend.value if baseline.pain_trend else None,
    )
    return _assess(compiled, "recovery", compiled.recovery, situation)


def _with_note(compiled: _CompiledProtocol, checkin: CheckIn) -> tuple[dict[str, int], dict[str, str]]:
    """A check-in's symptoms with what its note reports, and the note's words for each."""
    return _noted(compiled, checkin.symptoms, checkin.note, checkin.denied)


def _noted(
    compiled: _CompiledProtocol, symptoms: Mapping[str, str] | None, note: str | None, denied: Sequence[str]
) -> tuple[dict[str, int], dict[str, str]]:
    """Symptoms as answered, with what the patient's note reports (moderate unless the form grades it), and
    the note's words for each symptom it reports. What the patient denied when asked back does not count."""
    ranks = _ranks(symptoms)
    rules = compiled.protocol.notes
    if not note or not note.strip() or rules is None:
        return ranks, {}
    reading = read_note(rules, note)
    quoted = {r.code: r.words for r in reading.reports if r.code in compiled.symptoms and r.code not in denied}
    for code in quoted:
        ranks.setdefault(code, SEVERITY_RANK[Severity.MODERATE.value])
    return ranks, quoted


def _last_two(checkins: Sequence[CheckIn]) -> tuple[CheckIn, CheckIn | None]:
    """The latest check-in and the one before it, by date (dates are unique once checked)."""
    last: CheckIn = checkins[0]
    before: CheckIn | None = None
    for checkin in checkins[1:]:
        if checkin.date > last.date:
            last, before = checkin, last
        elif before is None or checkin.date > before.date:
            before = checkin
    return last, before


def _assess(
    compiled: _CompiledProtocol,
    phase: Literal["screening", "recovery"],
    rules: tuple[_CompiledRule, ...],
    situation: Situation,
) -> Assessment:
    fired: list[tuple[_CompiledRule, tuple[str, ...]]] = []
    for compiled_rule in rules:
        evidence = compiled_rule.test(situation)
        if evidence is not None:
            fired.append((compiled_rule, evidence))
    findings = tuple(_finding(rule, evidence, situation.day) for rule, evidence in fired)
    disposition = DISPOSITION_ORDER[fired[0][0].rank] if fired else Disposition.SELF_CARE
    candidacy: Candidacy | None = None
    if phase == "screening":
        worst = max((r.candidacy_rank for r, _ in fired if r.candidacy_rank is not None), default=0)
        candidacy = CANDIDACY_ORDER[worst]
    protocol = compiled.protocol
    return Assessment(
        phase=phase,
        disposition=disposition,
        candidacy=candidacy,
        findings=findings,
        protocol_name=protocol.name,
        protocol_version=protocol.version,
        day=situation.day,
    )


def _finding(rule: _CompiledRule, evidence: tuple[str, ...], day: int | None) -> Finding:
    if len(evidence) > 1:
        evidence = tuple(dict.fromkeys(evidence))
    cited = evidence or (rule.title.lower(),)
    sentence = cited[0] if len(cited) == 1 else "; ".join(cited[:-1]) + " and " + cited[-1]
    if day is None:  # screening: what the patient told us now
        sentence = f"You reported {sentence}"
    else:
        sentence = f"{sentence[0].upper()}{sentence[1:]} " + (
            "on the day of the injection" if day == 0 else f"on day {day} after the injection"
        )
    return Finding(
        rule.id,
        rule.title,
        rule.disposition,
        rule.candidacy,
        f"{sentence}. {rule.reason}",
        cited,
        rule.rationale,
        rule.source,
    )
