"""What a new assessment does to a patient's unresolved alert: open, raise, reopen, merge or leave it.

A patient has at most one unresolved alert per injection (and one about screening). A fever reported
again the next day, or amended the same evening, updates it rather than adding rows for the nurse to
work through. What it says is the union of every finding it has absorbed, each with its newest evidence,
so nothing reported is dropped. It never drops in severity when a later report is milder: the clinic
decides that, by resolving it. When the severity rises, when a finding it did not hold appears
(discharge on top of an acknowledged fever), or when an emergency is reported again after someone
acknowledged it, it is open again, saying what changed.

Pure: the facts of the alert and the report in, a decision out. ``prpath.clinic.actions.alerts`` applies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from prpath.core.findings import FindingRecord
from prpath.core.protocol.schema import DISPOSITION_WORDS, Disposition

TEXT_LIMIT = 300  # a summary or a note of what changed is cut here: the card shows it in a line or two


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Verdict(StrEnum):
    OPEN = "open"  # no unresolved alert: a new one
    RAISE = "raise"  # more severe than it was: open again, saying from what to what
    REOPEN = "reopen"  # a new kind of finding, or an emergency reported again after acknowledgement
    MERGE = "merge"  # newer evidence for what it already holds: updated, its state kept
    LEAVE = "leave"  # nothing it does not already say (or nothing above self-care, and no alert)


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What an unresolved alert says: its state, its severity, its findings and why it was last reopened."""

    state: AlertState
    disposition: Disposition
    findings: tuple[FindingRecord, ...]
    reopened_note: str = ""

    @property
    def summary(self) -> str:
        return summary_of(self.findings)


@dataclass(frozen=True, slots=True)
class NewReport:
    """An assessment as the policy reads it. ``newer_than_source``: the report is dated on or after the
    one the alert points at (an amendment of today, a later day, a new screening)."""

    disposition: Disposition
    findings: tuple[FindingRecord, ...]
    newer_than_source: bool = True


@dataclass(frozen=True, slots=True)
class AlertDecision:
    verdict: Verdict
    why: str  # in the words of the card's history
    after: AlertFacts | None  # what the alert says afterwards; None when there is no alert to keep
    points_at_report: bool  # the alert now points at this report (the most severe, the newest among equals)

    @property
    def changes_alert(self) -> bool:
        return self.verdict != Verdict.LEAVE


def summary_of(findings: tuple[FindingRecord, ...]) -> str:
    return "; ".join(f.title for f in findings)[:TEXT_LIMIT]


def decide(held: AlertFacts | None, report: NewReport) -> AlertDecision:
    """The decision for ``report`` given the patient's unresolved alert ``held`` (None when there is none)."""
    raised = tuple(f for f in report.findings if f.above_self_care)
    if report.disposition == Disposition.SELF_CARE or not raised:
        why = "nothing above self-care" + ("; the alert stays as it is until the clinic resolves it" if held else "")
        return AlertDecision(Verdict.LEAVE, why, held, points_at_report=False)
    if held is None:
        after = AlertFacts(AlertState.OPEN, report.disposition, _most_severe_first(raised))
        return AlertDecision(Verdict.OPEN, f"new {DISPOSITION_WORDS[report.disposition].lower()} alert", after, True)

    kept = {f.rule: f for f in held.findings if f.above_self_care}
    fresh = [f for f in raised if f.rule not in kept]
    kept.update({f.rule: f for f in raised})  # the newest evidence for each finding, in the order first seen
    findings = _most_severe_first(kept.values())
    rank, held_rank = report.disposition.rank, held.disposition.rank
    points = rank > held_rank or (rank == held_rank and report.newer_than_source)

    changes = []
    if rank > held_rank:
        changes.append(
            f"escalated from {DISPOSITION_WORDS[held.disposition]} to {DISPOSITION_WORDS[report.disposition]}"
        )
    if fresh:
        changes.append("new: " + ", ".join(f.title for f in fresh))
    if not changes and held.state == AlertState.ACKNOWLEDGED and report.disposition == Disposition.EMERGENCY:
        # The patient may not have gone: whoever acknowledged it must know it is still being reported.
        emergencies = [f.title for f in raised if f.disposition == Disposition.EMERGENCY]
        changes.append("reported again since it was acknowledged: " + ", ".join(emergencies))
    if changes:
        note = "; ".join(changes)[:TEXT_LIMIT]
        disposition = report.disposition if rank > held_rank else held.disposition
        after = AlertFacts(AlertState.OPEN, disposition, findings, note)
        return AlertDecision(Verdict.RAISE if rank > held_rank else Verdict.REOPEN, note, after, points)
    after = AlertFacts(held.state, held.disposition, findings, held.reopened_note)
    if findings == held.findings:
        return AlertDecision(Verdict.LEAVE, "nothing it does not already say", after, points)
    return AlertDecision(Verdict.MERGE, "newer evidence for what it holds", after, points)


def _most_severe_first(findings: Iterable[FindingRecord]) -> tuple[FindingRecord, ...]:
    return tuple(sorted(findings, key=lambda f: -f.disposition.rank))  # stable: first seen first among equals
