"""The audit trail seen from the pages: each page that shows a patient's records writes one "read" event
naming the patient; list pages name every patient listed; each action is written by its action.

Audit rows are append-only: a test remembers the last row before what it looks at and reads past it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import QuerySet

from prpath.accounts.models import User
from prpath.audit.models import Access, ActorKind, AuditEvent
from prpath.clinic.actions.access_links import do_invite_patient, do_issue_password_link
from prpath.clinic.models import Alert, CheckIn, Patient, Screening
from tests.personas import (
    PASSWORD,
    World,
    check_in,
    clinic_today,
    enrol,
    injected_patient,
    now,
    screen,
    staff,
    with_account,
)
from tests.web.pages import client_for, procedure_form


@dataclass
class Records:
    world: World
    patient: Patient  # injected, with today's check-in and an open alert
    checkin: CheckIn
    screening: Screening
    alert: Alert


def records(world: World) -> Records:
    patient = injected_patient(world, days_ago=4)
    checkin = check_in(patient, temperature_c="38.4")
    screening = patient.screenings.get()
    return Records(world, patient, checkin, screening, Alert.objects.get(patient=patient))


def last_event() -> int:
    """The newest audit row so far: rows cannot be deleted, so a test looks at the rows after it."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(last: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(pk__gt=last).order_by("pk")


def new_reads(last: int) -> list[AuditEvent]:
    return list(events_since(last).filter(access=Access.READ))


# --- reads --------------------------------------------------------------------------------------------

READ_PAGES: list[tuple[str, str, Callable[[Records], str], str]] = [
    ("physician", "patient.timeline", lambda r: f"/clinic/patients/{r.patient.uuid}/", ""),
    (
        "admin",
        "screening.review",
        lambda r: f"/clinic/patients/{r.patient.uuid}/screenings/{r.screening.uuid}/",
        "screening",
    ),
    ("patient", "patient.today", lambda r: "/me/", ""),
    ("patient", "checkin.result", lambda r: f"/me/check-ins/{r.checkin.uuid}/", "checkin"),
    ("patient", "patient.history", lambda r: "/me/history/", ""),
    ("patient", "screening.result", lambda r: f"/me/screening/{r.screening.uuid}/", "screening"),
    ("patient", "checkin.form", lambda r: "/me/check-in/", ""),
    ("physician", "procedure.form", lambda r: f"/clinic/patients/{r.patient.uuid}/procedures/new/", ""),
]


def reader(r: Records, who: str) -> User:
    user = r.patient.user if who == "patient" else getattr(r.world, who)
    assert user is not None
    return user


@pytest.mark.parametrize(("who", "what", "url", "names"), READ_PAGES, ids=[p[1] for p in READ_PAGES])
def test_a_page_showing_a_patients_records_writes_one_read_naming_them(
    world: World, who: str, what: str, url: Callable[[Records], str], names: str
) -> None:
    r = records(world)
    user = reader(r, who)
    last = last_event()

    response = client_for(user).get(url(r))

    assert response.status_code == 200
    [event] = new_reads(last)
    assert (event.action, event.patient, event.actor, event.clinic) == (what, r.patient, user, world.clinic)
    if names:
        shown = {"checkin": r.checkin.uuid, "screening": r.screening.uuid}[names]
        assert event.detail[names] == str(shown)


def test_the_worklist_names_every_patient_it_lists(world: World) -> None:
    listed = [records(world).patient for _ in range(3)]
    quiet = injected_patient(world, days_ago=4)  # no alert: not on the worklist
    last = last_event()

    client_for(world.nurse).get("/clinic/alerts/")

    [event] = new_reads(last)
    assert (event.action, event.actor, event.patient) == ("alert.worklist", world.nurse, None)
    assert event.patients == sorted(p.pk for p in listed)
    assert quiet.pk not in event.patients


def test_the_patient_list_names_every_patient_on_the_page_and_the_search(world: World) -> None:
    for name in ("Okafor", "Okoye", "Marsh"):
        enrol(world, family_name=name)
    last = last_event()

    client_for(world.coordinator).get("/clinic/patients/", {"q": "Ok"})

    [event] = new_reads(last)
    assert event.action == "patient.list"
    listed = Patient.objects.filter(family_name__startswith="Ok")
    assert event.patients == sorted(p.pk for p in listed)
    assert event.detail["query"]["q"] == "Ok"


def test_a_list_of_one_still_names_its_patient(world: World) -> None:
    patient = enrol(world, family_name="Okafor")
    last = last_event()

    client_for(world.coordinator).get("/clinic/patients/", {"q": "Okafor"})

    [event] = new_reads(last)
    assert event.patient == patient or event.patients == [patient.pk]


def test_the_other_clinics_lists_name_none_of_our_patients(world: World) -> None:
    records(world)
    last = last_event()

    client = client_for(world.other_nurse)
    client.get("/clinic/alerts/")
    client.get("/clinic/patients/")

    events = new_reads(last)
    assert [e.clinic for e in events] == [world.other_clinic, world.other_clinic]
    assert all(e.patient is None and e.patients == [] for e in events)


def test_the_learn_page_showing_the_patients_condition_writes_a_read(world: World) -> None:
    r = records(world)
    assert r.patient.user.has_joined
    last = last_event()

    response = client_for(r.patient.user).get("/me/learn/")

    assert "Your condition" in response.content.decode()
    assert [(e.patient, e.actor) for e in new_reads(last)] == [(r.patient, r.patient.user)], (
        "the page shows the patient's diagnosis but writes no read event"
    )


def test_the_screening_form_filled_with_earlier_answers_writes_a_read(world: World) -> None:
    patient = with_account(world, enrol(world))
    screen(patient, pain=7)
    assert patient.user.has_joined
    last = last_event()

    response = client_for(patient.user).get("/me/screening/")

    assert 'value="7"' in response.content.decode()
    assert [(e.patient, e.actor) for e in new_reads(last)] == [(patient, patient.user)], (
        "the form shows the patient's earlier answers but writes no read event"
    )


# --- writes -------------------------------------------------------------------------------------------


def _procedure(r: Records) -> dict[str, Any]:
    return procedure_form(r.world.clinic, r.world.physician)


WRITES: list[tuple[str, str, Callable[[Records], str], Callable[[Records], dict[str, Any]]]] = [
    ("nurse", "alert.acknowledge", lambda r: f"/clinic/alerts/{r.alert.uuid}/acknowledge/", lambda r: {}),
    ("nurse", "alert.resolve", lambda r: f"/clinic/alerts/{r.alert.uuid}/resolve/", lambda r: {"note": "Seen."}),
    ("coordinator", "note.add", lambda r: f"/clinic/patients/{r.patient.uuid}/notes/", lambda r: {"text": "Rang."}),
    (
        "physician",
        "screening.decide",
        lambda r: f"/clinic/patients/{r.patient.uuid}/screenings/{r.screening.uuid}/",
        lambda r: {"candidacy": "defer", "reason": "Changed my mind."},
    ),
    ("physician", "procedure.record", lambda r: f"/clinic/patients/{r.patient.uuid}/procedures/new/", _procedure),
    (
        "patient",
        "checkin.record",
        lambda r: "/me/check-in/",
        lambda r: {"date": (clinic_today(r.world.clinic) - dt.timedelta(days=1)).isoformat(), "pain": "3"},
    ),
]


@pytest.mark.parametrize(("who", "what", "url", "data"), WRITES, ids=[w[1] for w in WRITES])
def test_an_action_is_audited_once_naming_the_patient(
    world: World,
    who: str,
    what: str,
    url: Callable[[Records], str],
    data: Callable[[Records], dict[str, Any]],
) -> None:
    r = records(world)
    user = reader(r, who)
    last = last_event()

    response = client_for(user).post(url(r), data(r))

    assert response.status_code in {200, 302}
    [event] = events_since(last).filter(access=Access.WRITE)
    assert (event.action, event.patient, event.actor, event.clinic) == (what, r.patient, user, world.clinic)
    assert event.object_uuid is not None


def test_enrolling_inviting_joining_and_screening_are_audited(world: World) -> None:
    client = client_for(world.admin)
    client.post(
        "/clinic/patients/new/",
        {"given_name": "Eve", "family_name": "Stone", "date_of_birth": "1960-06-01", "email": "eve@patients.test"},
    )
    patient = Patient.objects.get(email="eve@patients.test")
    page = client.post(f"/clinic/patients/{patient.uuid}/invite/").content.decode()
    token = page.split("/join/", 1)[1].split("/", 1)[0]
    joined = client_for(None)
    joined.post(f"/join/{token}/", {"password": PASSWORD, "password_again": PASSWORD})
    joined.post("/me/screening/", {"conditions": ["herniated_disc"], "pain": "6", "pain_trend": "worsening"})

    writes = list(AuditEvent.objects.filter(access=Access.WRITE, patient=patient).order_by("pk"))
    patient.refresh_from_db()
    assert [(e.action, e.actor) for e in writes] == [
        ("patient.enrol", world.admin),
        ("patient.invite", world.admin),
        ("patient.accept_invitation", patient.user),
        ("screening.record", patient.user),
    ]


def test_opening_an_invitation_link_writes_a_read_naming_the_patient(world: World) -> None:
    patient = enrol(world)
    _, token = do_invite_patient(staff(world.nurse), patient, now=now())
    last = last_event()

    response = client_for(None).get(f"/join/{token}/")

    assert response.status_code == 200
    [event] = new_reads(last)
    # Nobody is signed in: the page itself is named as the reader.
    assert (event.action, event.patient, event.actor, event.actor_kind) == (
        "invitation.open",
        patient,
        None,
        ActorKind.SYSTEM,
    )


# --- forms sent back: a page answered 400 that shows a patient's records is a read too ---------------------

HX = {"HX-Request": "true"}


def _new_password_link(r: Records) -> str:
    _, token = do_issue_password_link(staff(r.world.nurse), r.patient, now=now())
    return token


# who sends it, what the read is, the page, what is sent, and the headers (htmx's, for a card)
SENT_BACK: list[tuple[str, str, Callable[[Records], str], Callable[[Records], dict[str, Any]], dict[str, str]]] = [
    ("patient", "checkin.form", lambda r: "/me/check-in/", lambda r: {"pain": "eleven"}, {}),
    (
        "physician",
        "procedure.form",
        lambda r: f"/clinic/patients/{r.patient.uuid}/procedures/new/",
        lambda r: {**_procedure(r), "blood_drawn_ml": "lots"},
        {},
    ),
    (
        "physician",
        "screening.review",
        lambda r: f"/clinic/patients/{r.patient.uuid}/screenings/{r.screening.uuid}/",
        lambda r: {"candidacy": "maybe"},
        {},
    ),
    (
        "nurse",
        "alert.worklist",
        lambda r: f"/clinic/alerts/{r.alert.uuid}/acknowledge/",
        lambda r: {"note": "x" * 2001},
        HX,
    ),
    (
        "nurse",
        "alert.worklist",
        lambda r: f"/clinic/alerts/{r.alert.uuid}/acknowledge/",
        lambda r: {"note": "x" * 2001},
        {},
    ),
    (
        "nurse",
        "alert.worklist",
        lambda r: f"/clinic/checkins/{r.checkin.uuid}/note-read/",
        lambda r: {"revision": "first"},
        HX,
    ),
    (
        "coordinator",
        "patient.list",
        lambda r: "/clinic/patients/new/",
        lambda r: {
            "given_name": "Ada",
            "family_name": "Again",
            "date_of_birth": "1970-01-01",
            "email": r.patient.email,
        },
        {},
    ),
    (
        "anonymous",
        "invitation.open",
        lambda r: f"/join/{_new_password_link(r)}/",
        lambda r: {"password": PASSWORD, "password_again": "something else"},
        {},
    ),
]


@pytest.mark.parametrize(
    ("who", "what", "url", "data", "headers"),
    SENT_BACK,
    ids=[f"{i}-{s[1]}{'-htmx' if s[4] else ''}" for i, s in enumerate(SENT_BACK)],
)
def test_a_form_sent_back_showing_a_patients_records_writes_a_read_naming_them(
    world: World,
    who: str,
    what: str,
    url: Callable[[Records], str],
    data: Callable[[Records], dict[str, Any]],
    headers: dict[str, str],
) -> None:
    r = records(world)
    user = None if who == "anonymous" else reader(r, who)
    path, sent = url(r), data(r)
    last = last_event()

    response = client_for(user).post(path, sent, headers=headers)

    assert response.status_code == 400
    reads = [e for e in new_reads(last) if e.patient == r.patient or r.patient.pk in e.patients]
    assert [(e.action, e.actor, e.clinic) for e in reads] == [(what, user, world.clinic)], (
        f"{path} answered 400 showing {r.patient.full_name}'s records but wrote no read naming them"
    )
    assert not events_since(last).filter(access=Access.WRITE).exists()


def test_the_screening_form_sent_back_writes_a_read(world: World) -> None:
    patient = with_account(world, enrol(world, given_name="Una", email="una@patients.test"))
    last = last_event()

    response = client_for(patient.user).post("/me/screening/", {"conditions": ["herniated_disc"], "pain": "eleven"})

    assert response.status_code == 400
    [event] = new_reads(last)
    assert (event.action, event.patient, event.actor, event.detail) == (
        "screening.form",
        patient,
        patient.user,
        {"sent_back": True},
    )
