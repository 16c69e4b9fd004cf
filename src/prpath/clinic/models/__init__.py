"""What a clinic keeps, one module per part of the pathway. Rows change only through the actions
(``prpath.clinic.actions``); pages read them through the queries (``prpath.clinic.queries``).

Every table a person can reach by URL has a ``uuid`` that the URL carries; integer keys stay inside.
Assessments are stored as they were made, with the protocol version and the case they were made on:
a newer protocol never rewrites what the patient was told, and the old answer can be derived again.
"""

from __future__ import annotations

from prpath.clinic.models.alerts import Alert, AlertState, ClinicMessage, UnsentForm
from prpath.clinic.models.checkins import CheckIn, CheckInVersion
from prpath.clinic.models.clinics import Clinic, Role, StaffMember
from prpath.clinic.models.memberships import Membership
from prpath.clinic.models.notes import ClinicalNote
from prpath.clinic.models.patients import Patient, Sex, Stage
from prpath.clinic.models.procedures import Activation, ImageGuidance, Leukocytes, Procedure, Side
from prpath.clinic.models.protocols import ProtocolVersion, SafetyVignette, VersionState
from prpath.clinic.models.screening import CANDIDACY_CHOICES, DISPOSITION_CHOICES, Screening
from prpath.clinic.models.submissions import Submission

__all__ = [
    "CANDIDACY_CHOICES",
    "DISPOSITION_CHOICES",
    "Activation",
    "Alert",
    "AlertState",
    "CheckIn",
    "CheckInVersion",
    "Clinic",
    "ClinicMessage",
    "ClinicalNote",
    "ImageGuidance",
    "Leukocytes",
    "Membership",
    "Patient",
    "Procedure",
    "ProtocolVersion",
    "Role",
    "SafetyVignette",
    "Screening",
    "Sex",
    "Side",
    "StaffMember",
    "Stage",
    "Submission",
    "UnsentForm",
    "VersionState",
]
