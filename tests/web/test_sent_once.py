"""One submission, stored once (issue 12, item 14): every form that stores a record carries a one-time token;
the same rendered form sent again (a retry after a slow answer, a double tap) returns the first result and
stores nothing new. A form rendered again is a new submission: a second check-in the same day amends it."""

from __future__ import annotations

import uuid

from django.test import Client

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.actions.screening import do_decide_candidacy
from prpath.clinic.models import CheckIn, CheckInVersion, ClinicalNote, Patient, Procedure, Screening, Submission
from prpath.core.protocol.schema import Candidacy
from tests.personas import World, enrol, inject, injected_patient, now, screen, staff, with_account
from tests.web.pages import body, client_for, parse, procedure_form


def rendered(client: Client, url: str) -> dict[str, str]:
    """The form as the page renders it: its filled fields (the token among them) and its checked choices."""
    page = parse(body(client.get(url)))
    fields = {
        e.attrs["name"]: e.attrs.get("value", "")
        for e in page.find_all("input")
        if "name" in e.attrs
        and e.attrs.get("value")
        and (e.attrs.get("type") not in ("radio", "checkbox") or "checked" in e.attrs)
        and e.attrs["name"] != "csrfmiddlewaretoken"
    }
    assert fields.get("once"), "the form carries a one-time token"
    uuid.UUID(fields["once"])
    return fields


def checkin_sent(patient: Patient, client: Client, form: dict[str, str], pain: str = "4") -> str:
    response = client.post("/me/check-in/", {**form, "pain": pain})
    assert response.status_code == 302, body(response)
    return str(response["Location"])


def test_a_check_in_sent_twice_is_stored_once_and_both_answers_lead_to_it(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    client = client_for(patient.user)
    form = rendered(client, "/me/check-in/")

    first = checkin_sent(patient, client, form)
    again = checkin_sent(patient, client, form)

    assert first == again
    assert CheckInVersion.objects.filter(checkin__patient=patient).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CHECKIN_RECORD, patient_id=patient.pk).count() == 1


def test_the_same_page_sent_again_with_other_answers_is_a_new_report(world: World) -> None:
    """Sent "nothing new", then, the answer slow, "Yes" and a red flag from the same page: the red flag is a
    report, never a repeat to drop."""
    patient = injected_patient(world, days_ago=3)
    client = client_for(patient.user)
    form = rendered(client, "/me/check-in/")

    checkin_sent(patient, client, {**form, "anything_new": "no"}, pain="3")
    checkin_sent(patient, client, {**form, "anything_new": "yes", "symptom__saddle_numbness": "moderate"}, pain="3")
    copy = {**form, "anything_new": "yes", "symptom__saddle_numbness": "moderate"}
    again = checkin_sent(patient, client, copy, pain="3")

    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.revision == 2  # the second answers amended the day; their copy stored nothing more
    assert checkin.disposition == "emergency"
    assert checkin.alerts.get().disposition == "emergency"
    assert again.endswith(f"/me/check-ins/{checkin.uuid}/")


def test_a_form_rendered_again_is_a_new_report_that_amends_the_day(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    client = client_for(patient.user)

    checkin_sent(patient, client, rendered(client, "/me/check-in/"), pain="4")
    checkin_sent(patient, client, rendered(client, "/me/check-in/"), pain="6")

    assert CheckInVersion.objects.filter(checkin__patient=patient).count() == 2
    assert CheckIn.objects.get(patient=patient).pain == 6


def test_a_screening_sent_twice_is_stored_once(world: World) -> None:
    patient = with_account(world, enrol(world))
    client = client_for(patient.user)
    form = {**rendered(client, "/me/screening/"), "pain": "6", "pain_trend": "stable"}

    answers = [client.post("/me/screening/", form) for _ in range(3)]

    assert {r.status_code for r in answers} == {302}
    assert len({r["Location"] for r in answers}) == 1
    assert Screening.objects.filter(patient=patient).count() == 1


def test_a_clinical_note_sent_twice_is_added_once(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    nurse = client_for(world.nurse)
    timeline = f"/clinic/patients/{patient.uuid}/"
    form = {"once": rendered(nurse, timeline)["once"], "text": "Called: doing well."}

    for _ in range(2):
        nurse.post(f"{timeline}notes/", form)

    assert ClinicalNote.objects.filter(patient=patient).count() == 1


def test_a_token_of_one_form_sent_with_another_is_refused_by_name_and_stores_nothing(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    client = client_for(patient.user)
    form = rendered(client, "/me/check-in/")
    checkin_sent(patient, client, form)
    Submission.objects.filter(user=patient.user).update(kind="screening")  # as if the screening used it

    response = client.post("/me/check-in/", {**form, "pain": "4"})

    assert response.status_code == 400
    assert "already sent as another form" in body(response)
    assert CheckInVersion.objects.filter(checkin__patient=patient).count() == 1


def test_a_mangled_token_is_refused_by_name(world: World) -> None:
    patient = injected_patient(world, days_ago=3)
    client = client_for(patient.user)
    form = rendered(client, "/me/check-in/")

    response = client.post("/me/check-in/", {**form, "once": "not-a-token", "pain": "4"})

    assert response.status_code == 400
    assert "reload it" in body(response)
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_an_injection_recorded_twice_from_one_form_is_stored_once(world: World) -> None:
    patient = with_account(world, enrol(world))
    screening = screen(patient)
    do_decide_candidacy(staff(world.physician), screening, candidacy=Candidacy.ELIGIBLE, reason="", now=now())
    physician = client_for(world.physician)
    url = f"/clinic/patients/{patient.uuid}/procedures/new/"
    form = {"once": rendered(physician, url)["once"], **procedure_form(world.clinic, world.physician)}

    answers = [physician.post(url, form) for _ in range(2)]

    assert [r.status_code for r in answers] == [302, 302]
    assert Procedure.objects.filter(patient=patient).count() == 1


def test_a_page_opened_for_one_clinic_and_sent_after_switching_to_another_is_refused(world: World) -> None:
    """A patient of two clinics opens one clinic's check-in, switches clinic in another tab, then sends it:
    nothing is filed at the wrong clinic, the page says so, and its emergency is still told at once."""
    from tests.web.test_across_clinics import invitation_token, sign_in

    there = injected_patient(world, days_ago=3, clinic=world.other_clinic)
    here = enrol(world, email=there.email)
    person = client_for(None)
    sign_in(person, there.email)
    assert person.post(f"/join/{invitation_token(world, here)}/", {"join": "yes"}).status_code == 302
    here.refresh_from_db()
    do_decide_candidacy(staff(world.physician), screen(here), candidacy=Candidacy.ELIGIBLE, reason="ok", now=now())
    inject(world, here, days_ago=3)
    person.post("/choose/", {"membership": f"patient:{here.uuid}"})
    form = rendered(person, "/me/check-in/")
    person.post("/choose/", {"membership": f"patient:{there.uuid}"})

    answer = person.post(
        "/me/check-in/", {**form, "pain": "4", "anything_new": "yes", "symptom__saddle_numbness": "moderate"}
    )

    assert answer.status_code == 400
    assert "switched clinic" in body(answer)
    assert "Go to the emergency department now" in body(answer)  # told at once, as any refused form is
    assert not CheckIn.objects.filter(patient__in=[here, there]).exists()
