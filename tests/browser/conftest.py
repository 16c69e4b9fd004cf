"""Playwright for Python driving Debian's Chromium against a live server.

Without /usr/bin/chromium the browser tests are skipped with a message; under CI=true a missing
Chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PRPATH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_ENABLE = "install Debian's Chromium (apt-get install -y chromium) to run the browser tests"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    have_chromium = Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None
    if have_chromium:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but there is no Chromium at {CHROMIUM}: {HOW_TO_ENABLE}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: {HOW_TO_ENABLE}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Django's live server runs in a thread; Playwright's sync API runs its own event loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def serious_accessibility_violations(page: object) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each (axe is served from the
    package, not a CDN)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    found = [
        (violation, violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    # axe files some text under "incomplete" instead: a link in the brand colour on the brand-coloured
    # header (1:1, invisible) landed there. Colour contrast that axe measured below the threshold counts
    # whatever the bucket; "too short to judge" (a one-digit chart tick) does not.
    for unsettled in results["incomplete"]:
        if unsettled["id"] == "color-contrast":
            too_low = [node for node in unsettled["nodes"] if _contrast_too_low(node)]
            if too_low:
                found.append((unsettled, too_low))
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(f"{node['target']} ({_why(node)})" for node in nodes)
        for violation, nodes in found
    ]


def _contrast_too_low(node: dict[str, Any]) -> bool:
    for check in node.get("any", []):
        data = check.get("data") or {}
        ratio, expected = data.get("contrastRatio"), data.get("expectedContrastRatio")
        measured = data.get("fgColor") is not None and data.get("bgColor") is not None
        if measured and isinstance(ratio, int | float) and expected and ratio < float(str(expected).split(":")[0]):
            return True
    return False


def _why(node: dict[str, Any]) -> str:
    """axe's own words for why a node failed or could not be settled."""
    return "; ".join(
        str(check.get("message")) for check in node.get("any", []) + node.get("all", []) + node.get("none", [])
    )


@pytest.fixture
def visits(browser: Any, live_server: Any) -> Iterator[list[Any]]:
    """The browser windows a test opens (``tests.browser.pages.Visit``), closed after it."""
    opened: list[Any] = []
    yield opened
    for visit in opened:
        visit.close()


@pytest.fixture
def live_world(transactional_db: None, live_server: Any) -> Any:
    """Two clinics and one person of each role, in the database the live server reads."""
    from tests.personas import make_world

    return make_world()
