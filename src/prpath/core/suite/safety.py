"""The safety suite a protocol version must pass before it becomes a clinic's active one.

Every vignette (those shipped with prpath and those the clinic adds) is triaged under the draft and
compared with its answer key. A missed emergency (the key says emergency, the draft does not) is never
accepted. Every other disagreement is listed, and the clinic gives a reason for each one it accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from prpath.core import recovery
from prpath.core.protocol.schema import Disposition, Protocol
from prpath.core.suite.check import CheckReport, Disagreement, add_notes, check_results
from prpath.core.suite.notes import NoteResult, looks_like_note, read_note_text
from prpath.core.suite.vignettes import VignetteResult, evaluate_vignette_text
from prpath.core.triage import Case, triage

SuiteItem = VignetteResult | NoteResult


@dataclass(frozen=True, slots=True)
class SuiteVignette:
    key: str  # unique in the suite: "shipped/own-r01.json", "clinic/our-case.json"
    text: bytes


@dataclass(frozen=True, slots=True)
class SuiteResult:
    report: CheckReport
    vignettes: int

    @property
    def disagreements(self) -> list[Disagreement]:
        return self.report.items

    @property
    def missed_emergencies(self) -> list[Disagreement]:
        return [d for d in self.report.items if d.missed_emergency]

    @property
    def to_accept(self) -> list[Disagreement]:
        """The disagreements a clinic may accept, each with a reason."""
        return [d for d in self.report.items if not d.missed_emergency]

    def reasons_missing(self, reasons: Mapping[str, str]) -> list[Disagreement]:
        return [d for d in self.to_accept if not reasons.get(d.source, "").strip()]

    def summary_lines(self) -> list[str]:
        return self.report.summary_lines()


def evaluate_text(protocol: Protocol, text: bytes, *, name: str, stem: str) -> SuiteItem:
    """A vignette triaged, or a note file read (``../shared/notes/FORMAT.md``), by what the file holds."""
    if looks_like_note(text):
        return read_note_text(protocol, text, stem=stem, name=name)
    return evaluate_vignette_text(protocol, text, name=name, stem=stem)


def red_flags(protocol: Protocol) -> frozenset[str]:
    """The symptoms that, reported alone at moderate (as a note reports them), need the emergency department
    on some day of recovery under this protocol: a note that misses one misses an emergency."""
    days = recovery.checkin_days(protocol.schedules) or [1]
    found = set()
    for symptom in protocol.symptoms:
        for day in days:
            case = Case.model_validate(
                {
                    "phase": "recovery",
                    "patient": {},
                    "procedure": {"date": dt.date(2026, 1, 1)},
                    "checkins": [
                        {
                            "date": dt.date(2026, 1, 1) + dt.timedelta(days=day),
                            "pain": 0,
                            "symptoms": {symptom.code: "moderate"},
                        }
                    ],
                }
            )
            if triage(protocol, case).disposition == Disposition.EMERGENCY:
                found.add(symptom.code)
                break
    return frozenset(found)


def check_suite(protocol: Protocol, results: Sequence[SuiteItem]) -> CheckReport:
    """Vignettes against their answer keys, then notes against theirs (their red flags weigh as emergencies)."""
    report = check_results([r for r in results if isinstance(r, VignetteResult)])
    notes = [r for r in results if isinstance(r, NoteResult)]
    return add_notes(report, notes, red_flags(protocol)) if notes else report


def run_suite(protocol: Protocol, vignettes: Iterable[SuiteVignette]) -> SuiteResult:
    results = []
    for vignette in vignettes:
        stem = vignette.key.rsplit("/", 1)[-1].removesuffix(".json")
        results.append(evaluate_text(protocol, vignette.text, name=vignette.key, stem=stem))
    return SuiteResult(check_suite(protocol, results), len(results))
