"""The alert policy without a database: table-driven examples, then properties over any alert and report."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prpath.core.alerts import AlertFacts, AlertState, NewReport, Verdict, decide
from prpath.core.findings import FindingRecord
from prpath.core.protocol.schema import Disposition

E, U, C, S = Disposition.EMERGENCY, Disposition.URGENT, Disposition.CONSULT, Disposition.SELF_CARE
OPEN, ACK = AlertState.OPEN, AlertState.ACKNOWLEDGED


def finding(rule: str, disposition: Disposition, evidence: str = "") -> FindingRecord:
    return FindingRecord(
        rule=rule,
        title=rule.replace("_", " ").capitalize(),
        disposition=disposition,
        reason=f"Reason for {rule}.",
        evidence=(evidence or rule,),
    )


FEVER = finding("fever", U, "temperature 38.4 °C")
FEVER_HIGHER = finding("fever", U, "temperature 39.0 °C")
DISCHARGE = finding("discharge", U)
BLADDER = finding("bladder", E)
SORE = finding("site_pain", S)
SLOW = finding("slow_recovery", C)


def report(*findings: FindingRecord, newer: bool = True) -> NewReport:
    worst = max((f.disposition for f in findings), key=lambda d: d.rank, default=S)
    return NewReport(disposition=worst, findings=findings, newer_than_source=newer)


def alert(state: AlertState, *findings: FindingRecord) -> AlertFacts:
    return AlertFacts(state, max((f.disposition for f in findings), key=lambda d: d.rank), findings)


AGAIN = "reported again since it was acknowledged"
EXAMPLES = [
    # held, report, verdict, state after, disposition after, words in the note
    (None, report(SORE), Verdict.LEAVE, None, None, ""),
    (None, report(FEVER, SORE), Verdict.OPEN, OPEN, U, ""),
    (alert(ACK, FEVER), report(FEVER), Verdict.LEAVE, ACK, U, ""),
    (alert(ACK, FEVER), report(FEVER_HIGHER), Verdict.MERGE, ACK, U, ""),
    (alert(ACK, FEVER), report(SORE), Verdict.LEAVE, ACK, U, ""),
    (alert(ACK, FEVER), report(SLOW), Verdict.REOPEN, OPEN, U, "new: Slow recovery"),
    (alert(ACK, FEVER), report(DISCHARGE), Verdict.REOPEN, OPEN, U, "new: Discharge"),
    (alert(ACK, FEVER), report(BLADDER), Verdict.RAISE, OPEN, E, "escalated from Urgent to Emergency; new: Bladder"),
    (alert(OPEN, BLADDER), report(BLADDER), Verdict.LEAVE, OPEN, E, ""),
    (alert(ACK, BLADDER), report(BLADDER), Verdict.REOPEN, OPEN, E, f"{AGAIN}: Bladder"),
    (alert(ACK, BLADDER, FEVER), report(FEVER), Verdict.LEAVE, ACK, E, ""),
]


@pytest.mark.parametrize(("held", "new", "verdict", "state", "disposition", "note"), EXAMPLES)
def test_each_example_decides_as_the_table_says(
    held: AlertFacts | None,
    new: NewReport,
    verdict: Verdict,
    state: AlertState | None,
    disposition: Disposition | None,
    note: str,
) -> None:
    decision = decide(held, new)
    assert decision.verdict == verdict
    if state is None:
        assert decision.after is None
        return
    assert decision.after is not None
    assert (decision.after.state, decision.after.disposition) == (state, disposition)
    if note:
        assert decision.after.reopened_note == note
        assert decision.why == note


def test_a_new_alert_holds_only_what_is_above_self_care_most_severe_first() -> None:
    decision = decide(None, report(SORE, FEVER, BLADDER))
    assert decision.after is not None
    assert [f.rule for f in decision.after.findings] == ["bladder", "fever"]
    assert decision.after.summary == "Bladder; Fever"
    assert decision.points_at_report


def test_merging_keeps_every_finding_with_its_newest_evidence() -> None:
    decision = decide(alert(ACK, FEVER, DISCHARGE), report(FEVER_HIGHER))
    assert decision.after is not None
    assert decision.after.findings == (FEVER_HIGHER, DISCHARGE)


def test_a_milder_report_keeps_the_severity_and_does_not_take_the_alert_over() -> None:
    decision = decide(alert(ACK, BLADDER), report(FEVER))
    assert decision.after is not None
    assert decision.after.disposition == E
    assert not decision.points_at_report  # the alert still points at the emergency report


def test_an_equal_report_takes_the_alert_over_only_when_it_is_the_newer() -> None:
    assert decide(alert(OPEN, FEVER), report(FEVER_HIGHER, newer=True)).points_at_report
    assert not decide(alert(OPEN, FEVER), report(FEVER_HIGHER, newer=False)).points_at_report


def test_the_note_is_kept_short_for_the_card() -> None:
    many = [finding(f"rule_{i:02d}_with_a_long_title_for_the_card", U) for i in range(20)]
    decision = decide(alert(ACK, FEVER), report(*many))
    assert decision.after is not None
    assert len(decision.after.reopened_note) <= 300
    assert len(decision.after.summary) <= 300


# --- properties -----------------------------------------------------------------------------------------

RULES = [f"rule_{i}" for i in range(6)]
findings_st = st.builds(
    finding,
    st.sampled_from(RULES),
    st.sampled_from(list(Disposition)),
    st.sampled_from(["a", "b", "c"]),
)


@st.composite
def held_alerts(draw: st.DrawFn) -> AlertFacts:
    raised = draw(
        st.lists(findings_st.filter(lambda f: f.above_self_care), min_size=1, max_size=4, unique_by=lambda f: f.rule)
    )
    worst = max((f.disposition for f in raised), key=lambda d: d.rank)
    # An alert may be more severe than its findings say (one raised then merged): never less.
    disposition = draw(st.sampled_from([d for d in Disposition if d.rank >= worst.rank]))
    return AlertFacts(draw(st.sampled_from([OPEN, ACK])), disposition, tuple(raised), draw(st.sampled_from(["", "x"])))


@st.composite
def reports(draw: st.DrawFn) -> NewReport:
    found = draw(st.lists(findings_st, max_size=4, unique_by=lambda f: f.rule))
    return report(*found, newer=draw(st.booleans()))


@given(held_alerts(), reports())
def test_severity_never_drops_by_itself(held: AlertFacts, new: NewReport) -> None:
    after = decide(held, new).after
    assert after is not None
    assert after.disposition.rank >= max(held.disposition.rank, new.disposition.rank)


@given(held_alerts(), reports())
def test_a_new_kind_of_finding_always_reopens(held: AlertFacts, new: NewReport) -> None:
    decision = decide(held, new)
    new_kinds = {f.rule for f in new.findings if f.above_self_care} - {f.rule for f in held.findings}
    if new_kinds:
        assert decision.verdict in (Verdict.REOPEN, Verdict.RAISE)
        assert decision.after is not None
        assert decision.after.state == OPEN


@given(held_alerts(), reports())
def test_an_emergency_reported_again_after_acknowledgement_reopens(held: AlertFacts, new: NewReport) -> None:
    decision = decide(held, new)
    if held.state == ACK and new.disposition == E:
        assert decision.after is not None
        assert decision.after.state == OPEN
        assert decision.after.reopened_note


@given(held_alerts(), reports())
def test_nothing_held_is_ever_dropped(held: AlertFacts, new: NewReport) -> None:
    after = decide(held, new).after
    assert after is not None
    assert {f.rule for f in held.findings} <= {f.rule for f in after.findings}
    assert all(f.above_self_care for f in after.findings)


@given(held_alerts(), reports())
def test_leave_and_merge_keep_the_state_and_the_note(held: AlertFacts, new: NewReport) -> None:
    decision = decide(held, new)
    if decision.verdict in (Verdict.LEAVE, Verdict.MERGE):
        assert decision.after is not None
        assert (decision.after.state, decision.after.reopened_note) == (held.state, held.reopened_note)
    if decision.verdict == Verdict.LEAVE:
        assert decision.after == held


@given(reports())
def test_an_alert_opens_exactly_when_something_is_above_self_care(new: NewReport) -> None:
    decision = decide(None, new)
    assert (decision.verdict == Verdict.OPEN) == (new.disposition != S)
