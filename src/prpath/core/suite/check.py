"""Comparing triage results with the answer keys of vignettes: the product's safety suite."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from prpath.core.protocol.schema import CANDIDACY_ORDER, DISPOSITION_ORDER, Disposition
from prpath.core.suite.notes import NoteResult
from prpath.core.suite.vignettes import VignetteResult

_DISPOSITION_RANK = {d.value: d.rank for d in DISPOSITION_ORDER}
_CANDIDACY_RANK = {c.value: c.rank for c in CANDIDACY_ORDER}


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One vignette whose result is not its answer key's."""

    vignette: str  # its id
    source: str  # where it came from (a file name, or the name a clinic gave it)
    line: str  # the line ``--check`` prints
    missed_emergency: bool  # the key says emergency and the result does not
    expected: str = ""  # what the answer key says, in a few words
    got: str = ""  # what the protocol gave

    @property
    def summary(self) -> str:
        return f"{self.vignette}: the answer key says {self.expected}; this protocol gives {self.got}"


@dataclass
class CheckReport:
    evaluated: int = 0
    without_key: int = 0
    agreed: int = 0
    under_triage: int = 0
    over_triage: int = 0
    candidacy_too_permissive: int = 0
    candidacy_too_strict: int = 0
    candidacy_mismatched: int = 0
    rejected_as_expected: int = 0
    accepted_but_invalid: int = 0
    rejected_unexpectedly: int = 0
    emergencies_expected: int = 0
    emergencies_found: int = 0
    notes: int = 0  # note files among those evaluated (their red flags count in the emergency sensitivity)
    notes_under_read: int = 0  # a symptom the key says the note reports, not found
    notes_over_read: int = 0  # only symptoms found that the key does not have
    disagreements: list[str] = field(default_factory=list)
    bad_keys: list[str] = field(default_factory=list)
    items: list[Disagreement] = field(default_factory=list)  # every disagreement and bad key, as data

    @property
    def checked(self) -> int:
        return self.evaluated - self.without_key

    @property
    def all_agree(self) -> bool:
        return not self.disagreements and not self.bad_keys

    def summary_lines(self) -> list[str]:
        sensitivity = (
            f"{self.emergencies_found}/{self.emergencies_expected} "
            f"({100 * self.emergencies_found / self.emergencies_expected:.1f}%)"
            if self.emergencies_expected
            else "n/a (no emergency in the answer keys)"
        )
        rate = f"{100 * self.agreed / self.checked:.1f}%" if self.checked else "n/a"
        notes = (
            [
                f"notes {self.notes}: a symptom missed in {self.notes_under_read}, "
                f"only symptoms not in the key found in {self.notes_over_read}"
            ]
            if self.notes
            else []
        )
        return [
            f"checked {self.checked} of {self.evaluated} {'files (vignettes and notes)' if self.notes else 'vignettes'}"
            + (f" ({self.without_key} without an answer key)" if self.without_key else "")
            + f"; exact agreement {self.agreed}/{self.checked} ({rate})",
            f"under-triage {self.under_triage}, over-triage {self.over_triage}; candidacy too permissive "
            f"{self.candidacy_too_permissive}, too strict {self.candidacy_too_strict}"
            + (
                f", given where none is expected or missing {self.candidacy_mismatched}"
                if self.candidacy_mismatched
                else ""
            )
            + "; invalid files "
            f"rejected {self.rejected_as_expected}, accepted {self.accepted_but_invalid}, "
            f"valid files rejected {self.rejected_unexpectedly}",
            *notes,
            f"emergency sensitivity {sensitivity}" + (" (a red flag in a note counts as one)" if self.notes else ""),
        ]


def check_results(results: Iterable[VignetteResult]) -> CheckReport:
    report = CheckReport()

    def disagree(
        result: VignetteResult,
        line: str,
        *,
        expected: str,
        got: str,
        missed_emergency: bool = False,
        bad_key: bool = False,
    ) -> None:
        (report.bad_keys if bad_key else report.disagreements).append(line)
        report.items.append(Disagreement(result.id, result.name, line, missed_emergency, expected, got))

    for result in results:
        report.evaluated += 1
        expected = result.expected
        if expected is None:
            report.without_key += 1
            continue
        if expected.get("error") is True:
            if result.assessment is None:
                report.rejected_as_expected += 1
                report.agreed += 1
            else:
                report.accepted_but_invalid += 1
                line = f"{result.id}: expected an error, but the file was accepted"
                disagree(result, line, expected="an error", got=result.assessment.disposition.value)
            continue
        want_disposition = expected.get("disposition")
        want_candidacy = expected.get("candidacy")
        if not (isinstance(want_disposition, str) and want_disposition in _DISPOSITION_RANK) or not (
            want_candidacy is None or (isinstance(want_candidacy, str) and want_candidacy in _CANDIDACY_RANK)
        ):
            line = f"{result.id}: the answer key is not valid: {expected}"
            disagree(result, line, expected="nothing it can read", got="-", bad_key=True)
            continue
        if want_disposition == Disposition.EMERGENCY.value:
            report.emergencies_expected += 1
        if result.assessment is None:
            report.rejected_unexpectedly += 1
            missed = want_disposition == Disposition.EMERGENCY.value
            line = f"{result.id}: expected {want_disposition}, but {result.error}"
            disagree(result, line, expected=want_disposition, got="a refusal of the file", missed_emergency=missed)
            continue
        got = result.assessment
        got_candidacy = got.candidacy.value if got.candidacy else None
        if got.disposition is Disposition.EMERGENCY and want_disposition == Disposition.EMERGENCY.value:
            report.emergencies_found += 1
        difference = got.disposition.rank - _DISPOSITION_RANK[want_disposition]
        if difference < 0:
            report.under_triage += 1
        elif difference > 0:
            report.over_triage += 1
        candidacy_ok = got_candidacy == want_candidacy
        if not candidacy_ok and got_candidacy and want_candidacy:
            if _CANDIDACY_RANK[got_candidacy] < _CANDIDACY_RANK[want_candidacy]:
                report.candidacy_too_permissive += 1
            else:
                report.candidacy_too_strict += 1
        elif not candidacy_ok:  # one side has no candidacy: a screening/recovery mix-up, not an order
            report.candidacy_mismatched += 1
        if difference == 0 and candidacy_ok:
            report.agreed += 1
            continue
        rules = ", ".join(f.rule for f in got.findings) or "no finding"
        label = "UNDER-TRIAGE" if difference < 0 else "OVER-TRIAGE" if difference > 0 else "CANDIDACY"
        want, gave = f"{want_disposition}/{want_candidacy or '-'}", f"{got.disposition.value}/{got_candidacy or '-'}"
        disagree(
            result,
            f"{label} {result.id}: expected {want}, got {gave} ({rules})",
            expected=want,
            got=f"{gave} ({rules})",
            missed_emergency=want_disposition == Disposition.EMERGENCY.value
            and got.disposition is not Disposition.EMERGENCY,
        )
    return report


def add_notes(report: CheckReport, results: Iterable[NoteResult], red_flags: frozenset[str]) -> CheckReport:
    """Note files checked beside the vignettes: each must report exactly its answer key's symptoms. A red flag
    (a symptom that alone needs the emergency department under the protocol) the key has and the reading
    misses is a missed emergency, as a vignette's would be."""
    for result in results:
        report.evaluated += 1
        report.notes += 1
        if result.bad_key is not None:
            line = f"{result.id}: {result.bad_key}"
            report.bad_keys.append(line)
            report.items.append(Disagreement(result.id, result.name or result.id, line, False, "-", "-"))
            continue
        if result.expected is None:
            report.without_key += 1
            continue
        expected = set(result.expected)
        flags = expected & red_flags
        report.emergencies_expected += len(flags)
        source = result.name or result.id
        if result.reading is None:
            report.rejected_unexpectedly += 1
            line = f"INVALID {result.id}: {result.error}"
            report.disagreements.append(line)
            report.items.append(
                Disagreement(result.id, source, line, bool(flags), ", ".join(sorted(expected)) or "nothing", "-")
            )
            continue
        got = set(result.reading.codes)
        report.emergencies_found += len(flags & got)
        if got == expected:
            report.agreed += 1
            continue
        missed, extra = sorted(expected - got), sorted(got - expected)
        if missed:
            report.notes_under_read += 1
        else:
            report.notes_over_read += 1
        line = f"DISAGREE {result.id}: missed {', '.join(missed) or '-'}; also found {', '.join(extra) or '-'}"
        if flags - got:
            line += " (a missed emergency: " + ", ".join(sorted(flags - got)) + ")"
        report.disagreements.append(line)
        report.items.append(
            Disagreement(
                result.id,
                source,
                line,
                bool(flags - got),
                "the note reports " + (", ".join(sorted(expected)) or "nothing"),
                "read as " + (", ".join(sorted(got)) or "nothing"),
            )
        )
    return report


__all__ = ["CheckReport", "Disagreement", "add_notes", "check_results"]
