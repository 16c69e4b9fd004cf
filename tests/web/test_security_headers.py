"""Every page answers with the Content-Security-Policy: scripts, styles and images from prpath itself, never
inline, nothing from elsewhere, no framing; and no template holds an inline script, style, handler or
javascript: link for it to refuse. (The browser tests fail a page on any violation the browser reports.)"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.personas import World
from tests.web.pages import body, client_for
from tests.web.test_permissions import ACTORS, DATA, EXPECTED, Scene, _paths, build_scene

TEMPLATES = [
    *Path(settings.BASE_DIR).joinpath("templates").rglob("*.html"),
    *Path(settings.BASE_DIR).parent.joinpath("clinic", "templates").rglob("*.html"),
]
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_strict(response: Any) -> None:
    found = policy(response)
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} ({response.status_code})"
    assert {k: v for k, v in found.items() if k in EXPECTED_POLICY} == EXPECTED_POLICY, where
    header = response.headers["Content-Security-Policy"]
    for loophole in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert loophole not in header.split(), f"{where}: {loophole} in {header}"


@pytest.fixture(scope="module")
def module_scene(module_world: Any, django_db_blocker: Any) -> Scene:
    with django_db_blocker.unblock():
        return build_scene(module_world)


@pytest.fixture
def scene(module_scene: Scene, db: None) -> Scene:
    return copy.deepcopy(module_scene)


# Each endpoint of the permission matrix once, as the first person it shows a page to (200, or a form sent
# back with 400), or else as the first person at all: redirects, 403, 404 and 405 carry the policy too.
def _asker(endpoint: str) -> str:
    outcomes = EXPECTED[endpoint]
    for actor, outcome in zip(ACTORS, outcomes, strict=True):
        if outcome.status in (200, 400):
            return actor
    return next(iter(ACTORS))


ENDPOINTS = [(endpoint, _asker(endpoint)) for endpoint in EXPECTED]


@pytest.mark.parametrize(("endpoint", "actor"), ENDPOINTS, ids=[f"{e} as {a}" for e, a in ENDPOINTS])
def test_every_page_carries_the_policy_with_nothing_inline(scene: Scene, endpoint: str, actor: str) -> None:
    method, path = endpoint.split(" ", 1)
    for placeholder, value in _paths(scene).items():
        path = path.replace(placeholder, value)
    client = client_for(ACTORS[actor](scene))
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, DATA[endpoint](scene) if endpoint in DATA else {})
    assert_strict(response)


def test_pages_not_found_and_forms_refused_carry_it_too(scene: Scene) -> None:
    nurse = client_for(scene.world.nurse)
    assert_strict(nurse.get("/clinic/patients/00000000-0000-0000-0000-000000000000/"))
    assert_strict(nurse.get("/no-such-page/"))
    patient = client_for(scene.patient.user)
    refused = patient.post("/me/check-in/", {"pain": "eleven"})
    assert refused.status_code == 400
    assert_strict(refused)


def test_a_form_sent_without_its_csrf_token_is_refused_on_a_page_of_ours_with_nothing_inline(scene: Scene) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "nobody@example.org", "password": "x"})
    assert response.status_code == 403
    assert_strict(response)
    page = response.content.decode()
    assert "<style" not in page
    assert "Reload the page" in page


# --- the templates: nothing inline for the policy to refuse ----------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on...= handler"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on attribute (evaluated as code)"),
    (re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE), "a javascript: URL"),
]


def _inline(template: Path) -> list[tuple[str, str]]:
    name = "/".join(template.parts[template.parts.index("templates") + 1 :])
    text = template.read_text(encoding="utf-8")
    found = []
    for pattern, what in INLINE:
        found += [(name, what) for _ in pattern.finditer(text)]
    return found


def test_no_template_holds_an_inline_script_style_handler_or_javascript_link() -> None:
    assert len(TEMPLATES) > 40
    assert [problem for template in TEMPLATES for problem in _inline(template)] == []


def test_no_template_comment_spans_lines() -> None:
    """Django's {# #} holds one line: one spanning lines is not a comment, and its words show on the page."""
    spanning = [
        template.name
        for template in TEMPLATES
        for comment in re.findall(r"\{#(.*?)#\}", template.read_text(encoding="utf-8"), re.S)
        if "\n" in comment
    ]
    opened = [
        template.name
        for template in TEMPLATES
        for line in template.read_text(encoding="utf-8").splitlines()
        if "{#" in line and "#}" not in line
    ]
    assert spanning == []
    assert opened == []


def test_no_staff_page_shows_template_text(world: World) -> None:
    html = body(client_for(world.nurse).get("/clinic/alerts/"))

    assert "{#" not in html
    assert "htmx swaps" not in html
