"""The safety suite a protocol version must pass before it becomes a clinic's active one.

Every vignette (those shipped with prpath and those the clinic adds) is triaged under the draft and
compared with its answer key. A missed emergency (the key says emergency, the draft does not) is never
accepted. Every other disagreement is listed, and the clinic gives a reason for each one it accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prpath.core.protocol.schema import Protocol
from prpath.core.suite.check import CheckReport, Disagreement, check_results
from prpath.core.suite.vignettes import evaluate_vignette_text


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


def run_suite(protocol: Protocol, vignettes: Iterable[SuiteVignette]) -> SuiteResult:
    results = []
    for vignette in vignettes:
        stem = vignette.key.rsplit("/", 1)[-1].removesuffix(".json")
        results.append(evaluate_vignette_text(protocol, vignette.text, name=vignette.key, stem=stem))
    return SuiteResult(check_results(results), len(results))
