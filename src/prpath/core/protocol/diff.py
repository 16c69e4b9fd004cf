"""What changed between two protocol versions, in words a clinician reads.

Rules, signs and codes are matched by their id or code, so a rule that moved in the document is not
reported as removed and added again. A change to a number inside a rule's condition (a fever threshold,
a day window, a pain score) is named as that number's change; any other change to a condition shows the
condition before and after, as ``prpath protocol show`` writes it. A changed sign names the rules that
use it, since every one of them changes with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel

from prpath.core.protocol.schema import (
    DayWindow,
    Expression,
    Protocol,
    Rule,
    describe_days,
    describe_expression,
    signs_used,
)


class Topic(StrEnum):
    """What kind of change it is, for a clinician scanning the list."""

    RULE = "rule"
    THRESHOLD = "threshold"
    DAY_WINDOW = "day window"
    TEXT = "text"
    CODE = "code"
    SCHEDULE = "schedule"
    WORDS = "words in notes"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Change:
    topic: Topic
    section: str  # e.g. "Recovery rules"
    item: str  # e.g. "recovery.fever (Fever after the injection)"
    what: str  # "added", "removed", or the part that changed ("condition", "text for the patient", ...)
    before: str | None = None
    after: str | None = None

    @property
    def sentence(self) -> str:
        head = f"{self.section}: {self.item}" if self.item else self.section
        if self.what == "added" or self.what.endswith(": added"):
            return f"{head}: {self.what}" + (f" ({self.after})" if self.after else "")
        if self.what == "removed" or self.what.endswith(": removed"):
            return f"{head}: {self.what}" + (f" (was {self.before})" if self.before else "")
        return f"{head}: {self.what} changed from “{self.before}” to “{self.after}”"


# Field names as a clinician says them.
_WORDS = {
    "fever_at_c": "fever from (°C)",
    "max_length": "longest note (characters)",
    "spelling_score": "how alike a misspelt word must be (0-100)",
    "reach": "how many words a context word reaches",
    "when": "condition",
    "window": "day window",
    "reason": "text for the patient",
    "rationale": "rationale for the clinician",
    "instruction": "instruction for the patient",
    "graded": "asked with a grade",
    "every_days": "every how many days",
    "from_day": "first day",
    "to_day": "last day",
    "min_points": "minimum points",
    "min_percent": "minimum percent",
    "window_fraction": "window around each timepoint",
    "licence_required": "licence required",
    "avoid": "what to avoid",
    "instead": "what to do instead",
    "normal": "what is normal",
    "allowed": "what is allowed",
    "about": "about the condition",
}
_TOPIC_OF_FIELD = {
    "window": Topic.DAY_WINDOW,
    "when": Topic.RULE,
    "disposition": Topic.RULE,
    "candidacy": Topic.RULE,
}


def diff_protocols(before: Protocol, after: Protocol) -> list[Change]:
    """Every difference between ``before`` (the active version) and ``after`` (a draft), in document order."""
    changes: list[Change] = []
    for field in ("name", "version", "description"):
        old_value, new_value = {field: getattr(before, field)}, {field: getattr(after, field)}
        changes += _fields(Topic.DOCUMENT, "Document", "", old_value, new_value)
    changes += _fields(Topic.THRESHOLD, "Limits", "", before.limits, after.limits)
    for section, attr in (("Dispositions", "dispositions"), ("Candidacies", "candidacies")):
        old = {k.value: v for k, v in getattr(before, attr).items()}
        new = {k.value: v for k, v in getattr(after, attr).items()}
        changes += _keyed(Topic.TEXT, section, old, new)
    for section, attr in (
        ("Conditions", "conditions"),
        ("Injection targets", "targets"),
        ("Screening factors", "screening_factors"),
        ("Symptom groups", "symptom_groups"),
        ("Symptoms", "symptoms"),
    ):
        old_items = {item.code: item for item in getattr(before, attr)}
        new_items = {item.code: item for item in getattr(after, attr)}
        changes += _keyed(Topic.CODE, section, old_items, new_items, named=_labelled)
    changes += _signs(before, after)
    for section, attr in (("Screening rules", "screening_rules"), ("Recovery rules", "recovery_rules")):
        changes += _rules(section, getattr(before, attr), getattr(after, attr))
    changes += _listed(Topic.TEXT, "Recovery plan stages", before.recovery_plan.stages, after.recovery_plan.stages)
    changes += _listed(
        Topic.TEXT, "Recovery plan restrictions", before.recovery_plan.restrictions, after.recovery_plan.restrictions
    )
    changes += _listed(Topic.SCHEDULE, "Check-in schedule", before.schedules.checkins, after.schedules.checkins)
    changes += _fields(
        Topic.SCHEDULE,
        "Outcome schedule",
        "",
        before.schedules.outcomes.model_copy(update={"timepoints": []}),
        after.schedules.outcomes.model_copy(update={"timepoints": []}),
    )
    changes += _keyed(
        Topic.SCHEDULE,
        "Outcome timepoints",
        {t.code: t for t in before.schedules.outcomes.timepoints},
        {t.code: t for t in after.schedules.outcomes.timepoints},
        named=_labelled,
    )
    changes += _keyed(
        Topic.CODE,
        "Instruments",
        {i.code: i for i in before.instruments},
        {i.code: i for i in after.instruments},
        named=_labelled,
    )
    if before.coding is not None and after.coding is not None:
        changes += _fields(Topic.CODE, "Export codes", "", before.coding, after.coding)
    elif before.coding != after.coding:
        changes.append(Change(Topic.CODE, "Export codes", "", "removed" if after.coding is None else "added"))
    changes += _listed(Topic.TEXT, "Published reference points", before.reference_points, after.reference_points)
    changes += _keyed(
        Topic.TEXT,
        "Education",
        {t.code: t for t in before.education},
        {t.code: t for t in after.education},
        named=lambda code, topic: f"{code} ({topic.title})",
    )
    changes += _notes(before, after)
    return changes


def _notes(before: Protocol, after: Protocol) -> list[Change]:
    """How patients' notes are read: each phrase added or removed for a symptom, the context words, the
    limits."""
    a, b = before.notes, after.notes
    if a is None or b is None:
        return [] if a == b else [Change(Topic.WORDS, "Reading notes", "", "removed" if b is None else "added")]
    section = "Reading notes"
    changes = _fields(
        Topic.WORDS,
        section,
        "",
        a.model_copy(update={"symptoms": {}, "context": None}),
        b.model_copy(update={"symptoms": {}, "context": None}),
    )
    labels = {s.code: s.label for s in after.symptoms} | {s.code: s.label for s in before.symptoms}
    for code in sorted(set(a.symptoms) | set(b.symptoms)):
        old, new = a.symptoms.get(code, []), b.symptoms.get(code, [])
        item = f"{code} ({labels.get(code, code)})"
        changes += [Change(Topic.WORDS, section, item, "phrase: removed", before=x) for x in old if x not in new]
        changes += [Change(Topic.WORDS, section, item, "phrase: added", after=x) for x in new if x not in old]
    changes += _fields(Topic.WORDS, section, "context words", a.context, b.context)
    return changes


# --- rules and signs -------------------------------------------------------------------------------


def _rules(section: str, before: Sequence[Rule], after: Sequence[Rule]) -> list[Change]:
    old = {rule.id: rule for rule in before}
    new = {rule.id: rule for rule in after}
    changes: list[Change] = []
    for rule_id, rule in old.items():
        if rule_id not in new:
            changes.append(Change(Topic.RULE, section, _rule_name(rule), "removed", before=_outcome(rule)))
    for rule_id, rule in new.items():
        name = _rule_name(rule)
        if rule_id not in old:
            changes.append(Change(Topic.RULE, section, name, "added", after=f"{_outcome(rule)} when {_when(rule)}"))
            continue
        was = old[rule_id]
        changes += _expression_change(section, name, "condition", was.when, rule.when)
        for field in ("window", "disposition", "candidacy", "title", "reason", "rationale", "source"):
            a, b = getattr(was, field), getattr(rule, field)
            if a != b:
                topic = _TOPIC_OF_FIELD.get(field, Topic.TEXT)
                changes.append(Change(topic, section, name, _WORDS.get(field, field), _show(a), _show(b)))
    return changes


def _signs(before: Protocol, after: Protocol) -> list[Change]:
    changes: list[Change] = []
    for name, expression in before.signs.items():
        if name not in after.signs:
            changes.append(Change(Topic.RULE, "Signs", f"[{name}]", "removed", before=describe_expression(expression)))
    for name, expression in after.signs.items():
        users = _rules_using(after, name)
        item = f"[{name}]" + (f", used by {', '.join(users)}" if users else "")
        if name not in before.signs:
            changes.append(Change(Topic.RULE, "Signs", item, "added", after=describe_expression(expression)))
        else:
            changes += _expression_change("Signs", item, "condition", before.signs[name], expression)
    return changes


def _rules_using(protocol: Protocol, sign: str) -> list[str]:
    """Rules whose condition uses ``sign``, directly or through other signs."""
    closure: dict[str, set[str]] = {}

    def reach(expression: Expression, seen: frozenset[str] = frozenset()) -> set[str]:
        found = set()
        for name in signs_used(expression):
            if name in seen or name not in protocol.signs:
                continue
            found.add(name)
            if name not in closure:
                closure[name] = reach(protocol.signs[name], seen | {name})
            found |= closure[name]
        return found

    return [rule.id for rule in (*protocol.screening_rules, *protocol.recovery_rules) if sign in reach(rule.when)]


def _expression_change(section: str, item: str, what: str, before: Expression, after: Expression) -> list[Change]:
    if before == after:
        return []
    numbers = _number_changes(before, after, ())
    if numbers is not None:
        return [
            Change(Topic.DAY_WINDOW if kind == "window" else Topic.THRESHOLD, section, item, label, old, new)
            for kind, label, old, new in numbers
        ]
    return [Change(Topic.RULE, section, item, what, describe_expression(before), describe_expression(after))]


_Number = tuple[str, str, str, str]  # kind, what, before, after


def _number_changes(before: Expression, after: Expression, path: tuple[str, ...]) -> list[_Number] | None:
    """The numbers that differ between two conditions of the same shape, or None when the shape differs."""
    op = before.operator
    if op != after.operator:
        return None
    if op in ("all", "any"):
        a = before.all_of if op == "all" else before.any_of
        b = after.all_of if op == "all" else after.any_of
        if a is None or b is None or len(a) != len(b):
            return None
        found: list[_Number] = []
        for x, y in zip(a, b, strict=True):
            inner = _number_changes(x, y, path)
            if inner is None:
                return None
            found += inner
        return found
    if op == "not":
        assert before.not_ is not None
        assert after.not_ is not None
        return _number_changes(before.not_, after.not_, path)
    if op == "temperature":
        assert before.temperature is not None
        assert after.temperature is not None
        a_t, b_t = before.temperature.at_least, after.temperature.at_least
        return [] if a_t == b_t else [("temperature", "temperature threshold", f"{a_t} °C", f"{b_t} °C")]
    if op == "pain":
        assert before.pain is not None
        assert after.pain is not None
        if before.pain.rising != after.pain.rising:
            return None
        found = []
        for field, label in (("at_least", "pain at least"), ("above_baseline_by", "points above the usual pain")):
            a_p, b_p = getattr(before.pain, field), getattr(after.pain, field)
            if (a_p is None) != (b_p is None):
                return None
            if a_p != b_p:
                found.append(("pain", label, str(a_p), str(b_p)))
        return found
    if op == "window":
        assert before.window is not None
        assert after.window is not None
        a_w, b_w = describe_days(before.window), describe_days(after.window)
        return [] if a_w == b_w else [("window", "day window", a_w, b_w)]
    return None if before != after else []


def _rule_name(rule: Rule) -> str:
    return f"{rule.id} ({rule.title})"


def _outcome(rule: Rule) -> str:
    return rule.disposition.value + (f" / {rule.candidacy.value}" if rule.candidacy else "")


def _when(rule: Rule) -> str:
    when = describe_expression(rule.when)
    return f"{describe_days(rule.window)}: {when}" if rule.window is not None else when


# --- generic sections ------------------------------------------------------------------------------


def _labelled(code: str, item: Any) -> str:
    label = getattr(item, "label", None)
    return f"{code} ({label})" if label else code


def _keyed(
    topic: Topic,
    section: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    named: Any = None,
) -> list[Change]:
    name = named or (lambda key, item: key)
    changes: list[Change] = []
    for key, item in before.items():
        if key not in after:
            changes.append(Change(topic, section, name(key, item), "removed"))
    for key, item in after.items():
        if key not in before:
            changes.append(Change(topic, section, name(key, item), "added", after=_summary(item)))
        else:
            changes += _fields(topic, section, name(key, item), before[key], item)
    return changes


def _listed(topic: Topic, section: str, before: Sequence[BaseModel], after: Sequence[BaseModel]) -> list[Change]:
    """Lists without codes (plan stages, restrictions, schedules): compared place by place."""
    changes: list[Change] = []
    for i, (a, b) in enumerate(zip(before, after, strict=False)):
        changes += _fields(topic, section, f"#{i + 1} ({_summary(b)})", a, b)
    for i, item in enumerate(before[len(after) :], start=len(after)):
        changes.append(Change(topic, section, f"#{i + 1}", "removed", before=_summary(item)))
    for i, item in enumerate(after[len(before) :], start=len(before)):
        changes.append(Change(topic, section, f"#{i + 1}", "added", after=_summary(item)))
    return changes


def _fields(topic: Topic, section: str, item: str, before: Any, after: Any) -> list[Change]:
    old, new = dict(before), dict(after)  # a model iterates as (field, value) pairs
    changes: list[Change] = []
    for field in dict.fromkeys([*old, *new]):
        a, b = old.get(field), new.get(field)
        if a == b:
            continue
        what = _WORDS.get(field, field.replace("_", " "))
        field_topic = Topic.DAY_WINDOW if isinstance(a, DayWindow) or isinstance(b, DayWindow) else topic
        if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in [*a, *b]):
            changes += [Change(field_topic, section, item, f"{what}: removed", before=x) for x in a if x not in b]
            changes += [Change(field_topic, section, item, f"{what}: added", after=x) for x in b if x not in a]
            continue
        changes.append(Change(field_topic, section, item, what, _show(a), _show(b)))
    return changes


def _summary(item: Any) -> str:
    for attr in ("title", "label", "avoid", "study"):
        value = getattr(item, attr, None)
        if isinstance(value, str):
            return value
    if isinstance(item, BaseModel):
        return _show(item)
    return str(item)


def _show(value: Any) -> str:
    """A value as a clinician reads it in one line."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Expression):
        return describe_expression(value)
    if isinstance(value, DayWindow):
        return describe_days(value)
    if isinstance(value, BaseModel):
        parts = [f"{_WORDS.get(k, k.replace('_', ' '))} {_show(v)}" for k, v in value if v not in (None, [], ())]
        return ", ".join(parts)
    if isinstance(value, list | tuple):
        return "; ".join(_show(v) for v in value)
    return str(value)


def describe_changes(changes: Iterable[Change]) -> list[str]:
    return [change.sentence for change in changes]
