"""The predicates rules are written with, each implemented once.

``compile_expression`` turns a protocol ``Expression`` into a function of a ``Situation`` that returns
the evidence it matched on (plain-language phrases, possibly none) or ``None`` when it does not hold.
Compiling once per protocol keeps triage fast: evaluating a rule is a few dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from prpath.core.protocol.schema import SEVERITY_ORDER, Expression, PainTest, Protocol, SymptomTest

Evidence = tuple[str, ...]
Test = Callable[["Situation"], Evidence | None]

SEVERITY_RANK = {severity.value: severity.rank for severity in SEVERITY_ORDER}
SEVERITY_WORD = {severity.rank: severity.value for severity in SEVERITY_ORDER}

_TREND_WORDS = {
    "worsening": "back pain that has been getting worse",
    "stable": "back pain that has stayed about the same",
    "improving": "back pain that has been easing",
}


@dataclass(slots=True)
class Situation:
    """The facts one assessment is made on, in the form predicates read fastest.

    Severities are ranks (1 mild, 2 moderate, 3 severe). ``symptoms`` are the symptoms now: the triaged
    check-in's, or the baseline's at screening. ``before`` is the check-in before (None when there is
    none); ``pain_before`` is its pain, or the baseline pain when there is no check-in before.
    """

    day: int | None
    symptoms: Mapping[str, int]
    before: Mapping[str, int] | None
    baseline: Mapping[str, int]
    temperature: float | None
    pain: int | None
    pain_before: int | None
    pain_before_is_baseline: bool
    baseline_pain: int | None
    history: frozenset[str]
    conditions: frozenset[str]
    target: str | None
    pain_trend: str | None
    signs: dict[str, Evidence | None] = field(default_factory=dict)
    quoted: Mapping[str, str] = field(default_factory=dict)  # symptom code -> the note's words for it


def compile_expression(expression: Expression, protocol: Protocol, signs: Mapping[str, Test]) -> Test:
    """``signs`` holds the already compiled named expressions this one may refer to."""
    op = expression.operator
    if op in ("all", "any"):
        children = tuple(
            compile_expression(child, protocol, signs)
            for child in (expression.all_of if op == "all" else expression.any_of) or ()
        )
        return _all(children) if op == "all" else _any(children)
    if op == "not":
        assert expression.not_ is not None
        return _not(compile_expression(expression.not_, protocol, signs))
    if op == "sign":
        assert expression.sign is not None
        return _sign(expression.sign, signs[expression.sign])
    if op == "symptom":
        assert expression.symptom is not None
        return _symptom(expression.symptom, protocol)
    if op == "history":
        labels = {f.code: f.label for f in protocol.screening_factors}
        return _member(tuple(expression.history or ()), labels, lambda s: s.history)
    if op == "condition":
        labels = {c.code: c.label for c in protocol.conditions}
        return _member(tuple(expression.condition or ()), labels, lambda s: s.conditions)
    if op == "target":
        wanted = frozenset(expression.target or ())
        labels = {t.code: t.label for t in protocol.targets}
        return lambda s: (f"injection: {labels[s.target]}",) if s.target in wanted else None
    if op == "pain_trend":
        trends = frozenset(trend.value for trend in expression.pain_trend or ())
        return lambda s: (_TREND_WORDS[s.pain_trend],) if s.pain_trend in trends else None
    if op == "temperature":
        assert expression.temperature is not None
        threshold = expression.temperature.at_least
        return lambda s: (
            (f"temperature {s.temperature:.1f} °C",)
            if s.temperature is not None and s.temperature >= threshold
            else None
        )
    if op == "pain":
        assert expression.pain is not None
        return _pain(expression.pain)
    if op == "window":
        assert expression.window is not None
        return within(expression.window.from_day, expression.window.to_day, lambda s: ())
    raise AssertionError(f"no predicate for {op}")  # pragma: no cover


def within(from_day: int, to_day: int | None, test: Test) -> Test:
    """``test`` on the days of the window only (both ends included)."""
    last_day = to_day if to_day is not None else 1 << 62

    def run(s: Situation) -> Evidence | None:
        day = s.day
        return test(s) if day is not None and from_day <= day <= last_day else None

    return run


def _all(children: tuple[Test, ...]) -> Test:
    def run(s: Situation) -> Evidence | None:
        evidence: Evidence = ()
        for child in children:
            found = child(s)
            if found is None:
                return None
            if found:
                evidence += found
        return evidence

    return run


def _any(children: tuple[Test, ...]) -> Test:
    # Every branch is evaluated so that the reason cites all the evidence, not only the first match.
    def run(s: Situation) -> Evidence | None:
        evidence: Evidence | None = None
        for child in children:
            found = child(s)
            if found is not None:
                evidence = found if evidence is None else evidence + found
        return evidence

    return run


def _not(child: Test) -> Test:
    return lambda s: () if child(s) is None else None


_NOT_YET = ("not evaluated yet",)


def _sign(name: str, test: Test) -> Test:
    # A sign is evaluated at most once per situation, however many rules use it.
    def run(s: Situation) -> Evidence | None:
        found = s.signs.get(name, _NOT_YET)
        if found is _NOT_YET:
            found = s.signs[name] = test(s)
        return found

    return run


def _member(codes: tuple[str, ...], labels: Mapping[str, str], facts: Callable[[Situation], frozenset[str]]) -> Test:
    def run(s: Situation) -> Evidence | None:
        present = facts(s)
        evidence = tuple(labels[code] for code in codes if code in present)
        return evidence or None

    return run


def _symptom(test: SymptomTest, protocol: Protocol) -> Test:
    codes = list(dict.fromkeys(test.codes))
    for symptom in protocol.symptoms:
        if symptom.group in test.groups and symptom.code not in codes:
            codes.append(symptom.code)
    labels = {s.code: s.label for s in protocol.symptoms}
    ungraded = {s.code for s in protocol.symptoms if not s.graded}
    lowest = test.min_severity.rank if test.min_severity else 1
    highest = test.max_severity.rank if test.max_severity else 3
    new, rising = test.new, test.rising
    watched = tuple((code, labels[code], code in ungraded) for code in codes)
    watched_codes = frozenset(codes)

    def run(s: Situation) -> Evidence | None:
        if watched_codes.isdisjoint(s.symptoms):
            return None
        evidence = []
        for code, label, yes_or_no in watched:
            now = s.symptoms.get(code)
            if now is None or now < lowest or now > highest:
                continue
            before = s.before.get(code) if s.before is not None else None
            # A symptom asked as yes or no has no grade worth repeating: "difficulty breathing (mild)" misleads.
            phrase = label if yes_or_no else f"{label} ({SEVERITY_WORD[now]})"
            if new:
                at_baseline = s.baseline.get(code)
                if at_baseline is None:
                    phrase = f"new {_without_article(label)}" + ("" if yes_or_no else f" ({SEVERITY_WORD[now]})")
                elif now > at_baseline:
                    phrase = f"{label}, now {SEVERITY_WORD[now]} ({SEVERITY_WORD[at_baseline]} before the injection)"
                elif before is not None and now > before:
                    phrase = f"{label}, now {SEVERITY_WORD[now]} ({SEVERITY_WORD[before]} at your previous check-in)"
                else:
                    continue
            if rising:
                if before is None or now <= before:
                    continue
                phrase = f"{label}, now {SEVERITY_WORD[now]} ({SEVERITY_WORD[before]} at your previous check-in)"
            words = s.quoted.get(code)
            if words is not None:
                phrase = f'{phrase}: you wrote "{words}"'
            evidence.append(phrase)
        return tuple(evidence) or None

    return run


def _pain(test: PainTest) -> Test:
    at_least, above_by, rising = test.at_least, test.above_baseline_by, test.rising

    def run(s: Situation) -> Evidence | None:
        pain = s.pain
        if pain is None:
            return None
        notes = []
        if at_least is not None and pain < at_least:
            return None
        if above_by is not None:
            if s.baseline_pain is None or pain < s.baseline_pain + above_by:
                return None
            above = pain - s.baseline_pain
            notes.append(f"{above} {'point' if above == 1 else 'points'} above your usual {s.baseline_pain}")
        if rising:
            if s.pain_before is None or pain <= s.pain_before:
                return None
            if not s.pain_before_is_baseline:
                notes.append(f"up from {s.pain_before} at your previous check-in")
            elif above_by is None:  # else the rise from baseline is already said
                notes.append(f"up from your usual {s.pain_before}")
        return (f"back pain {pain}/10" + (f", {' and '.join(notes)}" if notes else ""),)

    return run


def _without_article(label: str) -> str:
    for article in ("a ", "an "):
        if label.startswith(article):
            return label[len(article) :]
    return label
