"""The clinical protocol as a validated document.

Everything a clinic may change lives here as data: the codes (conditions, targets, screening factors,
symptoms), the screening and recovery rules with their dispositions, thresholds and day windows, the
texts shown to patients and clinicians, the recovery plan and the schedules. Rules are written as
expressions over a small set of predicates (see ``Expression``); the triage engine implements each
predicate once.

Validation happens in two passes: pydantic checks the shape of the document, then ``check_protocol``
checks what refers to what (a rule naming an unknown symptom, a screening rule with a day window) and
reports every problem with its location.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from prpath.core.problems import Problem, format_location

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# Bounds no real protocol comes near; past them a number is a slip (or an attack on the pages that count up
# to it, such as the pain scale's marks).
MAX_PAIN = 100  # the top of a pain scale
MAX_DAY = 3650  # days after the injection: ten years of follow-up


class Disposition(StrEnum):
    """What the patient should do, least severe first (the order of ``DISPOSITION_ORDER``)."""

    SELF_CARE = "self_care"
    CONSULT = "consult"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return DISPOSITION_ORDER.index(self)


class Candidacy(StrEnum):
    """Whether PRP may be scheduled, least restrictive first."""

    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    DEFER = "defer"

    @property
    def rank(self) -> int:
        return CANDIDACY_ORDER.index(self)


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self) + 1


class PainTrend(StrEnum):
    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"


DISPOSITION_ORDER = tuple(Disposition)
# What the clinic's staff read on badges and in an alert's history: the category in a word, not the code.
DISPOSITION_WORDS = {
    Disposition.EMERGENCY: "Emergency",
    Disposition.URGENT: "Urgent",
    Disposition.CONSULT: "Consult",
    Disposition.SELF_CARE: "Expected",
}
CANDIDACY_ORDER = tuple(Candidacy)
SEVERITY_ORDER = tuple(Severity)


class _Strict(BaseModel):
    """Protocol documents are edited by hand: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- codes -----------------------------------------------------------------------------------------


class CodedItem(_Strict):
    code: Code
    label: Text = Field(description="Plain words for patients, e.g. 'numbness in a leg'.")


class Condition(CodedItem):
    snomed: str | None = None
    about: Text | None = Field(
        default=None, description="Two or three plain sentences: what it is and how it can cause back pain."
    )


class Target(CodedItem):
    pass


class ScreeningFactor(CodedItem):
    pass


class SymptomGroup(CodedItem):
    pass


class Symptom(CodedItem):
    group: Code
    graded: bool = Field(
        default=True,
        description="False: asked as yes or no (a red flag whatever its degree); a yes is stored as moderate, "
        "the convention for a symptom reported without a grade.",
    )
    question: Text | None = Field(
        default=None,
        description="Asked when a patient's note reports this symptom and the form did not, e.g. 'Have you lost "
        "control of your bladder since the injection?'. Without it the label is asked.",
    )

    @property
    def asked(self) -> str:
        """The yes-or-no question for this symptom, in the patient's words."""
        return self.question or f"Do you have this now: {self.label}?"


class DispositionText(_Strict):
    label: Text
    instruction: Text = Field(description="What the patient must do, in words a frightened person follows.")


class CandidacyText(_Strict):
    label: Text
    meaning: Text


# --- rule expressions ------------------------------------------------------------------------------


class DayWindow(_Strict):
    """Days after the injection, both ends included; the injection day is day 0."""

    from_day: int = Field(default=0, ge=0, le=MAX_DAY)
    to_day: int | None = Field(default=None, ge=0, le=MAX_DAY)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to_day is not None and self.to_day < self.from_day:
            raise ValueError(f"to_day ({self.to_day}) must not be before from_day ({self.from_day})")
        return self

    def contains(self, day: int) -> bool:
        return self.from_day <= day and (self.to_day is None or day <= self.to_day)


class SymptomTest(_Strict):
    """True when one of the symptoms is present and meets every condition given.

    ``new``: present and not in the baseline, or more severe than at baseline, or more severe than at the
    check-in before (when that check-in recorded it). ``rising``: more severe than at the check-in before.
    Both apply to recovery rules only.
    """

    codes: list[Code] = Field(default_factory=list)
    groups: list[Code] = Field(default_factory=list)
    min_severity: Severity | None = None
    max_severity: Severity | None = None
    new: bool = False
    rising: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.codes and not self.groups:
            raise ValueError("name at least one symptom in codes or groups")
        if self.min_severity and self.max_severity and self.min_severity.rank > self.max_severity.rank:
            raise ValueError("min_severity must not be above max_severity")
        return self


class TemperatureTest(_Strict):
    at_least: float = Field(description="Degrees Celsius, within the protocol's plausible range.")


class PainTest(_Strict):
    """Tests on the back-pain score (0-10) of the check-in being triaged.

    ``above_baseline_by``: at least this many points above the baseline score (1 means above baseline).
    ``rising``: higher than at the check-in before, or than the baseline when there is no check-in before.
    Rules with a baseline-relative test do not fire when the baseline score is unknown.
    """

    at_least: int | None = Field(default=None, ge=0, le=MAX_PAIN)
    above_baseline_by: int | None = Field(default=None, ge=1, le=MAX_PAIN)
    rising: bool = False

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.at_least is None and self.above_baseline_by is None and not self.rising:
            raise ValueError("give at least one of at_least, above_baseline_by or rising")
        return self


_OPERATORS = (
    "all",
    "any",
    "not",
    "sign",
    "symptom",
    "history",
    "condition",
    "target",
    "pain_trend",
    "temperature",
    "pain",
    "window",
)


class Expression(_Strict):
    """One predicate, or a combination of predicates; exactly one key is set.

    - ``all`` / ``any``: lists of expressions; ``not``: one expression.
    - ``sign``: a named expression from the protocol's ``signs`` (for example ``fever``).
    - ``symptom``: a ``SymptomTest``; ``history``: screening factors; ``condition``: diagnoses;
      ``target``: the injection target; ``pain_trend``: the baseline pain trend.
    - ``temperature``, ``pain``: thresholds; ``window``: days after the injection.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    all_of: list[Expression] | None = Field(default=None, alias="all", min_length=1)
    any_of: list[Expression] | None = Field(default=None, alias="any", min_length=1)
    not_: Expression | None = Field(default=None, alias="not")
    sign: Code | None = None
    symptom: SymptomTest | None = None
    history: list[Code] | None = Field(default=None, min_length=1)
    condition: list[Code] | None = Field(default=None, min_length=1)
    target: list[Code] | None = Field(default=None, min_length=1)
    pain_trend: list[PainTrend] | None = Field(default=None, min_length=1)
    temperature: TemperatureTest | None = None
    pain: PainTest | None = None
    window: DayWindow | None = None

    @model_validator(mode="before")
    @classmethod
    def _exactly_one(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) != 1:
            got = ", ".join(map(str, data)) or "none"
            raise ValueError(f"an expression has exactly one of {', '.join(_OPERATORS)} (got {got})")
        return data

    @property
    def operator(self) -> str:
        for name in _OPERATORS:
            field = {"all": "all_of", "any": "any_of", "not": "not_"}.get(name, name)
            if getattr(self, field) is not None:
                return name
        raise AssertionError("validated expressions have one operator")  # pragma: no cover


# --- rules -----------------------------------------------------------------------------------------


class Rule(_Strict):
    id: RuleId
    title: Text = Field(description="Short name for clinicians.")
    when: Expression
    window: DayWindow | None = Field(default=None, description="Recovery rules only: the days it applies.")
    disposition: Disposition
    candidacy: Candidacy | None = Field(default=None, description="Screening rules only.")
    reason: Text = Field(description="Why this matters, in plain words for the patient.")
    rationale: Text = Field(description="Why the rule exists, for the clinician.")
    source: Text


# --- recovery plan, schedules, outcomes ------------------------------------------------------------


class PlanStage(_Strict):
    window: DayWindow
    title: Text
    normal: list[Text] = Field(default_factory=list, description="What is expected in these days.")
    allowed: list[Text] = Field(default_factory=list)


class Restriction(_Strict):
    window: DayWindow
    avoid: Text
    instead: Text | None = None


class RecoveryPlan(_Strict):
    stages: list[PlanStage] = Field(min_length=1)
    restrictions: list[Restriction] = Field(default_factory=list)


class CheckInSchedule(_Strict):
    window: DayWindow
    every_days: int = Field(ge=1, le=MAX_DAY)


class OutcomeTimepoint(_Strict):
    code: Code
    label: Text
    day: int = Field(ge=0, le=MAX_DAY)


class OutcomeSchedule(_Strict):
    timepoints: list[OutcomeTimepoint] = Field(min_length=1)
    window_fraction: float = Field(
        ge=0, le=1, description="A questionnaire counts for a timepoint within this share of its interval."
    )


class Schedules(_Strict):
    checkins: list[CheckInSchedule] = Field(min_length=1)
    outcomes: OutcomeSchedule


class ResponderDefinition(_Strict):
    min_points: float | None = Field(default=None, ge=0)
    min_percent: float | None = Field(default=None, ge=0, le=100)
    combine: Literal["both", "either"] = "both"


class Instrument(_Strict):
    code: Code
    label: Text
    loinc: str | None = None
    responder: ResponderDefinition | None = None
    licence_required: bool = False


class Coding(_Strict):
    """Codes for exports (FHIR R4). Diagnoses carry their SNOMED CT code in ``conditions``."""

    body_temperature_loinc: str
    prp_injection_cpt: str
    low_back_pain_snomed: str
    ankylosing_spondylitis_snomed: str


class ReferencePoint(_Strict):
    """A published result shown beside a clinic's outcomes for context; never a target."""

    study: Text
    procedure: Text
    finding: Text


class Limits(_Strict):
    """What input is plausible; anything outside is an input error, never silently accepted."""

    pain_min: int = Field(ge=0, le=MAX_PAIN)
    pain_max: int = Field(ge=1, le=MAX_PAIN)
    temperature_c_min: float = Field(ge=0, le=60)
    temperature_c_max: float = Field(ge=0, le=60)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.pain_min >= self.pain_max:
            raise ValueError("pain_min must be below pain_max")
        if self.temperature_c_min >= self.temperature_c_max:
            raise ValueError("temperature_c_min must be below temperature_c_max")
        return self


# --- patient education ---------------------------------------------------------------------------


class EducationSection(_Strict):
    heading: Text
    points: list[Text] = Field(min_length=1, description="Short plain sentences, one idea each.")


class EducationTopic(_Strict):
    """A page patients read: plain words, short sentences, honest about what is and is not known."""

    code: Code
    title: Text
    summary: Text = Field(description="One sentence saying what the page is about.")
    sections: list[EducationSection] = Field(min_length=1)


# --- reading a patient's own words ------------------------------------------------------------------

# A few words a patient writes ("wet myself", "pins and needles"); "*" stands for one word that may be
# there or not ("can't feel my * foot" is also "can't feel my left foot").
Phrase = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]


DEFAULT_NOTE_LIMIT = 2000
DEFAULT_NOTE_READER = "a member of the care team"


class NoteContext(_Strict):
    """Words that change what a phrase near them says about the patient. ``*_after`` words follow what they
    change ("the tingling has gone"); the others come before it ("no tingling")."""

    negated: list[Phrase] = Field(description="Before a symptom: it is not there ('no', 'without').")
    negated_after: list[Phrase] = Field(default_factory=list, description="After it: 'I've had none'.")
    hypothetical: list[Phrase] = Field(description="A 'what if' or a worry, not a report ('what if', 'in case').")
    other_person: list[Phrase] = Field(description="Said of someone else ('my husband').")
    resolved: list[Phrase] = Field(default_factory=list, description="Before it: gone ('no longer').")
    resolved_after: list[Phrase] = Field(default_factory=list, description="After it: gone ('has gone').")
    ends: list[Phrase] = Field(description="Where what a word before applies to stops ('but', 'just').")
    self_words: list[Phrase] = Field(
        default_factory=lambda: ["i"],
        description="The patient speaking of themself: after a word before a symptom, a new statement begins "
        "('no fever, I wet myself'; 'worried that I wet myself').",
    )
    imagined: list[Phrase] = Field(
        default_factory=lambda: ["what if"],
        description="Hypothetical words after which what the patient says of themself is still imagined "
        "('what if I lose control').",
    )
    imagined_verbs: list[Phrase] = Field(
        default_factory=list,
        description="After another hypothetical word, the patient's next word that keeps it imagined ('in case I "
        "get a rash', 'if I develop'); any other word begins a statement ('in case I wet myself again').",
    )
    told_words: list[Phrase] = Field(
        default_factory=list,
        description="In the same sentence, these say a hypothetical has happened: 'what if I wet myself again'.",
    )
    reach: int = Field(default=6, ge=1, le=30, description="How many words after it a word before applies to.")


class NoteRules(_Strict):
    """How a patient's free text is read: the words for each symptom, and the words around them."""

    max_length: int = Field(ge=100, le=20_000, description="The most characters a note may hold.")
    fever_at_c: float = Field(ge=36, le=42, description="A temperature written in a note at or above this is a fever.")
    temperature_words: list[Phrase] = Field(description="Words that say a number is a temperature.")
    spelling_score: int = Field(
        default=85, ge=70, le=100, description="How alike (0-100) a misspelt word must be to count as the word."
    )
    symptoms: dict[Code, list[Phrase]] = Field(description="For each symptom code, the ways patients say it.")
    context: NoteContext
    read_by: Text = Field(
        default=DEFAULT_NOTE_READER, description="Who at the clinic reads every note, as a patient is told."
    )
    read_within_working_days: int = Field(
        default=1,
        ge=0,
        le=5,
        description="Every note is read by the end of this working day (0), the next one (1), or later.",
    )

    @property
    def read_when(self) -> str:
        """When a note is read, as a patient is told: 'by the end of the next working day'."""
        days = self.read_within_working_days
        if days == 0:
            return "by the end of the working day"
        if days == 1:
            return "by the end of the next working day"
        return f"within {days} working days"


# --- the document ----------------------------------------------------------------------------------


class Protocol(_Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    version: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._+-]+$")]
    description: Text | None = None
    limits: Limits
    dispositions: dict[Disposition, DispositionText]
    candidacies: dict[Candidacy, CandidacyText]
    conditions: list[Condition] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)
    screening_factors: list[ScreeningFactor] = Field(min_length=1)
    symptom_groups: list[SymptomGroup] = Field(min_length=1)
    symptoms: list[Symptom] = Field(min_length=1)
    signs: dict[Code, Expression] = Field(default_factory=dict)
    screening_rules: list[Rule] = Field(min_length=1)
    recovery_rules: list[Rule] = Field(min_length=1)
    recovery_plan: RecoveryPlan
    schedules: Schedules
    instruments: list[Instrument] = Field(default_factory=list)
    coding: Coding | None = None
    reference_points: list[ReferencePoint] = Field(default_factory=list)
    education: list[EducationTopic] = Field(default_factory=list)
    notes: NoteRules | None = None
    # Per locale (en-US, ...), the words of its patient texts that differ: {"paracetamol": "acetaminophen"}.
    locales: dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}-[A-Z]{2}$")], dict[Text, Text]] = Field(
        default_factory=dict
    )

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def note_limit(self) -> int:
        """The most characters a patient's note may hold (a protocol without note rules keeps 2,000)."""
        return self.notes.max_length if self.notes is not None else DEFAULT_NOTE_LIMIT

    @property
    def note_reading(self) -> str:
        """Who reads every note and by when, as a patient is told: 'a member of the care team reads it by the
        end of the next working day' (a protocol without note rules keeps that)."""
        rules = self.notes
        if rules is None:
            return f"{DEFAULT_NOTE_READER} reads it by the end of the next working day"
        return f"{rules.read_by} reads it {rules.read_when}"


def signs_used(expression: Expression) -> set[str]:
    """The names of the signs an expression refers to, directly or inside combinations."""
    if expression.sign is not None:
        return {expression.sign}
    children = [*(expression.all_of or ()), *(expression.any_of or ())]
    if expression.not_ is not None:
        children.append(expression.not_)
    return set().union(*(signs_used(child) for child in children))


def sign_order(protocol: Protocol) -> list[str]:
    """Signs in an order where each comes after the signs it uses; raises graphlib.CycleError."""
    graph = {name: signs_used(expression) & set(protocol.signs) for name, expression in protocol.signs.items()}
    return list(graphlib.TopologicalSorter(graph).static_order())


def describe_days(window: DayWindow) -> str:
    if window.to_day is None:
        return f"day {window.from_day} on"
    if window.to_day == window.from_day:
        return f"day {window.from_day}"
    return f"days {window.from_day}-{window.to_day}"


def describe_expression(expression: Expression) -> str:
    """A compact text of an expression for clinicians reading `prpath protocol show`."""
    op = expression.operator
    if op in ("all", "any"):
        children = expression.all_of if op == "all" else expression.any_of
        parts = []
        for child in children or ():
            text = describe_expression(child)
            parts.append(f"({text})" if child.operator in ("all", "any") else text)
        return (" and " if op == "all" else " or ").join(parts)
    if op == "not":
        assert expression.not_ is not None
        return f"not {describe_expression(expression.not_)}"
    if op == "sign":
        return f"[{expression.sign}]"
    if op == "symptom":
        test = expression.symptom
        assert test is not None
        words = [
            "|".join([*test.codes, *(f"any {group}" for group in test.groups)]),
            *(["new"] if test.new else []),
            *(["rising"] if test.rising else []),
            *([f">= {test.min_severity.value}"] if test.min_severity else []),
            *([f"<= {test.max_severity.value}"] if test.max_severity else []),
        ]
        return " ".join(words)
    if op == "temperature":
        assert expression.temperature is not None
        return f"temperature >= {expression.temperature.at_least} °C"
    if op == "pain":
        pain = expression.pain
        assert pain is not None
        words = [f"pain >= {pain.at_least}"] if pain.at_least is not None else []
        if pain.above_baseline_by is not None:
            words.append(f"pain >= baseline + {pain.above_baseline_by}")
        if pain.rising:
            words.append("pain rising")
        return " and ".join(words)
    if op == "window":
        assert expression.window is not None
        return describe_days(expression.window)
    values = getattr(expression, op)
    return f"{op.replace('_', ' ')}: {'|'.join(str(getattr(v, 'value', v)) for v in values)}"


# --- reference checks ------------------------------------------------------------------------------

_RECOVERY_ONLY = ("temperature", "pain", "window", "target")


def check_protocol(protocol: Protocol) -> list[Problem]:
    """Every problem of reference and consistency in a protocol whose shape is valid."""
    problems: list[Problem] = []

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(format_location(loc), message))

    for section in ("conditions", "targets", "screening_factors", "symptom_groups", "symptoms", "education"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(protocol, section)):
            if item.code in seen:
                problem((section, i, "code"), f"duplicate code {item.code!r}")
            seen.add(item.code)

    if protocol.notes is not None:
        codes = {s.code for s in protocol.symptoms}
        said: dict[str, str] = {}
        for code, phrases in protocol.notes.symptoms.items():
            if code not in codes:
                problem(("notes", "symptoms", code), f"unknown symptom {code!r}")
            for j, phrase in enumerate(phrases):
                key = " ".join(phrase.lower().split())
                if said.get(key, code) != code:
                    problem(("notes", "symptoms", code, j), f"{phrase!r} is also a phrase of {said[key]!r}")
                said[key] = code
                if key.strip("* ") == "":
                    problem(("notes", "symptoms", code, j), "a phrase needs at least one word that is not *")

    groups = {g.code for g in protocol.symptom_groups}
    for i, symptom in enumerate(protocol.symptoms):
        if symptom.group not in groups:
            problem(("symptoms", i, "group"), f"unknown symptom group {symptom.group!r}")

    for kind, enum in (("dispositions", Disposition), ("candidacies", Candidacy)):
        missing = [m.value for m in enum if m not in getattr(protocol, kind)]
        if missing:
            problem((kind,), f"missing text for {', '.join(missing)}")

    known: dict[str, Any] = {
        "limits": protocol.limits,
        "symptom": {s.code for s in protocol.symptoms},
        "group": groups,
        "history": {f.code for f in protocol.screening_factors},
        "condition": {c.code for c in protocol.conditions},
        "target": {t.code for t in protocol.targets},
    }
    for name, expression in protocol.signs.items():
        _check_expression(expression, ("signs", name), None, known, set(protocol.signs), problem)
    try:
        sign_order(protocol)
    except graphlib.CycleError as cycle:
        names = cycle.args[1]
        problem(("signs", names[0]), f"signs refer to each other in a circle: {' -> '.join(names)}")

    rule_ids: set[str] = set()
    for section, phase in (("screening_rules", "screening"), ("recovery_rules", "recovery")):
        for i, rule in enumerate(getattr(protocol, section)):
            loc: tuple[str | int, ...] = (section, i)
            if rule.id in rule_ids:
                problem((*loc, "id"), f"duplicate rule id {rule.id!r}")
            rule_ids.add(rule.id)
            if phase == "screening":
                if rule.candidacy is None:
                    problem((*loc, "candidacy"), "a screening rule must say the candidacy")
                if rule.window is not None:
                    problem((*loc, "window"), "a screening rule has no day window (there is no injection yet)")
            elif rule.candidacy is not None:
                problem((*loc, "candidacy"), "a recovery rule has no candidacy")
            _check_expression(rule.when, (*loc, "when"), phase, known, set(protocol.signs), problem)
            if phase == "screening":
                _check_signs_for_screening(protocol, rule.when, (*loc, "when"), problem)
    return problems


def _check_signs_for_screening(
    protocol: Protocol, expression: Expression, loc: tuple[str | int, ...], problem: Any
) -> None:
    """A sign a screening rule uses, directly or through other signs, must hold no recovery-only test:
    at screening there is no check-in to compare with and no day."""
    pending, seen = sorted(signs_used(expression)), set()
    while pending:
        name = pending.pop(0)
        if name in seen or name not in protocol.signs:
            continue
        seen.add(name)
        sign = protocol.signs[name]
        if _uses_recovery_only(sign):
            problem(loc, f"uses the sign {name!r}, which compares check-ins or days: recovery rules only")
        pending.extend(sorted(signs_used(sign)))


def _uses_recovery_only(expression: Expression) -> bool:
    op = expression.operator
    if op in _RECOVERY_ONLY:
        return True
    if op == "symptom":
        assert expression.symptom is not None
        return expression.symptom.new or expression.symptom.rising
    children = [*(expression.all_of or ()), *(expression.any_of or ())]
    if expression.not_ is not None:
        children.append(expression.not_)
    return any(_uses_recovery_only(child) for child in children)


def _check_expression(
    expression: Expression,
    loc: tuple[str | int, ...],
    phase: str | None,
    known: dict[str, Any],
    signs: set[str],
    problem: Any,
) -> None:
    op = expression.operator
    here = (*loc, op)
    if op in ("all", "any"):
        children = expression.all_of if op == "all" else expression.any_of
        for i, child in enumerate(children or ()):
            _check_expression(child, (*here, i), phase, known, signs, problem)
        return
    if op == "not":
        assert expression.not_ is not None
        _check_expression(expression.not_, here, phase, known, signs, problem)
        return
    if op == "temperature" and expression.temperature is not None:
        threshold, limits = expression.temperature.at_least, known["limits"]
        if not limits.temperature_c_min <= threshold <= limits.temperature_c_max:
            problem(
                (*here, "at_least"),
                f"{threshold} °C is outside the plausible range in limits "
                f"({limits.temperature_c_min}-{limits.temperature_c_max} °C)",
            )
    if op == "pain" and expression.pain is not None:
        limits = known["limits"]
        for field in ("at_least", "above_baseline_by"):
            value = getattr(expression.pain, field)
            if value is not None and value > limits.pain_max - (0 if field == "at_least" else limits.pain_min):
                problem((*here, field), f"{value} can never be reached on a {limits.pain_min}-{limits.pain_max} scale")
    if phase == "screening" and op in _RECOVERY_ONLY:
        problem(here, f"{op} can only be used in recovery rules")
    if op == "sign" and expression.sign not in signs:
        problem(here, f"unknown sign {expression.sign!r} (define it under 'signs')")
    if op == "symptom":
        test = expression.symptom
        assert test is not None
        for i, code in enumerate(test.codes):
            if code not in known["symptom"]:
                problem((*here, "codes", i), f"unknown symptom {code!r}")
        for i, code in enumerate(test.groups):
            if code not in known["group"]:
                problem((*here, "groups", i), f"unknown symptom group {code!r}")
        if phase == "screening" and (test.new or test.rising):
            problem(here, "new and rising compare check-ins, so they can only be used in recovery rules")
    for kind in ("history", "condition", "target"):
        if op == kind:
            for i, code in enumerate(getattr(expression, kind)):
                if code not in known[kind]:
                    problem((*here, i), f"unknown {kind.replace('history', 'screening factor')} {code!r}")


UNGRADED_YES = Severity.MODERATE


def as_asked(protocol: Protocol, symptoms: Mapping[str, str]) -> dict[str, str]:
    """The symptoms as the protocol asks them: a yes-or-no symptom reported with any grade is a plain yes.

    A red flag is a red flag whatever its degree, so "severe" urinary retention is stored as the same yes
    the form offers. Values that are not a severity at all are left alone for validation to name.
    """
    ungraded = {s.code for s in protocol.symptoms if not s.graded}
    grades = {s.value for s in Severity}
    return {
        code: UNGRADED_YES.value if code in ungraded and value in grades else value for code, value in symptoms.items()
    }
