"""List pages do a constant number of queries whatever the number of rows (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prpath.clinic.actions.alerts import do_acknowledge_alert
from prpath.clinic.actions.notes import do_add_note
from prpath.clinic.models import Alert, Patient
from tests.personas import World, check_in, enrol, injected_patient, now, screen, staff, with_account
from tests.web.pages import client_for

SMALL = 13  # "a small number": the most queries a list page may make, rows or not (the timeline needs 13)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_patients(world: World, count: int) -> None:
    """Patients of every kind a list shows: recovering with an open or acknowledged alert and missed
    check-ins, and patients awaiting a decision with a screening alert."""
    for i in range(count):
        if i % 4 == 1:
            patient = with_account(world, enrol(world, phone="+44 7700 900000"))
            screen(patient, history=("anticoagulant_use",))
            continue
        patient = injected_patient(world, days_ago=10)
        check_in(patient, days_after=5, temperature_c="38.4", injection_site_redness="mild")
        if i % 4 == 2:
            do_acknowledge_alert(staff(world.nurse), Alert.objects.get(patient=patient), note="On it.", now=now())


LIST_PAGES = [
    "/clinic/alerts/",
    "/clinic/patients/",
    "/clinic/patients/?q=Pat",
    "/clinic/patients/?stage=recovering",
    "/clinic/patients/?stage=screened",
    "/clinic/patients/?alerts=open",
    "/clinic/patients/?missed=yes",
    "/clinic/patients/?q=pat&stage=recovering&alerts=open&missed=yes",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_list_page_makes_as_many_queries_for_twelve_rows_as_for_two(world: World, url: str) -> None:
    client = client_for(world.nurse)
    add_patients(world, 2)
    few = queries_for(client, url)
    rows_few = row_count(client, url)
    add_patients(world, 10)
    many = queries_for(client, url)
    rows_many = row_count(client, url)

    assert rows_many > rows_few > 0, f"{url}: the filter should match rows ({rows_few} then {rows_many})"
    assert few == many, f"{url}: {few} queries for {rows_few} rows, {many} for {rows_many}"
    assert many <= SMALL, f"{url}: {many} queries"
    print(f"{url}: {many} queries")


def row_count(client: Client, url: str) -> int:
    page = client.get(url).content.decode()
    patients = Patient.objects.filter(clinic__name="Riverside Spine")
    return sum(1 for p in patients if f"/clinic/patients/{p.uuid}/" in page)


def test_the_timeline_makes_as_many_queries_for_fifteen_check_ins_as_for_three(world: World) -> None:
    patient = injected_patient(world, days_ago=20)
    client = client_for(world.physician)
    url = f"/clinic/patients/{patient.uuid}/"

    def add(days: range) -> None:
        for d in days:
            # a fever on day 1 too: an alert (and what the clinic told the patient about it) among the few
            check_in(patient, days_after=d, pain=6 - d % 3, temperature_c="38.2" if d % 5 == 1 else None)

    add(range(1, 4))
    do_add_note(staff(world.nurse), patient, text="Called about the fever.", now=now())
    few = queries_for(client, url)
    add(range(4, 16))
    check_in(patient, days_after=7, pain=3)  # an amended day
    do_add_note(staff(world.physician), patient, text="Seen in clinic.", now=now())
    many = queries_for(client, url)

    assert patient.checkins.count() == 15
    assert few == many, f"timeline: {few} queries with 3 check-ins, {many} with 15"
    assert many <= SMALL, f"timeline: {many} queries"
    print(f"timeline: {many} queries")


def test_the_patients_history_makes_as_many_queries_for_fifteen_check_ins_as_for_three(world: World) -> None:
    patient = injected_patient(world, days_ago=20)
    assert patient.user.has_joined
    client = client_for(patient.user)

    for d in range(1, 4):
        check_in(patient, days_after=d, pain=5)
    few = queries_for(client, "/me/history/")
    for d in range(4, 16):
        check_in(patient, days_after=d, pain=4, temperature_c="38.2" if d % 5 == 0 else None)
    check_in(patient, days_after=7, pain=3)  # an amended day
    many = queries_for(client, "/me/history/")

    assert few == many, f"history: {few} queries with 3 check-ins, {many} with 15"
    assert many <= SMALL, f"history: {many} queries"
