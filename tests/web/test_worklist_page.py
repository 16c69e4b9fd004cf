"""The alert worklist: most severe first; acknowledge and resolve, as a whole page or as one htmx row."""

from __future__ import annotations

import pytest

from prpath.audit.models import AuditEvent
from prpath.clinic.actions.alerts import do_acknowledge_alert, do_resolve_alert
from prpath.clinic.models import Alert, AlertState
from tests.personas import World, check_in, injected_patient, now, staff
from tests.web.pages import body, client_for, error_beside, parse

HTMX = {"HX-Request": "true"}


def open_alert(world: World, temperature: str = "38.4") -> Alert:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, temperature_c=temperature)
    return Alert.objects.get(patient=patient)


def test_it_lists_open_alerts_most_severe_first(world: World) -> None:
    urgent = open_alert(world)
    patient = injected_patient(world, days_ago=2)
    check_in(patient, pain=9, difficulty_breathing="severe")
    emergency = Alert.objects.get(patient=patient)
    resolved = open_alert(world)
    do_resolve_alert(staff(world.nurse), resolved, note="Seen.", now=now())

    response = client_for(world.nurse).get("/clinic/alerts/")

    assert response.status_code == 200
    ids = [e.attrs["id"] for e in parse(response.content).find_all("li") if e.attrs.get("id", "").startswith("alert-")]
    assert ids == [f"alert-{emergency.uuid}", f"alert-{urgent.uuid}"]


def test_acknowledging_takes_the_alert_on(world: World) -> None:
    alert = open_alert(world)

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "Ringing her now."})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/clinic/alerts/#alert-{alert.uuid}"
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by, alert.acknowledge_note) == (
        AlertState.ACKNOWLEDGED,
        world.nurse,
        "Ringing her now.",
    )
    assert AuditEvent.objects.filter(action="alert.acknowledge", actor=world.nurse, patient=alert.patient).count() == 1


def test_resolving_through_htmx_answers_the_row_alone(world: World) -> None:
    alert = open_alert(world)

    response = client_for(world.coordinator).post(
        f"/clinic/alerts/{alert.uuid}/resolve/", {"note": "Seen in clinic; antibiotics started."}, headers=HTMX
    )

    assert response.status_code == 200
    html = body(response).strip()
    assert html.startswith("<li")
    assert "<html" not in html
    assert "Seen in clinic; antibiotics started." in html
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by) == (AlertState.RESOLVED, world.coordinator)


@pytest.mark.parametrize("note", ["", "   "])
def test_resolving_without_a_note_is_refused_beside_the_note(world: World, note: str) -> None:
    alert = open_alert(world)

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/resolve/", {"note": note})

    assert response.status_code == 400
    assert "<html" in body(response), "a plain post answers with the whole worklist"
    assert "Note is required: say what was done" in error_beside(response.content, id_=f"note-{alert.uuid}")
    assert_unchanged(alert)


def test_resolving_without_a_note_through_htmx_answers_the_row_with_the_message(world: World) -> None:
    alert = open_alert(world)

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/resolve/", {"note": ""}, headers=HTMX)

    assert response.status_code == 400
    html = body(response).strip()
    assert html.startswith('<li tabindex="-1" class="alert-card')
    assert "<html" not in html
    assert f'id="alert-{alert.uuid}"' in html
    assert "Note is required: say what was done" in error_beside(html, id_=f"note-{alert.uuid}")
    assert_unchanged(alert)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_note_too_long_is_refused_beside_the_note(world: World, headers: dict[str, str]) -> None:
    alert = open_alert(world)

    response = client_for(world.nurse).post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "x" * 2001}, headers=headers
    )

    assert response.status_code == 400
    assert "This is 2,001 characters long; it can hold 2,000." in error_beside(
        response.content, id_=f"note-{alert.uuid}"
    )
    assert "x" * 2001 in body(response)  # the whole text comes back
    assert_unchanged(alert)


def test_acknowledging_twice_is_refused_and_says_why(world: World) -> None:
    alert = open_alert(world)
    do_acknowledge_alert(staff(world.physician), alert, note="Mine.", now=now())

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": ""}, follow=True)

    # Someone else got there first: back to the worklist, which says so at the top.
    assert response.redirect_chain[-1][0].startswith("/clinic/alerts/#alert-")
    assert "already acknowledged" in body(response), "the refusal gives no reason"
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, world.physician)


def test_acknowledging_twice_through_htmx_answers_the_row_as_it_now_is(world: World) -> None:
    alert = open_alert(world)
    do_acknowledge_alert(staff(world.physician), alert, note="Mine.", now=now())

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": ""}, headers=HTMX)

    assert response.status_code == 400
    html = body(response)
    assert "already acknowledged" in html or "acknowledged by Physician Riverside" in html
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == (AlertState.ACKNOWLEDGED, world.physician)


def test_resolving_an_alert_someone_else_resolved_says_so(world: World) -> None:
    alert = open_alert(world)
    do_resolve_alert(staff(world.physician), alert, note="Seen by me.", now=now())

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/resolve/", {"note": "Called."}, follow=True)

    # The resolved alert has left the worklist: without the reason, the nurse's note vanishes unexplained.
    assert response.redirect_chain[-1][0].startswith("/clinic/alerts/#alert-")
    assert "already resolved" in body(response), "the refusal gives no reason"
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.resolution_note) == (world.physician, "Seen by me.")


def test_resolving_a_resolved_alert_through_htmx_answers_the_resolved_row(world: World) -> None:
    alert = open_alert(world)
    do_resolve_alert(staff(world.physician), alert, note="Seen by me.", now=now())

    response = client_for(world.nurse).post(f"/clinic/alerts/{alert.uuid}/resolve/", {"note": "Called."}, headers=HTMX)

    assert response.status_code == 400
    html = body(response)
    assert "already resolved" in html or "Resolved by Physician Riverside: Seen by me." in html
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.resolution_note) == (world.physician, "Seen by me.")


def assert_unchanged(alert: Alert) -> None:
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by, alert.resolved_by) == (AlertState.OPEN, None, None)
    assert not AuditEvent.objects.filter(action__in=["alert.acknowledge", "alert.resolve"]).exists()


def test_a_reopened_alert_says_what_changed_until_it_is_acknowledged_again(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    do_acknowledge_alert(staff(world.nurse), alert, now=now())
    check_in(patient, days_after=4, temperature_c="38.4", bowel_control_loss="moderate")
    client = client_for(world.nurse)

    [before] = parse(client.get("/clinic/alerts/").content).find_all("li", id=f"alert-{alert.uuid}")
    assert "Changed: Escalated from Urgent to Emergency" in " ".join(before.text().split())

    row = client.post(f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": ""}, headers=HTMX)

    assert row.status_code == 200
    assert "Changed:" not in body(row)


def seen_on_the_card(html: str, alert: Alert) -> str:
    card = parse(html).find_all("li", id=f"alert-{alert.uuid}")[0]
    return card.find_all("input", name="seen")[0].attrs["value"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_acknowledging_a_card_that_changed_since_it_was_read_shows_it_again(
    world: World, headers: dict[str, str]
) -> None:
    alert = open_alert(world)
    client = client_for(world.nurse)
    seen = seen_on_the_card(body(client.get("/clinic/alerts/")), alert)  # an urgent fever on the screen
    check_in(alert.patient, temperature_c="38.4", bladder_control_loss="severe")  # meanwhile: an emergency

    response = client.post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "Fever: will call.", "seen": seen}, headers=headers
    )

    assert response.status_code == 400
    html = body(response)
    assert "changed since you opened it" in html
    assert "Fever: will call." in html  # what the nurse typed is kept
    card = parse(html).find_all("li", id=f"alert-{alert.uuid}")[0]
    assert "badge--emergency" in str(card.find_all("span")[0].attrs)  # the card as it is now
    assert seen_on_the_card(html, alert) != seen
    assert_unchanged(alert)


def test_a_mangled_seen_field_is_refused_with_a_message(world: World) -> None:
    alert = open_alert(world)

    response = client_for(world.nurse).post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/", {"note": "", "seen": "yesterday\x00"}, headers=HTMX
    )

    assert response.status_code == 400
    assert "This page is out of date" in body(response)
    assert_unchanged(alert)


def changes_url(html: str) -> str:
    [poller] = parse(html).find_all("div", id="worklist-changes")
    assert poller.attrs["hx-trigger"] == "every 30s, check"  # and at once on a "check" event
    return poller.attrs["hx-get"]


def test_the_open_worklist_says_when_an_emergency_arrives_after_it_was_loaded(world: World) -> None:
    fever = open_alert(world)
    client = client_for(world.nurse)
    url = changes_url(body(client.get("/clinic/alerts/")))
    assert body(client.get(url)).strip() == ""  # nothing yet

    do_acknowledge_alert(staff(world.nurse), fever, now=now())  # her own work is not news
    assert body(client.get(url)).strip() == ""
    other = injected_patient(world, days_ago=3)
    check_in(other, bladder_control_loss="moderate")
    elsewhere = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    check_in(elsewhere, temperature_c="38.6")  # another clinic's: not ours to count

    html = body(client.get(url))

    assert "1 alert new or changed since this page was loaded, 1 of them emergency." in " ".join(html.split())
    assert 'href="/clinic/alerts/"' in html


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-45T00:00", "\x00"])
def test_a_bad_since_is_refused_by_name(world: World, since: str) -> None:
    response = client_for(world.nurse).get("/clinic/alerts/changes/", {"since": since})

    assert response.status_code == 400
    assert body(response).startswith("since: ")
