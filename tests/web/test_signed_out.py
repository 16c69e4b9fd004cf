"""When the session ends under someone: a check-in page left open overnight, a worklist left on a screen.

A form sent from a signed-out browser is not stored, and the sign-in page says that it was not sent. An htmx
call takes the whole page to the sign-in page rather than swapping the sign-in form into a worklist card.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from prpath.clinic.models import Alert, AlertState, CheckIn
from tests.personas import PASSWORD, World, check_in, clinic_today, injected_patient
from tests.web.pages import body, parse

HTMX = {"HX-Request": "true"}


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_check_in_sent_after_the_session_ended_is_not_stored_and_the_sign_in_page_says_so(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    assert patient.user.has_joined
    browser = Client()

    response = browser.post(
        "/me/check-in/",
        {"date": clinic_today(patient.clinic).isoformat(), "pain": "4", "symptom__bladder_control_loss": "moderate"},
        headers={"Referer": "http://testserver/me/check-in/"},
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/accounts/login/"
    assert query(response.headers["Location"]) == {"next": ["/me/check-in/"], "unsent": ["1"]}
    assert not CheckIn.objects.filter(patient=patient).exists()
    page = browser.get(response.headers["Location"])
    warning = next(e for e in parse(body(page)).find_all("div") if e.attrs.get("role") == "alert")
    assert "was not received" in warning.text()
    assert "do not sign in first" in warning.text()  # a patient's page: someone may be reporting an emergency
    # Signing in leads back to the check-in, ready to send again.
    signed_in = browser.post(response.headers["Location"], {"username": patient.user.email, "password": PASSWORD})
    assert signed_in.headers["Location"] == "/me/check-in/"


def test_a_page_asked_for_while_signed_out_is_not_called_unsent(world: World) -> None:
    response = Client().get("/me/check-in/")

    assert response.status_code == 302
    assert query(response.headers["Location"]) == {"next": ["/me/check-in/"]}
    page = body(Client().get(response.headers["Location"]))
    assert "was not received" not in page


def test_the_sign_in_page_tells_someone_unwell_not_to_wait(world: World) -> None:
    page = parse(body(Client().get("/accounts/login/")))

    (line,) = [e for e in page.find_all("p") if "emergency-line" in e.classes]
    assert "Do not wait to sign in" in line.text()
    assert "emergency number" in line.text()


def test_a_worklist_card_sent_after_the_session_ended_takes_the_page_to_sign_in(world: World) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)

    response = Client().post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/",
        {"note": "Ringing her now."},
        headers={**HTMX, "HX-Current-URL": "http://testserver/clinic/alerts/?state=open"},
    )

    assert response.status_code == 401
    location = response.headers["HX-Redirect"]
    assert urlsplit(location).path == "/accounts/login/"
    assert query(location) == {"next": ["/clinic/alerts/?state=open"], "unsent": ["1"]}
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN


def test_the_worklist_check_for_new_alerts_takes_the_page_to_sign_in(world: World) -> None:
    response = Client().get(
        "/clinic/alerts/changes/?since=2026-01-01T00:00:00%2B00:00",
        headers={**HTMX, "HX-Current-URL": "http://testserver/clinic/alerts/"},
    )

    assert response.status_code == 401
    assert query(response.headers["HX-Redirect"]) == {"next": ["/clinic/alerts/"]}


def test_an_htmx_call_naming_another_site_is_not_sent_back_there(world: World) -> None:
    response = Client().get(
        "/clinic/alerts/changes/", headers={**HTMX, "HX-Current-URL": "https://evil.example/clinic/alerts/"}
    )

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/accounts/login/"


def test_a_plain_form_sent_signed_out_leads_back_to_the_page_it_was_on_not_its_post_only_address(
    world: World,
) -> None:
    patient = injected_patient(world, days_ago=4)
    check_in(patient, temperature_c="38.4")
    alert = Alert.objects.get(patient=patient)
    browser = Client()

    response = browser.post(
        f"/clinic/alerts/{alert.uuid}/acknowledge/",
        {"note": "Ringing her now."},
        headers={"Referer": "http://testserver/clinic/alerts/"},
    )

    assert query(response.headers["Location"]) == {"next": ["/clinic/alerts/"], "unsent": ["1"]}
    page = body(browser.get(response.headers["Location"]))
    assert "was not received" in page
    assert "do not sign in first" not in page  # a staff page
    signed_in = browser.post(response.headers["Location"], {"username": "nurse@riverside.test", "password": PASSWORD})
    assert signed_in.headers["Location"] == "/clinic/alerts/"
    assert browser.get(signed_in.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "page",
    [
        "https://evil.example/clinic/alerts/",
        "http://testserver//evil.example/x",
        "http://testserver/\\evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_page_named_by_a_header_is_followed_only_when_it_is_a_plain_page_of_ours(world: World, page: str) -> None:
    plain = Client().post("/me/check-in/", {"pain": "4"}, headers={"Referer": page})
    htmx = Client().get("/clinic/alerts/changes/", headers={**HTMX, "HX-Current-URL": page})

    assert plain.headers["Location"] == "/accounts/login/?unsent=1"
    assert htmx.headers["HX-Redirect"] == "/accounts/login/"
