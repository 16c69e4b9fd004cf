"""The Protocol page: every clinician reads the active version and its history; the clinic admin drafts,
sees every problem with its location and what a draft changes, runs the safety suite and activates."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
import yaml
from django.test import Client

from prpath.audit.models import AuditAction, AuditEvent
from prpath.clinic.models import ProtocolVersion, VersionState
from prpath.clinic.queries.protocols import protocol_for
from prpath.clinic.translate import suite_for
from prpath.core.protocol.document import parse_protocol
from prpath.core.suite.safety import run_suite
from prpath.files.protocols import default_protocol, default_protocol_text
from tests.personas import World, enrol, with_account
from tests.web.pages import client_for

DEFAULT: dict[str, Any] = yaml.safe_load(default_protocol_text())


def text(change: Any = None) -> str:
    data = copy.deepcopy(DEFAULT)
    data["version"] = "riverside-2"
    if change is not None:
        change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def fever_rule_at_38_5(data: dict[str, Any]) -> None:
    fever = next(r for r in data["recovery_rules"] if r["id"] == "recovery.fever")
    fever["when"] = {"any": [{"temperature": {"at_least": 38.5}}, {"symptom": {"codes": ["fever", "chills"]}}]}


def cauda_equina_only_urgent(data: dict[str, Any]) -> None:
    for r in data["recovery_rules"]:
        if r["disposition"] == "emergency":
            r["disposition"] = "urgent"


def start_draft(client: Client, start_from: str = "active") -> ProtocolVersion:
    response = client.post("/clinic/protocol/new/", {"start_from": start_from})
    assert response.status_code == 302
    version = ProtocolVersion.objects.filter(state=VersionState.DRAFT).latest("number")
    assert response["Location"] == f"/clinic/protocol/{version.number}/"
    return version


def save(client: Client, version: ProtocolVersion, document: str) -> Any:
    return client.post(f"/clinic/protocol/{version.number}/edit/", {"document": document})


def test_every_clinician_reads_the_active_version(world: World) -> None:
    for who in ("admin", "physician", "nurse", "coordinator"):
        page = client_for(getattr(world, who)).get("/clinic/protocol/")
        assert page.status_code == 200, who
        body = page.content.decode()
        assert "Active: version #1" in body
        assert ("Start a draft" in body) == (who == "admin"), who
        assert client_for(getattr(world, who)).get("/clinic/protocol/1/").status_code == 200


def test_patients_and_strangers_get_nothing(world: World) -> None:
    patient = with_account(world, enrol(world))
    assert client_for(patient.user).get("/clinic/protocol/").status_code == 404
    assert Client().get("/clinic/protocol/").status_code == 302  # to sign in


def test_only_the_admin_changes_it(world: World) -> None:
    for who in ("physician", "nurse", "coordinator"):
        client = client_for(getattr(world, who))
        assert client.post("/clinic/protocol/new/", {"start_from": "active"}).status_code == 403, who
        assert client.post("/clinic/protocol/1/edit/", {"document": "x"}).status_code == 403, who
        assert client.post("/clinic/protocol/1/activate/", {}).status_code == 403, who
    assert not ProtocolVersion.objects.filter(state=VersionState.DRAFT).exists()


def test_another_clinics_draft_is_not_there_for_us(world: World) -> None:
    start_draft(client_for(world.admin))  # Riverside's #2
    assert client_for(world.other_nurse).get("/clinic/protocol/2/").status_code == 404


def test_a_broken_draft_shows_every_problem_with_its_location(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)

    response = save(client, draft, yaml.safe_dump({"name": "Clinic", "version": "1"}))

    assert response.status_code == 302  # saved: a draft may be broken
    page = client.get(f"/clinic/protocol/{draft.number}/").content.decode()
    assert "dispositions</code>: is required" in page
    assert "cannot be checked or activated" in page
    assert "Activate draft" not in page


def test_a_misplaced_value_is_named_with_its_line(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)
    document = text().replace("pain_max: 10", "pain_max: ten")
    line = next(i for i, row in enumerate(document.splitlines(), 1) if "pain_max: ten" in row)

    save(client, draft, document)

    page = client.get(f"/clinic/protocol/{draft.number}/").content.decode()
    assert f"<strong>Line {line}</strong> · <code>limits.pain_max</code>" in page


def test_not_yaml_at_all_is_named_with_its_line_and_column(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)

    save(client, draft, "name: [unclosed\n")

    page = client.get(f"/clinic/protocol/{draft.number}/").content.decode()
    assert "not valid YAML" in page
    assert "line 2, column 1" in page


HOSTILE_DRAFTS = [
    ("a list as a key", "? [a, b]\n: 1\n", "a key must be a single word or number"),
    ("nested thousands deep", "[" * 3000 + "]" * 3000, "nested too deeply"),
    ("an alias that holds itself", "- &a [*a]\n", "aliases (*name) are not allowed"),
    ("a date that is no date", "name: x\nwhen: 2026-13-45\n", "month must be in 1..12"),
    ("a NUL written as an escape", text().replace("name: ", 'name: "a\\0b" #', 1), "holds a NUL character"),
    ("a name too long to keep", text().replace("name: ", "name: " + "x" * 250 + " #", 1), "at most 200 characters"),
    ("a base-60 name", text().replace("name: ", "name: 1" + ":59" * 3000 + " #", 1), "reads as a base-60 number"),
    ("a pain scale to 10**5000", text().replace("pain_max: 10", "pain_max: 1" + "0" * 5000), "a number this long"),
    ("a pain scale to 10**13", text().replace("pain_max: 10", "pain_max: 10000000000000"), "less than or equal to 100"),
]


@pytest.mark.parametrize(("document", "message"), [h[1:] for h in HOSTILE_DRAFTS], ids=[h[0] for h in HOSTILE_DRAFTS])
def test_a_hostile_draft_is_saved_with_its_problem_named_never_a_server_error(
    world: World, document: str, message: str
) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)

    response = save(client, draft, document)

    assert response.status_code in (200, 302, 400)
    page = client.get(f"/clinic/protocol/{draft.number}/")
    assert page.status_code == 200
    assert message in page.content.decode()
    assert client.post(f"/clinic/protocol/{draft.number}/activate/", {}).status_code in (200, 400)
    assert protocol_for(world.clinic).version.number == 1


def test_a_draft_is_checked_named_and_activated_with_a_reason_for_each_disagreement(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)
    save(client, draft, text(fever_rule_at_38_5))

    page = client.get(f"/clinic/protocol/{draft.number}/").content.decode()
    assert "What it changes against version #1" in page
    assert "recovery.fever (Fever after the injection)" in page or "recovery.fever (" in page
    assert "temperature &gt;= 38.5 °C or fever|chills" in page
    assert "shipped/own-r01.json" in page
    assert "Activate draft" in page

    refused = client.post(f"/clinic/protocol/{draft.number}/activate/", {})
    assert refused.status_code == 400
    assert "Give the reason the clinic accepts this" in refused.content.decode()
    assert protocol_for(world.clinic).version.number == 1

    names = _reason_fields(refused.content.decode())
    assert names
    done = client.post(f"/clinic/protocol/{draft.number}/activate/", dict.fromkeys(names, "Our physicians' policy."))
    assert done.status_code == 302
    assert protocol_for(world.clinic).version.number == draft.number
    event = AuditEvent.objects.filter(action=AuditAction.PROTOCOL_ACTIVATE, actor=world.admin).get()
    assert set(event.detail["reasons"]) == {name.removeprefix("reason:") for name in names}
    assert "Version #1" in client.get("/clinic/protocol/").content.decode()  # still there to read


def _reason_fields(page: str) -> list[str]:
    import re

    return sorted(set(re.findall(r'name="(reason:[^"]+)"', page)))


def test_a_draft_that_misses_an_emergency_offers_no_activation_and_refuses_one(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)
    save(client, draft, text(cauda_equina_only_urgent))

    page = client.get(f"/clinic/protocol/{draft.number}/").content.decode()
    assert "it cannot be activated" in page
    assert "Activate draft" not in page

    forced = client.post(f"/clinic/protocol/{draft.number}/activate/", {})
    assert forced.status_code == 400
    assert "Misses an emergency" in forced.content.decode()
    assert protocol_for(world.clinic).version.number == 1


def test_a_draft_started_from_the_built_in_protocol_holds_its_text(world: World) -> None:
    draft = start_draft(client_for(world.admin), "default")
    assert draft.document == default_protocol_text()
    assert draft.based_on == protocol_for(world.clinic).version


def test_an_uploaded_document_replaces_the_text(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)
    upload = io.BytesIO(text(fever_rule_at_38_5).encode())
    upload.name = "riverside.yaml"

    response = client.post(f"/clinic/protocol/{draft.number}/edit/", {"document": "", "upload": upload})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert "38.5" in draft.document


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"document": ""}, "Paste or type the protocol document"),
        ({"document": "name: x\x00"}, "Null characters are not allowed"),
        ({"document": "x" * 1_000_001}, "characters"),
    ],
    ids=["empty", "nul", "too long"],
)
def test_bad_input_is_named_and_nothing_is_saved(world: World, data: dict[str, str], message: str) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)

    response = client.post(f"/clinic/protocol/{draft.number}/edit/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.document == protocol_for(world.clinic).version.document


def test_a_file_that_is_not_utf8_is_named(world: World) -> None:
    client = client_for(world.admin)
    draft = start_draft(client)
    upload = io.BytesIO(b"\xff\xfe\x00bad")
    upload.name = "clinic.yaml"

    response = client.post(f"/clinic/protocol/{draft.number}/edit/", {"upload": upload})

    assert response.status_code == 400
    assert "not UTF-8 text" in response.content.decode()


def test_the_active_version_cannot_be_edited_from_the_page(world: World) -> None:
    response = save(client_for(world.admin), protocol_for(world.clinic).version, text())

    assert response.status_code == 400
    assert "only a draft can be edited" in response.content.decode()
    assert protocol_for(world.clinic).version.document == default_protocol_text()


def test_the_clinic_adds_and_removes_its_own_vignettes(world: World) -> None:
    client = client_for(world.admin)
    own = {
        "id": "riverside-1",
        "phase": "screening",
        "patient": {"history": ["active_infection"], "baseline": {"pain": 4}},
        "expected": {"disposition": "consult", "candidacy": "defer"},
    }
    good = io.BytesIO(json.dumps(own).encode())
    good.name = "riverside-1.json"
    bad = io.BytesIO(b"{not json")
    bad.name = "broken.json"

    response = client.post("/clinic/protocol/vignettes/", {"vignettes": [good, bad]}, follow=True)

    body = response.content.decode()  # one file refused keeps the other out too: nothing half-added
    assert "Nothing was added" in body
    assert "Not added: broken.json: not valid JSON" in body
    assert not world.clinic.safety_vignettes.exists()

    good.seek(0)
    response = client.post("/clinic/protocol/vignettes/", {"vignettes": [good]}, follow=True)

    assert "Added to the safety suite: riverside-1.json" in response.content.decode()
    [vignette] = world.clinic.safety_vignettes.all()
    assert "riverside-1.json" in client.get("/clinic/protocol/").content.decode()

    assert client.post(f"/clinic/protocol/vignettes/{vignette.uuid}/remove/").status_code == 302
    assert not world.clinic.safety_vignettes.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PROTOCOL_VIGNETTE_REMOVE, actor=world.admin).exists()


def _vignette_file(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


GOOD_VIGNETTE = {
    "id": "riverside-2",
    "phase": "screening",
    "patient": {"history": ["active_infection"], "baseline": {"pain": 4}},
    "expected": {"disposition": "consult", "candidacy": "defer"},
}
BAD_VIGNETTES = [
    ("a file name too long", "v" * 250 + ".json", json.dumps(GOOD_VIGNETTE).encode(), "at most 200 characters"),
    ("a NUL in its id", "nul.json", json.dumps({**GOOD_VIGNETTE, "id": "a\u0000b"}).encode(), "NUL character"),
    ("larger than the limit", "big.json", b" " * 200_001, "larger than 200 kB"),
    ("the same name twice", "riverside-2.json", json.dumps(GOOD_VIGNETTE).encode(), "already has a vignette"),
]


@pytest.mark.parametrize(("name", "data", "message"), [b[1:] for b in BAD_VIGNETTES], ids=[b[0] for b in BAD_VIGNETTES])
def test_a_vignette_file_that_cannot_be_kept_is_refused_with_a_message_and_nothing_added(
    world: World, name: str, data: bytes, message: str
) -> None:
    client = client_for(world.admin)
    good = _vignette_file("riverside-2.json", json.dumps(GOOD_VIGNETTE).encode())

    files = [good, _vignette_file(name, data)]
    response = client.post("/clinic/protocol/vignettes/", {"vignettes": files}, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not world.clinic.safety_vignettes.exists()


def test_the_clinic_adds_a_note_file_and_the_suite_reads_it(world: World) -> None:
    client = client_for(world.admin)
    words = {"id": "riverside-note", "text": "Leg gave way on the stairs", "expected": {"reports": ["leg_weakness"]}}
    no_key = {"id": "riverside-note-2", "text": "Leg gave way on the stairs"}

    refused = client.post(
        "/clinic/protocol/vignettes/",
        {"vignettes": [_vignette_file("no-key.json", json.dumps(no_key).encode())]},
        follow=True,
    )
    assert "no-key.json: has no answer key (expected.reports)" in refused.content.decode()
    response = client.post(
        "/clinic/protocol/vignettes/",
        {"vignettes": [_vignette_file("riverside-note.json", json.dumps(words).encode())]},
        follow=True,
    )

    assert "Added to the safety suite: riverside-note.json" in response.content.decode()
    [kept] = world.clinic.safety_vignettes.all()
    assert kept.name == "riverside-note.json"
    suite = suite_for(world.clinic)
    assert suite[-1].key == "clinic/riverside-note.json"
    passed = run_suite(default_protocol(), suite)
    assert passed.disagreements == []
    document = yaml.safe_load(default_protocol_text())
    document["notes"]["symptoms"]["leg_weakness"] = ["my leg is weak"]  # a clinic's edit that reads less
    missed = run_suite(parse_protocol(document), suite)
    assert "riverside-note" in [d.vignette for d in missed.missed_emergencies]
