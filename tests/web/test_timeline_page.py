"""A patient's timeline for the clinic: what happened, newest first; actions offered as the role allows."""

from __future__ import annotations

from prpath.accounts.models import AccessLink
from prpath.audit.models import AuditEvent
from prpath.clinic.models import ClinicalNote
from tests.personas import World, check_in, enrol, injected_patient
from tests.web.pages import body, client_for, parse


def test_it_shows_check_ins_alerts_and_notes_newest_first(world: World) -> None:
    patient = injected_patient(world, days_ago=6)
    check_in(patient, days_after=1, pain=6)
    check_in(patient, days_after=2, pain=5, temperature_c="38.3")
    check_in(patient, days_after=2, pain=5, temperature_c="38.6")  # amended the same day
    client = client_for(world.nurse)
    client.post(f"/clinic/patients/{patient.uuid}/notes/", {"text": "Rang: fever settling with paracetamol."})

    response = client.get(f"/clinic/patients/{patient.uuid}/")

    assert response.status_code == 200
    page = body(response)
    assert page.index("fever settling") < page.index("Check-in, day 2") < page.index("Check-in, day 1")
    assert "Amended: 2 reports that day" in page
    assert "38.6" in page


def test_the_procedure_action_is_offered_to_physicians_only(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    link = f"/clinic/patients/{patient.uuid}/procedures/new/"

    assert link in body(client_for(world.physician).get(f"/clinic/patients/{patient.uuid}/"))
    for user in (world.admin, world.nurse, world.coordinator):
        assert link not in body(client_for(user).get(f"/clinic/patients/{patient.uuid}/"))


def test_the_invitation_is_offered_until_the_patient_has_an_account(world: World) -> None:
    waiting = enrol(world)
    joined = injected_patient(world, days_ago=3)
    client = client_for(world.admin)

    assert f"/clinic/patients/{waiting.uuid}/invite/" in body(client.get(f"/clinic/patients/{waiting.uuid}/"))
    assert f"/clinic/patients/{joined.uuid}/invite/" not in body(client.get(f"/clinic/patients/{joined.uuid}/"))


def test_an_empty_note_adds_nothing_and_says_so(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    client = client_for(world.nurse)

    response = client.post(f"/clinic/patients/{patient.uuid}/notes/", {"text": "   "}, follow=True)

    assert response.redirect_chain == [(f"/clinic/patients/{patient.uuid}/#notes", 302)]
    assert "The note was empty: nothing was added." in body(response)
    assert not ClinicalNote.objects.exists()
    assert not AuditEvent.objects.filter(action="note.add").exists()


def test_inviting_a_patient_who_has_an_account_says_so_and_creates_nothing(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    links = AccessLink.objects.filter(user=patient.user).count()

    response = client_for(world.nurse).post(f"/clinic/patients/{patient.uuid}/invite/", follow=True)

    assert response.redirect_chain == [(f"/clinic/patients/{patient.uuid}/", 302)]
    assert "Already has an account" in body(response)
    assert AccessLink.objects.filter(user=patient.user).count() == links


def test_a_day_is_badged_by_its_most_severe_report_with_the_latest_named(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, days_after=3, bladder_control_loss="moderate")
    check_in(patient, days_after=3)  # the evening: sounds fine

    page = parse(body(client_for(world.nurse).get(f"/clinic/patients/{patient.uuid}/")))

    [line] = [p for p in page.find_all("p") if p.text().startswith("Check-in, day 3")]
    [badge] = line.find_all("span")
    assert "badge--emergency" in badge.classes
    assert "latest report: expected" in line.text()


def test_every_staff_text_box_shows_its_limit_as_it_is_typed(world: World) -> None:
    # The box has no maxlength (a paste is not cut without a word); counter.js counts against data-limit.
    patient = injected_patient(world, days_ago=4)
    check_in(patient, temperature_c="38.6")
    nurse, physician = client_for(world.nurse), client_for(world.physician)
    pages = {
        "worklist": (nurse, "/clinic/alerts/", "note", "2000"),
        "timeline": (nurse, f"/clinic/patients/{patient.uuid}/", "text", "4000"),
        "procedure": (physician, f"/clinic/patients/{patient.uuid}/procedures/new/", "notes", "4000"),
    }
    for name, (client, path, field, limit) in pages.items():
        boxes = parse(client.get(path).content).find_all("textarea", name=field)
        assert [b.attrs.get("data-limit") for b in boxes] == [limit], name
        assert all("maxlength" not in b.attrs for b in boxes), name
