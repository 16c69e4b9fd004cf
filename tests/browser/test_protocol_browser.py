"""The clinic admin's Protocol page in Chromium: a draft edited, a problem named where it is, fixed, what it
changes read, the safety suite's disagreements given reasons, and the draft activated."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from prpath.clinic.models import ProtocolVersion, VersionState
from prpath.files.protocols import default_protocol_text
from tests.browser.pages import NARROW, SIZES, Visit
from tests.personas import World, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fever_at_38_5() -> str:
    data = yaml.safe_load(default_protocol_text())
    data = copy.deepcopy(data)
    data["version"] = "riverside-2"
    fever = next(r for r in data["recovery_rules"] if r["id"] == "recovery.fever")
    fever["when"] = {"any": [{"temperature": {"at_least": 38.5}}, {"symptom": {"codes": ["fever", "chills"]}}]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_the_admin_edits_a_draft_fixes_its_problem_reads_the_diff_and_activates(
    browser: Any, live_server: Any, transactional_db: None, visits: list[Visit]
) -> None:
    world: World = make_world()
    visit = Visit(browser, live_server, "desktop")
    visits.append(visit)
    page = visit.page
    visit.sign_in(str(world.admin.email))

    visit.go("/clinic/protocol/")
    assert page.get_by_role("heading", name="Active: version #1").is_visible()
    visit.look("protocol")
    page.get_by_role("button", name="Start a draft from version #1").click()
    page.wait_for_url("**/clinic/protocol/2/")
    assert page.get_by_role("heading", level=1).inner_text() == "Draft #2"

    editor = page.get_by_label("Protocol document (YAML)")
    broken = editor.input_value().replace("pain_max: 10", "pain_max: ten")
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "pain_max: ten" in row)
    editor.fill(broken)
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    problems = page.get_by_role("alert").filter(has_text="problem to fix")
    assert problems.is_visible()
    assert f"Line {line} · limits.pain_max" in problems.inner_text()
    assert page.get_by_role("button", name="Activate draft #2").count() == 0
    visit.look("protocol-draft-problem")

    page.get_by_label("Protocol document (YAML)").fill(fever_at_38_5())
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    changes = page.get_by_role("region", name="What it changes against version #1")
    assert "recovery.fever" in changes.inner_text()
    assert "temperature >= 38.5 °C or fever|chills" in changes.inner_text()
    suite = page.get_by_role("region", name="Safety suite")
    # Every emergency of the shipped suite still found (the draft only raised the fever threshold).
    assert re.search(r"emergency sensitivity (\d+)/\1 \(100\.0%\)", suite.inner_text())
    reasons = suite.locator("textarea")
    assert reasons.count() >= 1
    visit.look("protocol-draft-diff")

    page.get_by_role("button", name="Activate draft #2").click()  # no reasons yet: refused, nothing changes
    page.wait_for_load_state()
    assert "Give the reason the clinic accepts this" in page.content()
    assert ProtocolVersion.objects.get(clinic=world.clinic, number=2).state == VersionState.DRAFT
    visit.look("protocol-draft-refused")

    for i in range(page.locator("textarea[name^='reason:']").count()):
        page.locator("textarea[name^='reason:']").nth(i).fill("Our physicians call from 38.5 °C (audit of 2026).")
    page.get_by_role("button", name="Activate draft #2").click()
    page.wait_for_url("**/clinic/protocol/")
    assert page.get_by_role("heading", name="Active: version #2").is_visible()
    assert page.get_by_role("link", name="Version #1").is_visible()
    visit.look("protocol-activated")
    assert ProtocolVersion.objects.get(clinic=world.clinic, number=1).state == VersionState.RETIRED


@pytest.mark.parametrize("size", [*SIZES, *NARROW])
def test_the_protocol_pages_at_every_size(
    browser: Any, live_server: Any, transactional_db: None, visits: list[Visit], size: str
) -> None:
    world: World = make_world()
    visit = Visit(browser, live_server, size)
    visits.append(visit)
    visit.sign_in(str(world.admin.email))
    visit.go("/clinic/protocol/")
    visit.look("protocol-overview")
    visit.page.get_by_role("button", name="Start a draft from version #1").click()
    visit.page.wait_for_url("**/clinic/protocol/2/")
    visit.page.get_by_label("Protocol document (YAML)").fill(fever_at_38_5())
    visit.page.get_by_role("button", name="Save the draft").click()
    visit.page.wait_for_load_state()
    visit.look("protocol-draft")
    visit.go("/clinic/protocol/1/")
    visit.look("protocol-version-1")
