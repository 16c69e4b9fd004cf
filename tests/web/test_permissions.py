"""Every page and every action, tried as every kind of person.

The expected answer of each (endpoint, actor) pair is written out below by hand from
``permissions.GRANTS`` and the rules in ``permissions.py``:

- anonymous visitors are sent to the login page;
- anyone who is not staff of the record's clinic, and any patient who is not the record's patient, gets 404;
- staff of the right clinic whose role lacks the permission get 403;
- everyone else gets the page (200) or, after an action that worked, a redirect (302).

Each case also checks the database: a refused request changes nothing at all (not even the audit trail),
an allowed action has its effect, and a page shown to an outsider names none of our clinic's patients.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import pytest
from django.utils import timezone

from prpath.accounts.models import AccessLink, User
from prpath.audit.models import Access, AuditEvent
from prpath.clinic.actions.access_links import do_invite_patient
from prpath.clinic.actions.protocols import VignetteFile, do_add_safety_vignettes, do_save_protocol_draft
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import (
    Alert,
    AlertState,
    CheckIn,
    CheckInVersion,
    ClinicalNote,
    Patient,
    Procedure,
    ProtocolVersion,
    SafetyVignette,
    Screening,
    StaffMember,
)
from prpath.core.protocol.schema import Candidacy
from prpath.files.protocols import default_protocol_text
from tests.conftest import FAST_HASHING
from tests.personas import World, check_in, clinic_today, enrol, inject, now, screen, staff, with_account
from tests.web.pages import body, client_for

# --- the scene: one clinic's patients at the stages the pages need ---------------------------------


@dataclass
class Scene:
    world: World
    patient: Patient  # recovering, with an open urgent alert from today's check-in
    other_patient: Patient  # same clinic: screened, awaiting the physician's decision
    invited: Patient  # same clinic: enrolled, invitation link sent, not joined yet (cannot sign in)
    checkin: CheckIn
    alert: Alert
    screening: Screening  # the recovering patient's screening (decided eligible)
    token: str
    draft: ProtocolVersion  # the clinic's protocol draft #2 (the built-in text, a new version label)
    vignette: SafetyVignette  # a vignette the clinic added to its safety suite


def build_scene(world: World) -> Scene:
    patient = with_account(world, enrol(world, given_name="Ada", family_name="Okafor", email="ada@patients.test"))
    screening = screen(patient)
    do_decide_candidacy(
        staff(world.physician), screening, candidacy=Candidacy.ELIGIBLE, reason="Fine to go.", now=now()
    )
    inject(world, patient, days_ago=4)
    patient.refresh_from_db()
    checkin = check_in(patient, pain=5, temperature_c="38.4", note="Tired today")
    other = with_account(world, enrol(world, given_name="Ben", family_name="Marsh", email="ben@patients.test"))
    screen(other)
    invited = enrol(world, given_name="Cleo", family_name="Ward", email="cleo@patients.test")
    _, token = do_invite_patient(staff(world.nurse), invited, now=now())
    screening.refresh_from_db()
    draft = do_save_protocol_draft(
        staff(world.admin), world.clinic, document=_draft_text("riverside-2"), now=now()
    ).version
    [vignette] = do_add_safety_vignettes(
        staff(world.admin), world.clinic, [VignetteFile("ours.json", _vignette_bytes("riverside-own"))], now=now()
    )
    theirs = [VignetteFile("theirs.json", _vignette_bytes("hillside-own"))]  # for contrast: each sees its own
    do_add_safety_vignettes(staff(world.other_physician), world.other_clinic, theirs, now=now())
    return Scene(
        world=world,
        patient=patient,
        other_patient=other,
        invited=invited,
        checkin=checkin,
        alert=Alert.objects.get(patient=patient),
        screening=screening,
        token=token,
        draft=draft,
        vignette=vignette,
    )


def _draft_text(label: str) -> str:
    text = re.sub(r"^version: .*$", f'version: "{label}"', default_protocol_text(), count=1, flags=re.MULTILINE)
    assert label in text
    return text


def _vignette_bytes(vignette_id: str) -> bytes:
    return json.dumps(
        {
            "id": vignette_id,
            "phase": "screening",
            "patient": {"history": ["active_infection"], "baseline": {"pain": 4}},
            "expected": {"disposition": "consult", "candidacy": "defer"},
        }
    ).encode()


def _vignette_upload(s: object) -> dict[str, Any]:
    upload = io.BytesIO(_vignette_bytes("riverside-upload"))
    upload.name = "upload.json"
    return {"vignettes": [upload]}


ACTORS: dict[str, Callable[[Scene], User | None]] = {
    "anonymous": lambda s: None,
    "admin": lambda s: s.world.admin,
    "physician": lambda s: s.world.physician,
    "nurse": lambda s: s.world.nurse,
    "coordinator": lambda s: s.world.coordinator,
    "patient": lambda s: s.patient.user,
    "other_patient": lambda s: s.other_patient.user,
    "other_nurse": lambda s: s.world.other_nurse,
    "other_physician": lambda s: s.world.other_physician,
}
OUTSIDERS = {"other_patient", "other_nurse", "other_physician"}


# --- what each may get ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    to: str | None = None  # a glob the Location header must match
    changed: bool = False  # for actions: whether the action took effect


LOGIN = Outcome(302, "/accounts/login/?next=*")
# A form sent signed out: the sign-in page says it was not received, and leads back to the page the form was
# on when the browser names it (tests/web/test_signed_out.py); the test client names none.
SENT_SIGNED_OUT = Outcome(302, "/accounts/login/?unsent=1")
HIDDEN = Outcome(404)
FORBIDDEN = Outcome(403)
NOT_ALLOWED = Outcome(405)
SHOWN = Outcome(200)
TO_WORKLIST = Outcome(302, "/clinic/alerts/")
TO_TODAY = Outcome(302, "/me/")
TO_HOME = Outcome(302, "/")
TO_LOGIN = Outcome(302, "/accounts/login/")
ALERT_WORKED = Outcome(302, "/clinic/alerts/#alert-*", changed=True)
NOTE_READ = Outcome(302, "/clinic/alerts/#notes-to-read", changed=True)
TO_TIMELINE_DONE = Outcome(302, "/clinic/patients/*/", changed=True)
NOTE_ADDED = Outcome(302, "/clinic/patients/*/#notes", changed=True)
INVITATION_SHOWN = Outcome(200, changed=True)
CHECKED_IN = Outcome(302, "/me/check-ins/*/", changed=True)
SCREENED = Outcome(302, "/me/screening/*/", changed=True)
REFUSED_INPUT = Outcome(400)
STAFF_CHANGED = Outcome(302, "/clinic/staff/", changed=True)
DRAFT_MADE = Outcome(302, "/clinic/protocol/*/", changed=True)
PROTOCOL_CHANGED = Outcome(302, "/clinic/protocol/*", changed=True)

#           anonymous, admin, physician, nurse, coordinator, patient, other_patient, other_nurse, other_physician
EXPECTED: dict[str, tuple[Outcome, ...]] = {
    "GET /": (SHOWN, TO_WORKLIST, TO_WORKLIST, TO_WORKLIST, TO_WORKLIST, TO_TODAY, TO_TODAY, TO_WORKLIST, TO_WORKLIST),
    "GET /accounts/login/": (SHOWN, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME),
    "POST /accounts/logout/": (TO_LOGIN,) * 9,
    "GET /accounts/password/": (LOGIN, *(SHOWN,) * 8),
    "GET /join/<token>/": (SHOWN,) * 9,
    # The patient's own pages: staff (of any clinic) are not patients and learn nothing.
    "GET /me/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN, HIDDEN, HIDDEN),
    "GET /me/check-in/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN, HIDDEN, HIDDEN),
    "GET /me/check-ins/<checkin>/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, HIDDEN, HIDDEN, HIDDEN),
    "GET /me/history/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN, HIDDEN, HIDDEN),
    "GET /me/learn/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN, HIDDEN, HIDDEN),
    "GET /me/learn/about_prp/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, SHOWN, HIDDEN, HIDDEN),
    # An injected patient is not screened again: the screening page sends them to today's page.
    "GET /me/screening/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, TO_TODAY, SHOWN, HIDDEN, HIDDEN),
    "GET /me/screening/<screening>/": (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, SHOWN, HIDDEN, HIDDEN, HIDDEN),
    "POST /me/check-in/": (SENT_SIGNED_OUT, HIDDEN, HIDDEN, HIDDEN, HIDDEN, CHECKED_IN, REFUSED_INPUT, HIDDEN, HIDDEN),
    "POST /me/screening/": (SENT_SIGNED_OUT, HIDDEN, HIDDEN, HIDDEN, HIDDEN, TO_TODAY, SCREENED, HIDDEN, HIDDEN),
    # Lists and forms about no one in particular: every role views patients and enrols; the other
    # clinic's staff see their own (empty) clinic.
    "GET /clinic/alerts/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, SHOWN, SHOWN),
    "GET /clinic/alerts/changes/?since=2026-01-01T00:00:00Z": (
        LOGIN,
        SHOWN,
        SHOWN,
        SHOWN,
        SHOWN,
        HIDDEN,
        HIDDEN,
        SHOWN,  # their own clinic's changes: none of ours
        SHOWN,
    ),
    "GET /clinic/patients/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, SHOWN, SHOWN),
    "GET /clinic/patients/new/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, SHOWN, SHOWN),
    "POST /clinic/patients/new/": (
        SENT_SIGNED_OUT,
        *(TO_TIMELINE_DONE,) * 4,
        HIDDEN,
        HIDDEN,
        TO_TIMELINE_DONE,  # into their own clinic
        TO_TIMELINE_DONE,
    ),
    # One patient's records: our clinic's staff only.
    "GET /clinic/patients/<patient>/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "GET /clinic/patients/<patient>/screenings/<screening>/": (
        LOGIN,
        SHOWN,
        SHOWN,
        SHOWN,
        SHOWN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "POST /clinic/patients/<patient>/screenings/<screening>/": (  # decide candidacy: physicians
        SENT_SIGNED_OUT,
        FORBIDDEN,
        TO_TIMELINE_DONE,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/patients/<patient>/procedures/new/": (
        LOGIN,
        FORBIDDEN,
        SHOWN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "POST /clinic/patients/<patient>/procedures/new/": (
        SENT_SIGNED_OUT,
        FORBIDDEN,
        TO_TIMELINE_DONE,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "POST /clinic/patients/<patient>/notes/": (
        SENT_SIGNED_OUT,
        FORBIDDEN,
        NOTE_ADDED,
        NOTE_ADDED,
        NOTE_ADDED,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/patients/<patient>/notes/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # Invitations are for a patient who has not joined yet; both patients here are other patients to them.
    "POST /clinic/patients/<invited>/invite/": (
        SENT_SIGNED_OUT,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/patients/<invited>/invite/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # A new-password link is for a patient with an account (this clinic's patient has one).
    "POST /clinic/patients/<patient>/password-link/": (
        SENT_SIGNED_OUT,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        INVITATION_SHOWN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/patients/<patient>/password-link/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # Alerts: every clinical role works them; the admin may see them but not act.
    "POST /clinic/alerts/<alert>/acknowledge/": (
        SENT_SIGNED_OUT,
        FORBIDDEN,
        ALERT_WORKED,
        ALERT_WORKED,
        ALERT_WORKED,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "POST /clinic/alerts/<alert>/resolve/": (
        SENT_SIGNED_OUT,
        FORBIDDEN,
        ALERT_WORKED,
        ALERT_WORKED,
        ALERT_WORKED,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/alerts/<alert>/acknowledge/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # A patient's note is marked read by whoever works alerts.
    "POST /clinic/checkins/<checkin>/note-read/": (
        SENT_SIGNED_OUT,
        FORBIDDEN,
        NOTE_READ,
        NOTE_READ,
        NOTE_READ,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/checkins/<checkin>/note-read/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # The clinic's staff accounts: its admin only. Other staff of any clinic are told no (403) by the
    # list, which is about no one in particular; a colleague's URL is hidden from another clinic (404).
    "GET /clinic/staff/": (LOGIN, SHOWN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "POST /clinic/staff/": (
        SENT_SIGNED_OUT,
        INVITATION_SHOWN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "POST /clinic/staff/<nurse>/link/": (
        SENT_SIGNED_OUT,
        INVITATION_SHOWN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/staff/<nurse>/link/": (LOGIN, *(NOT_ALLOWED,) * 8),
    "POST /clinic/staff/<nurse>/active/": (
        SENT_SIGNED_OUT,
        STAFF_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/staff/<nurse>/active/": (LOGIN, *(NOT_ALLOWED,) * 8),
    "POST /clinic/staff/<nurse>/role/": (
        SENT_SIGNED_OUT,
        STAFF_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/staff/<nurse>/role/": (LOGIN, *(NOT_ALLOWED,) * 8),
    # The protocol: every clinician reads their own clinic's; its admin alone changes it. A draft or a
    # vignette of this clinic is hidden from another clinic's staff, whose own page they may read.
    "GET /clinic/protocol/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, SHOWN, SHOWN),
    "GET /clinic/protocol/<draft>/": (LOGIN, SHOWN, SHOWN, SHOWN, SHOWN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "POST /clinic/protocol/new/": (
        SENT_SIGNED_OUT,
        DRAFT_MADE,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "GET /clinic/protocol/new/": (LOGIN, *(NOT_ALLOWED,) * 8),
    "POST /clinic/protocol/<draft>/edit/": (
        SENT_SIGNED_OUT,
        PROTOCOL_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/protocol/<draft>/edit/": (LOGIN, *(NOT_ALLOWED,) * 8),
    "POST /clinic/protocol/<draft>/activate/": (
        SENT_SIGNED_OUT,
        PROTOCOL_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/protocol/<draft>/activate/": (LOGIN, *(NOT_ALLOWED,) * 8),
    "POST /clinic/protocol/vignettes/": (
        SENT_SIGNED_OUT,
        PROTOCOL_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "POST /clinic/protocol/vignettes/<vignette>/remove/": (
        SENT_SIGNED_OUT,
        PROTOCOL_CHANGED,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    "GET /clinic/protocol/vignettes/<vignette>/remove/": (LOGIN, *(NOT_ALLOWED,) * 8),
}


# --- how each endpoint is called and what it changes ------------------------------------------------


def _paths(s: Scene) -> dict[str, str]:
    return {
        "<token>": s.token,
        "<checkin>": str(s.checkin.uuid),
        "<screening>": str(s.screening.uuid),
        "<patient>": str(s.patient.uuid),
        "<invited>": str(s.invited.uuid),
        "<alert>": str(s.alert.uuid),
        "<nurse>": str(s.world.nurse.staff.uuid),
        "<draft>": str(s.draft.number),
        "<vignette>": str(s.vignette.uuid),
    }


def _yesterday(s: Scene) -> str:
    return (clinic_today(s.world.clinic) - dt.timedelta(days=1)).isoformat()


def _procedure_form(s: Scene) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(s.world.clinic.time_zone)
    performed = timezone.now().astimezone(zone) - dt.timedelta(hours=1)
    return {
        "performed_at": performed.strftime("%Y-%m-%dT%H:%M"),
        "target": "intradiscal",
        "spinal_level": "L4-L5",
        "side": "midline",
        "image_guidance": "fluoroscopy",
        "blood_drawn_ml": "60",
        "spin_protocol": "two spins",
        "platelet_concentration_x": "5.0",
        "leukocytes": "poor",
        "activation": "none",
        "volume_injected_ml": "3.5",
        "operator": str(s.world.physician.pk),
        "notes": "",
    }


NEW_EMAIL = "dev.new@patients.test"
NEW_STAFF_EMAIL = "sam.lee@riverside.test"

# What each action posts, and a probe of the records it should change.
DATA: dict[str, Callable[[Scene], dict[str, Any]]] = {
    "POST /me/check-in/": lambda s: {"date": _yesterday(s), "pain": "3", "temperature_c": "", "note": ""},
    "POST /me/screening/": lambda s: {
        "conditions": ["degenerative_disc_disease"],
        "pain": "5",
        "pain_trend": "stable",
    },
    "POST /clinic/patients/new/": lambda s: {
        "given_name": "Dev",
        "family_name": "New",
        "date_of_birth": "1980-01-02",
        "sex": "male",
        "email": NEW_EMAIL,
        "phone": "",
        "clinic_reference": "",
    },
    "POST /clinic/patients/<patient>/screenings/<screening>/": lambda s: {
        "candidacy": "defer",
        "reason": "Wants to wait until after the holidays.",
    },
    "POST /clinic/patients/<patient>/procedures/new/": _procedure_form,
    "POST /clinic/patients/<patient>/notes/": lambda s: {"text": "Spoke to the patient on the phone."},
    "POST /clinic/alerts/<alert>/acknowledge/": lambda s: {"note": "Ringing the patient now."},
    "POST /clinic/alerts/<alert>/resolve/": lambda s: {"note": "Seen in clinic; antibiotics started."},
    "POST /clinic/checkins/<checkin>/note-read/": lambda s: {"revision": "1"},
    "POST /clinic/staff/": lambda s: {
        "given_name": "Sam",
        "family_name": "Lee",
        "email": NEW_STAFF_EMAIL,
        "role": "nurse",
    },
    "POST /clinic/staff/<nurse>/active/": lambda s: {"active": "no"},
    "POST /clinic/staff/<nurse>/role/": lambda s: {"new_role": "coordinator"},
    "POST /clinic/protocol/new/": lambda s: {"start_from": "active"},
    "POST /clinic/protocol/<draft>/edit/": lambda s: {"document": _draft_text("riverside-3")},
    "POST /clinic/protocol/vignettes/": _vignette_upload,
}

PROBES: dict[str, Callable[[Scene], object]] = {
    "POST /me/check-in/": lambda s: CheckInVersion.objects.count(),
    "POST /me/screening/": lambda s: Screening.objects.count(),
    "POST /clinic/patients/new/": lambda s: sorted(Patient.objects.filter(email=NEW_EMAIL).values_list("clinic_id")),
    "POST /clinic/patients/<patient>/screenings/<screening>/": lambda s: (
        Screening.objects.get(pk=s.screening.pk).decided_candidacy
    ),
    "POST /clinic/patients/<patient>/procedures/new/": lambda s: Procedure.objects.filter(patient=s.patient).count(),
    "POST /clinic/patients/<patient>/notes/": lambda s: ClinicalNote.objects.filter(patient=s.patient).count(),
    "POST /clinic/patients/<invited>/invite/": lambda s: AccessLink.objects.filter(user=s.invited.user).count(),
    "POST /clinic/patients/<patient>/password-link/": lambda s: AccessLink.objects.filter(user=s.patient.user).count(),
    "POST /clinic/alerts/<alert>/acknowledge/": lambda s: Alert.objects.get(pk=s.alert.pk).state,
    "POST /clinic/alerts/<alert>/resolve/": lambda s: Alert.objects.get(pk=s.alert.pk).state,
    "POST /clinic/checkins/<checkin>/note-read/": lambda s: CheckIn.objects.get(pk=s.checkin.pk).note_read_at,
    "POST /clinic/staff/": lambda s: StaffMember.objects.filter(email=NEW_STAFF_EMAIL).count(),
    "POST /clinic/staff/<nurse>/link/": lambda s: AccessLink.objects.filter(user=s.world.nurse).count(),
    "POST /clinic/staff/<nurse>/active/": lambda s: User.objects.get(pk=s.world.nurse.pk).is_active,
    "POST /clinic/staff/<nurse>/role/": lambda s: StaffMember.objects.get(user=s.world.nurse).role,
    "POST /clinic/protocol/new/": lambda s: ProtocolVersion.objects.filter(clinic=s.world.clinic).count(),
    "POST /clinic/protocol/<draft>/edit/": lambda s: ProtocolVersion.objects.get(pk=s.draft.pk).document,
    "POST /clinic/protocol/<draft>/activate/": lambda s: ProtocolVersion.objects.get(pk=s.draft.pk).state,
    "POST /clinic/protocol/vignettes/": lambda s: SafetyVignette.objects.filter(clinic=s.world.clinic).count(),
    "POST /clinic/protocol/vignettes/<vignette>/remove/": lambda s: SafetyVignette.objects.filter(
        pk=s.vignette.pk
    ).exists(),
}


def records() -> dict[str, object]:
    """Everything a request could change, including the audit trail (a refused request reads nothing)."""
    return {
        "patients": sorted(Patient.objects.values_list("email", "clinic_id", "stage", "user_id")),
        "accounts": sorted(User.objects.values_list("pk", "email", "is_active", "password", "joined_at")),
        "staff": sorted(StaffMember.objects.values_list("pk", "clinic_id", "role")),
        "access links": sorted(AccessLink.objects.values_list("pk", "revoked_at", "used_at")),
        "screenings": sorted(Screening.objects.values_list("pk", "decided_candidacy", "decided_by_id")),
        "procedures": sorted(Procedure.objects.values_list("pk", flat=True)),
        "checkins": sorted(CheckIn.objects.values_list("pk", "revision", "note_read_at")),
        "versions": CheckInVersion.objects.count(),
        "alerts": sorted(Alert.objects.values_list("pk", "state", "acknowledged_by_id", "resolved_by_id")),
        "notes": ClinicalNote.objects.count(),
        "protocol versions": sorted(ProtocolVersion.objects.values_list("pk", "state", "content_hash")),
        "vignettes": sorted(SafetyVignette.objects.values_list("pk", flat=True)),
        "audit": AuditEvent.objects.count(),
    }


CASES = [(endpoint, actor) for endpoint in EXPECTED for actor in ACTORS]


@pytest.fixture(scope="module")
def module_scene(module_world: World, django_db_blocker: Any) -> Scene:
    # Built once for the module's 380-odd requests (inside the module world's transaction); each test
    # gets a copy of the objects, and its own savepoint for whatever it changes.
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING):
        return build_scene(module_world)


@pytest.fixture
def scene(module_scene: Scene, db: None) -> Scene:
    return copy.deepcopy(module_scene)


def test_the_table_covers_every_actor() -> None:
    assert all(len(outcomes) == len(ACTORS) for outcomes in EXPECTED.values())


@pytest.mark.parametrize(("endpoint", "actor"), CASES, ids=[f"{e} as {a}" for e, a in CASES])
def test_each_actor_gets_exactly_what_it_should(scene: Scene, endpoint: str, actor: str) -> None:
    expected = EXPECTED[endpoint][list(ACTORS).index(actor)]
    user = ACTORS[actor](scene)
    method, template = endpoint.split(" ", 1)
    path = template
    for placeholder, value in _paths(scene).items():
        path = path.replace(placeholder, value)
    probe = PROBES.get(endpoint)
    before_probe = probe(scene) if probe else None
    before = records()
    client = client_for(user)

    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, DATA[endpoint](scene) if endpoint in DATA else {})

    assert response.status_code == expected.status, f"{endpoint} as {actor}: {response.status_code}"
    if expected.to is not None:
        location = response.headers.get("Location", "")
        assert fnmatchcase(location, expected.to), f"{endpoint} as {actor} went to {location!r}"
    if probe is not None:
        changed = probe(scene) != before_probe
        assert changed == expected.changed, f"{endpoint} as {actor}: changed={changed}"
    if expected.status in {403, 404, 405} or expected == LOGIN or (method == "POST" and not expected.changed):
        assert records() == before, f"{endpoint} as {actor} changed the records"
    if expected.status == 200 and actor in OUTSIDERS:
        page = body(response)
        assert "Okafor" not in page, "an outsider was shown our patient's name"
        assert str(scene.patient.uuid) not in page, "an outsider was shown a link to our patient"
        assert "ours.json" not in page, "an outsider was shown our clinic's safety vignette"
        assert "riverside-2" not in page, "an outsider was shown our clinic's protocol draft"
    if endpoint == "POST /clinic/patients/new/" and expected.changed:
        assert user is not None
        assert Patient.objects.get(email=NEW_EMAIL).clinic == user.staff.clinic


# --- the cases the issue names, spelled out -----------------------------------------------------------


def test_a_patient_cannot_open_another_patients_check_in_result(scene: Scene) -> None:
    other = scene.other_patient
    assert other.user.has_joined

    response = client_for(other.user).get(f"/me/check-ins/{scene.checkin.uuid}/")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="checkin.result").exists()


def test_the_other_clinics_staff_cannot_open_our_patients_timeline_or_screening(scene: Scene) -> None:
    for user in (scene.world.other_nurse, scene.world.other_physician):
        client = client_for(user)
        timeline = client.get(f"/clinic/patients/{scene.patient.uuid}/")
        review = client.get(f"/clinic/patients/{scene.patient.uuid}/screenings/{scene.screening.uuid}/")
        assert (timeline.status_code, review.status_code) == (404, 404)
    assert not AuditEvent.objects.filter(access=Access.READ, patient=scene.patient).exists()


def test_the_other_clinics_nurse_cannot_resolve_our_alert(scene: Scene) -> None:

    response = client_for(scene.world.other_nurse).post(
        f"/clinic/alerts/{scene.alert.uuid}/resolve/", {"note": "Done."}
    )

    assert response.status_code == 404
    scene.alert.refresh_from_db()
    assert (scene.alert.state, scene.alert.resolved_by, scene.alert.resolution_note) == (AlertState.OPEN, None, "")
    assert not AuditEvent.objects.filter(action="alert.resolve").exists()


def test_the_admin_sees_the_alert_but_cannot_acknowledge_it(scene: Scene) -> None:
    client = client_for(scene.world.admin)

    worklist = client.get("/clinic/alerts/")
    response = client.post(f"/clinic/alerts/{scene.alert.uuid}/acknowledge/", {"note": ""})

    assert worklist.status_code == 200
    assert "Okafor" in body(worklist)
    assert f"/clinic/alerts/{scene.alert.uuid}/acknowledge/" not in body(worklist), "the page offers what is refused"
    assert response.status_code == 403
    scene.alert.refresh_from_db()
    assert scene.alert.state == AlertState.OPEN


def test_a_nurse_cannot_record_a_procedure(scene: Scene) -> None:

    response = client_for(scene.world.nurse).post(
        f"/clinic/patients/{scene.patient.uuid}/procedures/new/", _procedure_form(scene)
    )

    assert response.status_code == 403
    assert Procedure.objects.filter(patient=scene.patient).count() == 1


def test_each_clinic_reads_its_own_protocol_page_and_nothing_of_the_others(scene: Scene) -> None:
    ours = body(client_for(scene.world.nurse).get("/clinic/protocol/"))
    theirs = body(client_for(scene.world.other_nurse).get("/clinic/protocol/"))

    assert "ours.json" in ours
    assert "theirs.json" not in ours
    assert "theirs.json" in theirs
    assert "ours.json" not in theirs
    assert "riverside-2" in ours
    assert "riverside-2" not in theirs
