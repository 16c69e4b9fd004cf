"""Rows to core values and back: the one place that knows how a clinic's records become the engine's
input, and how a stored protocol version becomes a ``Protocol``.

Actions and queries both use it; it imports the models and the core, nothing above them.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation

from prpath.clinic.models import Alert, AlertState, CheckIn, Clinic, Patient, Procedure, ProtocolVersion
from prpath.core.alerts import AlertFacts
from prpath.core.alerts import AlertState as CoreAlertState
from prpath.core.protocol.document import content_hash, read_protocol_text
from prpath.core.protocol.locale import LOCALES, localized
from prpath.core.protocol.schema import DISPOSITION_WORDS, Disposition, Protocol
from prpath.core.suite.safety import SuiteVignette
from prpath.core.triage import Baseline, Case
from prpath.core.triage import CheckIn as TriageCheckIn
from prpath.core.triage import Patient as TriagePatient
from prpath.core.triage import Procedure as TriageProcedure
from prpath.files.vignettes import shipped_suite


class ProtocolMismatch(ValueError):
    """An action was given another clinic's protocol: a programming error, never shown to a patient."""


@dataclass(frozen=True, slots=True)
class ClinicProtocol:
    """A clinic's protocol version as actions take it: the stored row (what assessments refer to) and
    the document it holds, parsed."""

    version: ProtocolVersion
    protocol: Protocol

    @property
    def clinic_id(self) -> int:
        return int(self.version.clinic_id)

    def check_clinic(self, clinic_id: int) -> None:
        if self.clinic_id != clinic_id:
            raise ProtocolMismatch(
                f"protocol version {self.version.pk} belongs to clinic {self.clinic_id}, not to clinic {clinic_id}"
            )


_PARSED: dict[str, Protocol] = {}
_PARSED_LIMIT = 64


def parsed_protocol(version: ProtocolVersion) -> Protocol:
    """The version's document as a ``Protocol``, in the words of the clinic's locale when a request for the
    clinic is being answered (the clinic middleware activates it); raises ProblemsFound when it is not valid."""
    return parse_document(version.document, locale=active_locale())


def active_locale() -> str | None:
    """The locale activated for this request (en-GB, en-US), or None outside a clinic's request."""
    language = translation.get_language()
    return next((code for code in LOCALES if code.lower() == (language or "").lower()), None)


def parse_document(document: str, *, locale: str | None = None) -> Protocol:
    """A protocol document's text as a ``Protocol``, parsed once per text and locale (raises ProblemsFound).

    The cache is keyed by the text's own hash, so it can never hand out a document other than the one
    given; parsing the 60 kB default takes a tenth of a second, and every request needs its clinic's."""
    key = f"{content_hash(document)}:{locale or ''}"
    found = _PARSED.get(key)
    if found is None:
        found = read_protocol_text(document) if locale is None else localized(parse_document(document), locale)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def clinic_protocol(version: ProtocolVersion) -> ClinicProtocol:
    return ClinicProtocol(version, parsed_protocol(version))


def suite_for(clinic: Clinic) -> list[SuiteVignette]:
    """The safety suite a draft of this clinic must pass: the vignettes shipped with prpath, then the
    clinic's own (keyed "clinic/<name>")."""
    own = [SuiteVignette(f"clinic/{v.name}", v.text.encode("utf-8")) for v in clinic.safety_vignettes.all()]
    return [*shipped_suite(), *own]


# What the patient reads first, in the words of someone who is frightened: the action, not the category.
HEADLINES = {
    Disposition.EMERGENCY: "Go to the emergency department now",
    Disposition.URGENT: "Call the clinic today",
    Disposition.CONSULT: "Let the clinic know in the next few days",
    Disposition.SELF_CARE: "This is expected",
}


@dataclass(frozen=True, slots=True)
class Result:
    """What a disposition means to the patient (headline, instruction) and to staff (a word on a badge)."""

    code: str
    headline: str
    label: str
    staff_label: str
    instruction: str


def result_of(protocol: Protocol, disposition: Disposition | str) -> Result:
    d = Disposition(disposition)
    text = protocol.dispositions[d]
    return Result(d.value, HEADLINES[d], text.label, DISPOSITION_WORDS[d], text.instruction)


def clinic_today(clinic: Clinic, now: dt.datetime) -> dt.date:
    """Today's date where the clinic is: a check-in at 23:30 local time belongs to that day."""
    return now.astimezone(zoneinfo.ZoneInfo(clinic.time_zone)).date()


def local_date(clinic: Clinic, at: dt.datetime) -> dt.date:
    return at.astimezone(zoneinfo.ZoneInfo(clinic.time_zone)).date()


# --- the engine's input -----------------------------------------------------------------------------


def triage_patient(patient: Patient, protocol: Protocol) -> TriagePatient:
    """The patient and their baseline as the engine takes them.

    What was stored under an earlier protocol may hold codes the current one no longer knows. The
    patient's report must still be assessed: codes the protocol cannot read are left out, not refused."""
    symptoms = {s.code for s in protocol.symptoms}
    return TriagePatient(
        conditions=tuple(c for c in patient.conditions if c in {x.code for x in protocol.conditions}),
        history=tuple(h for h in patient.history if h in {x.code for x in protocol.screening_factors}),
        baseline=Baseline(
            pain=patient.baseline_pain,
            pain_trend=patient.baseline_pain_trend or None,
            symptoms={k: v for k, v in patient.baseline_symptoms.items() if k in symptoms},
        ),
    )


def screening_patient(answers: Mapping[str, Any]) -> TriagePatient:
    """Screening answers as the engine takes them (raises pydantic's ValidationError on a bad value)."""
    return TriagePatient(
        conditions=tuple(answers["conditions"]),
        history=tuple(answers["history"]),
        baseline=Baseline(
            pain=answers["pain"],
            pain_trend=answers["pain_trend"] or None,
            symptoms=answers["symptoms"],
            note=answers.get("note") or None,  # answers stored before screening had a note have none
        ),
    )


def triage_procedure(procedure: Procedure) -> TriageProcedure:
    return TriageProcedure(date=procedure.performed_on, target=procedure.target)


def triage_checkins(earlier: Iterable[CheckIn], protocol: Protocol) -> list[TriageCheckIn]:
    """Stored check-ins as the engine takes them, with symptom codes this protocol does not know left out."""
    known = {s.code for s in protocol.symptoms}
    # A note kept under an earlier, longer limit is read as far as this protocol reads one: it never stops
    # today's report from being assessed.
    limit = protocol.note_limit
    return [
        TriageCheckIn(
            date=c.date,
            pain=c.pain,
            temperature_c=celsius(c.temperature_c),
            symptoms={k: v for k, v in c.symptoms.items() if k in known},
            note=c.note[:limit] or None,
        )
        for c in earlier
    ]


def celsius(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def case_as_data(case: Case) -> dict[str, Any]:
    """The case as stored beside an assessment: exactly what the engine was given."""
    data: dict[str, Any] = case.model_dump(mode="json")
    return data


def case_from_data(data: Mapping[str, Any]) -> Case:
    # Through JSON, as it was written: the engine's dates are strict (YYYY-MM-DD text in JSON).
    return Case.model_validate_json(json.dumps(data))


# --- alerts -----------------------------------------------------------------------------------------


def alert_facts(alert: Alert) -> AlertFacts:
    return AlertFacts(
        state=CoreAlertState(alert.state),
        disposition=Disposition(alert.disposition),
        findings=tuple(alert.findings),
        reopened_note=alert.reopened_note,
    )


def unresolved(alerts: Sequence[Alert]) -> list[Alert]:
    return [a for a in alerts if a.state != AlertState.RESOLVED]
