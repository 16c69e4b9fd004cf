"""Playwright for Python driving Debian's Chromium against a live server.

Without /usr/bin/chromium the browser tests are skipped with a message; under CI=true a missing
Chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

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

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
